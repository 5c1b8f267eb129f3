package service

import "github.com/kardianos/service"

// idle is the kardianos program of a service that is only installed or
// controlled, never run, by this process.
type idle struct{}

func (idle) Start(service.Service) error { return nil }
func (idle) Stop(service.Service) error  { return nil }

// Systemd reports whether this machine's services are systemd units: Linux
// with systemctl on $PATH.
func Systemd(h Host) bool {
	if !isLinux {
		return false
	}
	_, err := h.LookPath("systemctl")
	return err == nil
}
