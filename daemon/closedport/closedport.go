// Package closedport gives tests a loopback address that refuses
// connections and stays refused until the test ends.
//
// The usual trick, listening on 127.0.0.1:0 and closing the listener, hands
// the port back to the kernel, which may give it to the next socket that
// asks for any port: another test, or another test binary that `go test
// ./...` runs at the same time. A CLI that then finds "a daemon" there, or
// an upstream call that reaches someone else's server, fails a test for no
// fault of the code. Here the port stays taken by a TCP socket that is
// bound but never listens: the kernel answers a connection to it with a
// reset (connection refused), and refuses the port to every other bind.
package closedport

import "testing"

// Addr returns "127.0.0.1:PORT", where nothing accepts connections and
// nothing else can listen until t ends.
func Addr(t testing.TB) string {
	t.Helper()
	addr, release, err := hold()
	if err != nil {
		t.Fatalf("closedport: %v", err)
	}
	t.Cleanup(release)
	return addr
}
