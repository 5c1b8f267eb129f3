package daemon

import (
	"net"

	"github.com/lastfmd/lastfmd/daemon/httpapi"
)

// mountPage serves the page at / (docs/page.md) on a TCP listener, with
// the journal's queue as /v1/queue reaches it (queueAPI: the same rules
// for retry and drop) and its last scrobbles. On a unix socket, which no
// browser opens, the page is not served and `lastfmd open` says why.
// Called by Open once the listener exists.
func (m *Main) mountPage() {
	o := httpapi.PageOptions{Queue: queueAPI{m.Journal}, Recent: m.Journal.Recent, StateDir: m.Config.StateDir, Poll: m.Tuning.PagePoll}
	if m.PageURL() == "" {
		o.NotServed = "the daemon listens on a unix socket, which browsers cannot open: the page at / is served on a TCP listen address (listen = \"127.0.0.1:7375\")"
	}
	m.HTTP.HandlePage(o)
}

// PageURL is the page's address on this daemon's TCP listener (a
// literal loopback address, never localhost: docs/security.md), "" on a
// unix socket.
func (m *Main) PageURL() string {
	tcp, ok := m.ln.Addr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	ip := tcp.IP
	switch {
	case ip.IsUnspecified() && ip.To4() == nil:
		ip = net.IPv6loopback
	case ip.IsUnspecified():
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + (&net.TCPAddr{IP: ip, Port: tcp.Port}).String() + "/"
}
