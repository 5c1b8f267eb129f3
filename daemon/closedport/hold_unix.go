//go:build unix

package closedport

import (
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// hold binds a TCP socket to 127.0.0.1:0 without listening on it. Without
// SO_REUSEADDR, no other socket can bind the port, not even one that sets it.
func hold() (string, func(), error) {
	// Close-on-exec, as package net's sockets are: tests run lastfmd as a
	// child process, which must not inherit the socket and hold the port.
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return "", nil, fmt.Errorf("socket: %w", err)
	}
	release := func() { syscall.Close(fd) }
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		release()
		return "", nil, fmt.Errorf("bind 127.0.0.1:0: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		release()
		return "", nil, fmt.Errorf("getsockname: %w", err)
	}
	in, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		release()
		return "", nil, fmt.Errorf("getsockname: %T", sa)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(in.Port)), release, nil
}
