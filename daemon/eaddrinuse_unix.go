//go:build !windows

package daemon

import "syscall"

var syscallEADDRINUSE error = syscall.EADDRINUSE
