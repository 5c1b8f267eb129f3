//go:build !linux

package service

import "github.com/kardianos/service"

const isLinux = false

// newManager returns kardianos' service for c: launchd on macOS, the
// service control manager on Windows.
func newManager(c *service.Config, _ bool) (service.Service, error) {
	return service.New(idle{}, c)
}
