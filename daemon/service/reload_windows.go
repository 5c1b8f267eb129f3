package service

import "os"

// notifyReload does nothing: Windows has no SIGHUP, and its service control
// manager has no reload.
func notifyReload(chan<- os.Signal) {}
