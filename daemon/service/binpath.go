package service

import (
	"fmt"
	"path/filepath"
	"strings"
)

// hiddenDirs are directories the system unit's sandbox hides from the
// service (ProtectHome=yes, PrivateTmp=yes): a binary or configuration file
// there cannot be read by the service, which then fails with a bare
// "exec: permission denied" (status=203/EXEC) in the journal.
var hiddenDirs = []struct{ dir, by string }{
	{"/home", "ProtectHome=yes"},
	{"/root", "ProtectHome=yes"},
	{"/run/user", "ProtectHome=yes"},
	{"/tmp", "PrivateTmp=yes"},
	{"/var/tmp", "PrivateTmp=yes"},
}

// goRunBuild reports a binary built by `go run`, which lives in a temporary
// go-build directory deleted when `go run` exits.
func goRunBuild(p string) bool {
	for _, el := range strings.Split(filepath.ToSlash(p), "/") {
		if strings.HasPrefix(el, "go-build") {
			return true
		}
	}
	return false
}

// hiddenBy returns the directory of hiddenDirs holding p and the directive
// hiding it, or "" when the system service can see p.
func hiddenBy(p string) (dir, by string) {
	p = filepath.ToSlash(filepath.Clean(p))
	for _, h := range hiddenDirs {
		if p == h.dir || strings.HasPrefix(p, h.dir+"/") {
			return h.dir, h.by
		}
	}
	return "", ""
}

// checkBinary refuses a binary the service could not run, with the
// commands that fix it. A user service sees the user's home, so only a
// `go run` build is refused there.
func checkBinary(exe string, user bool) error {
	const installed = "/usr/local/bin/lastfmd"
	if goRunBuild(exe) && user {
		return fmt.Errorf("%s is a temporary `go run` build, deleted when it exits; install lastfmd first: "+
			"go install ./cmd/lastfmd && \"$(go env GOPATH)/bin/lastfmd\" install --user", exe)
	}
	if goRunBuild(exe) {
		return fmt.Errorf("%s is a temporary `go run` build, deleted when it exits; build and install lastfmd first: "+
			"go build -o lastfmd ./cmd/lastfmd && sudo install -m 755 lastfmd %s && sudo %s install",
			exe, installed, installed)
	}
	if user {
		return nil
	}
	if dir, by := hiddenBy(exe); dir != "" {
		return fmt.Errorf("%s is under %s, which the system service cannot see (%s); copy it first: "+
			"sudo install -m 755 %s %s && sudo %s install (or install a per-user service: %s install --user)",
			exe, dir, by, shellQuote(exe), installed, installed, shellQuote(exe))
	}
	return nil
}

// checkConfigPath refuses a configuration file the system service could
// not read.
func checkConfigPath(p string, user bool) error {
	if user {
		return nil
	}
	if dir, by := hiddenBy(p); dir != "" {
		return fmt.Errorf("--config %s is under %s, which the system service cannot see (%s); "+
			"move it to %s: sudo install -m 644 %s %s", p, dir, by, SystemConfigFile, shellQuote(p), SystemConfigFile)
	}
	return nil
}

// shellQuote quotes s for a command line the user may paste.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:=@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
