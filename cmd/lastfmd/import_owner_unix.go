//go:build unix

package main

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// ownStateDir refuses to write into a state directory that belongs to
// another user (a system service's /var/lib/lastfmd): the journal this
// process would create or change there would be its own, and the daemon
// could not read it. The refusal names the command to run as that user.
// An absent directory is fine: config and the journal create it.
func ownStateDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return nil
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok || int(sys.Uid) == os.Getuid() {
		return nil
	}
	owner := strconv.FormatUint(uint64(sys.Uid), 10)
	if u, err := user.LookupId(owner); err == nil {
		owner = u.Username
	}
	return fmt.Errorf("the state directory %s belongs to the user %s: import as that user (sudo -u %s lastfmd import --state-dir %s FILE), "+
		"or start the daemon (lastfmd start) and import through it", dir, owner, owner, dir)
}
