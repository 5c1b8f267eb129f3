package config

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

const exampleFile = "../../configs/lastfmd.toml"

// TestExampleFile checks the documented example: valid TOML with no unknown
// key, every key present with its environment variable, every value the
// default.
func TestExampleFile(t *testing.T) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	layout := reflect.New(layoutType)
	md, err := toml.Decode(string(data), layout.Interface())
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Errorf("unknown keys: %v", u)
	}
	for _, s := range settings {
		if !md.IsDefined(strings.Split(s.path, ".")...) {
			t.Errorf("%s is missing from the example", s.path)
		}
		if !strings.Contains(string(data), "Env "+s.env+".") && !strings.Contains(string(data), "Env "+s.env+";") &&
			!strings.Contains(string(data), "Env "+s.env+" (") {
			t.Errorf("the example does not name %s for %s", s.env, s.path)
		}
	}

	env := newEnv(t)
	o := env.opts()
	o.Path = exampleFile
	c, warnings := mustLoad(t, o)
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	def, _ := mustLoad(t, env.opts())
	c.File = ""
	if !reflect.DeepEqual(plain(c), plain(def)) {
		t.Errorf("the example's values are not the defaults:\n got %+v\nwant %+v", plain(c), plain(def))
	}
}

// TestExampleFileMirror: the example's commented [[mirror]] table, once
// uncommented, is a valid mirror with the documented defaults.
func TestExampleFileMirror(t *testing.T) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(data), "\n# [[mirror]]\n")
	if !ok {
		t.Fatal("the example has no commented [[mirror]] table")
	}
	var b strings.Builder
	b.WriteString("[[mirror]]\n")
	for _, line := range strings.Split(block, "\n") {
		b.WriteString(strings.TrimPrefix(line, "# ") + "\n")
	}
	o := newEnv(t).opts()
	o.Path = writeConfig(t, b.String())
	c, _ := mustLoad(t, o)
	m := c.Mirrors[0]
	d := mirrorTypes[MirrorTypeLastFM].defaults()
	if m.Name != "librefm" || m.Rate != d.Rate || m.Burst != d.Burst || m.Timeout != d.Timeout || m.MaxAge.Duration != 0 {
		t.Errorf("the example's mirror is not the documented defaults: %+v", m)
	}
	if m.IgnoredCodes[3] != d.IgnoredCodes[4] || m.IgnoredCodes[4] != d.IgnoredCodes[3] {
		t.Errorf("the example does not reverse codes 3 and 4: %v", m.IgnoredCodes)
	}
}
