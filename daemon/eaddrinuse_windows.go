//go:build windows

package daemon

import "syscall"

// WSAEADDRINUSE
var syscallEADDRINUSE error = syscall.Errno(10048)
