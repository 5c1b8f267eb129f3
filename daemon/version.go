package daemon

import "runtime/debug"

// Version is resolved once at start: a build that set it with -ldflags
// keeps it; any other build says what the Go toolchain recorded about it
// (buildVersion), so that `lastfmd version`, /v1/status and the
// User-Agent name the build a bug report is about, not "dev".
func init() {
	info, _ := debug.ReadBuildInfo() // nil when the binary records none
	Version = buildVersion(Version, info)
}

// buildVersion is the version of a build: set (from -ldflags) when it is
// not the default "dev"; else the main module's version (a tag, or the
// pseudo-version `go build` makes from the commit, "+dirty" with local
// changes; go install module@version records the release); else the VCS
// revision, shortened as git does, "+dirty" when the tree was modified;
// else "dev" (a build with -buildvcs=false, or outside a clone).
func buildVersion(set string, info *debug.BuildInfo) string {
	if set != "dev" || info == nil {
		return set
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return set
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "+dirty"
	}
	return rev
}
