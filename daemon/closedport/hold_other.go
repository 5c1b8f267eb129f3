//go:build !unix

package closedport

import "net"

// hold, where a socket cannot be bound without listening through package
// syscall: listen and close, so the port is free again (and may be taken).
func hold() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, func() {}, nil
}
