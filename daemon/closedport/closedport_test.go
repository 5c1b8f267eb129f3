package closedport

import (
	"errors"
	"net"
	"os/exec"
	"runtime"
	"strings"
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

// A child process does not inherit the socket, so a daemon a test starts
// cannot keep the port held past the test.
func TestAddrNotInherited(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	Addr(t)
	// ls lists its own open files: a socket among them was inherited.
	out, err := exec.Command("ls", "-l", "/proc/self/fd/").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "socket:") {
		t.Errorf("a child process inherited a socket:\n%s", out)
	}
}
