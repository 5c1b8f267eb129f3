//go:build !windows

package service

import (
	"os"
	"os/signal"
	"syscall"
)

// notifyReload delivers SIGHUP (`systemctl reload`, ExecReload=) on c.
func notifyReload(c chan<- os.Signal) { signal.Notify(c, syscall.SIGHUP) }
