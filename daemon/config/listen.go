package config

import (
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/endpoint"
)

// unixPrefix marks a unix socket in listen.
const unixPrefix = "unix:"

// ListenNetwork splits Listen into arguments for net.Listen: ("unix", path)
// for "unix:/path", else ("tcp", "host:port").
func (c *Config) ListenNetwork() (network, address string) {
	if p, ok := strings.CutPrefix(c.Listen, unixPrefix); ok {
		return "unix", p
	}
	return "tcp", c.Listen
}

// ListenIsLocal reports whether Listen is a unix socket (its file mode
// guards it) or a loopback TCP address ("localhost", 127.0.0.0/8, ::1).
// An empty host or a wildcard such as 0.0.0.0 is not local.
func (c *Config) ListenIsLocal() bool {
	network, addr := c.ListenNetwork()
	if network == "unix" {
		return true
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return endpoint.IsLoopbackHost(host)
}

// checkListen validates a listen value.
func checkListen(s string) error {
	if p, ok := strings.CutPrefix(s, unixPrefix); ok {
		if p == "" {
			return errors.New(`"unix:" needs a socket path, e.g. "unix:/run/lastfmd/lastfmd.sock"`)
		}
		return nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return errors.New(`must be "host:port", "[ipv6]:port" or "unix:/path", not ` + strconv.Quote(s))
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || port == "" || n > 65535 {
		return errors.New("bad port " + strconv.Quote(port) + " in " + strconv.Quote(s))
	}
	if strings.ContainsAny(host, " /") {
		return errors.New("bad host " + strconv.Quote(host) + " in " + strconv.Quote(s))
	}
	return nil
}
