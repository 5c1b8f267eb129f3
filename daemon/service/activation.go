package service

import (
	"fmt"
	"net"

	"github.com/coreos/go-systemd/v22/activation"
)

// Listeners returns the sockets systemd passed to the service (socket
// activation: $LISTEN_FDS, sd_listen_fds(3)), or nil when none were. The
// environment variables are removed so no child process inherits them. A
// passed descriptor that is not a listening stream socket (a socket unit
// with ListenDatagram= or Accept=yes) is an error naming it.
func Listeners() ([]net.Listener, error) {
	files := activation.Files(true)
	var lns []net.Listener
	for i, f := range files {
		ln, err := net.FileListener(f)
		f.Close() // FileListener dup'ed it
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			for _, g := range files[i+1:] {
				g.Close()
			}
			return nil, fmt.Errorf("systemd passed file descriptor %d (%s), which is not a listening stream socket: "+
				"lastfmd.socket must use ListenStream= without Accept=yes (%v)", 3+i, f.Name(), err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}
