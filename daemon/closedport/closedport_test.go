package closedport

import (
	"errors"
	"net"
	"runtime"
	"syscall"
	"testing"
)

// A connection is refused, and the port cannot be listened on, even by a
// listener that sets SO_REUSEADDR as Go's do.
func TestAddrRefusesAndStaysTaken(t *testing.T) {
	addr := Addr(t)
	if _, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial %s: %v, want connection refused", addr, err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	if ln, err := net.Listen("tcp", addr); err == nil {
		ln.Close()
		t.Errorf("listen %s succeeded while the port is held", addr)
	}
}
