package config

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestMain points the system-wide fallback file away from the real /etc so
// no test can read the machine's configuration.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lastfmd-config-test")
	if err != nil {
		panic(err)
	}
	systemConfigFile = filepath.Join(dir, "no-such-dir", "lastfmd.toml")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fakeEnv is an injected environment; it records removals.
type fakeEnv struct {
	mu    sync.Mutex
	vars  map[string]string
	unset []string
}

func newEnv(t *testing.T, kv ...string) *fakeEnv {
	t.Helper()
	e := &fakeEnv{vars: map[string]string{"HOME": t.TempDir()}}
	for i := 0; i+1 < len(kv); i += 2 {
		e.vars[kv[i]] = kv[i+1]
	}
	return e
}

func (e *fakeEnv) Getenv(k string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.vars[k]
}

func (e *fakeEnv) Unsetenv(k string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.vars, k)
	e.unset = append(e.unset, k)
	return nil
}

func (e *fakeEnv) opts() Options {
	return Options{Getenv: e.Getenv, Unsetenv: e.Unsetenv}
}

// writeFile writes content to dir/name with mode and returns the path.
func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is filtered by the umask; tests need it exact.
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeConfig writes a config file into a fresh directory.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	return writeFile(t, t.TempDir(), "lastfmd.toml", content, 0o644)
}

// mustLoad loads or fails the test.
func mustLoad(t *testing.T, o Options) (*Config, []string) {
	t.Helper()
	c, warnings, err := Load(o)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c, warnings
}

// checkOneLine asserts the shape every config error must have.
func checkOneLine(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got nil")
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.HasPrefix(msg, "config: ") {
		t.Errorf("error does not start with \"config: \": %q", msg)
	}
}

// plain drops the bookkeeping fields so configs compare by value.
func plain(c *Config) Config {
	v := *c
	v.origin = nil
	v.secrets = secretSources{}
	return v
}

func osMode(m uint32) os.FileMode { return os.FileMode(m) }
