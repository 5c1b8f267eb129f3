package daemon

import (
	"runtime/debug"
	"testing"
)

// The version a build reports: -ldflags wins, then the module version the
// toolchain stamped, then the VCS revision, then "dev".
func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "370293683a8b00d88029bc542bd29b3941c0a000"
	for _, tc := range []struct {
		name string
		set  string
		info *debug.BuildInfo
		want string
	}{
		{"ldflags", "1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261205233210-370293683a8b"}}, "1.2.3"},
		{"no build info", "dev", nil, "dev"},
		{"go install module@version", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"go build in a clone", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261205233210-370293683a8b+dirty"}, Settings: vcs(rev, "true")},
			"v0.0.0-20261205233210-370293683a8b+dirty"},
		{"revision only", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")}, "370293683a8b"},
		{"revision, modified", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, "370293683a8b+dirty"},
		{"-buildvcs=false", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
	} {
		if got := buildVersion(tc.set, tc.info); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
