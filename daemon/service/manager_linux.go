package service

import "github.com/kardianos/service"

const isLinux = true

// newManager returns kardianos' service for c. Where systemd manages
// services it is kardianos' systemd backend even when kardianos' own
// detection (PID 1 must be systemd) says otherwise, as in a container or a
// chroot preparing an image: what install writes is the unit file either way.
func newManager(c *service.Config, systemd bool) (service.Service, error) {
	if systemd {
		for _, s := range service.AvailableSystems() {
			if s.String() == "linux-systemd" {
				return s.New(idle{}, c)
			}
		}
	}
	return service.New(idle{}, c)
}
