package service

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kardianos/service"
)

// fakeHost is a machine rooted in a temporary directory: "/etc/lastfmd"
// is root+"/etc/lastfmd". Commands are answered by run; ownership changes
// are recorded, not made.
type fakeHost struct {
	t      *testing.T
	root   string
	uid    int
	exe    string // as the running binary sees itself
	home   string
	user   string
	groups map[string]int
	noCmd  map[string]bool // commands LookPath does not find

	mu     sync.Mutex
	cmds   []string
	owners map[string][2]int
	// run answers a command; nil answers "" and no error.
	run func(name string, args ...string) (string, error)
}

func newFakeHost(t *testing.T) *fakeHost {
	return &fakeHost{
		t: t, root: t.TempDir(), uid: 0, exe: "/usr/local/bin/lastfmd",
		home: "/home/alice", user: "alice",
		groups: map[string]int{}, noCmd: map[string]bool{}, owners: map[string][2]int{},
	}
}

func (h *fakeHost) path(p string) string {
	if !filepath.IsAbs(p) {
		h.t.Fatalf("fakeHost: relative path %q", p)
	}
	return filepath.Join(h.root, p)
}

func (h *fakeHost) Run(name string, args ...string) (string, error) {
	h.mu.Lock()
	h.cmds = append(h.cmds, name+" "+strings.Join(args, " "))
	h.mu.Unlock()
	if name == "groupadd" && len(args) == 2 && args[0] == "--system" {
		h.groups[args[1]] = 990
		return "", nil
	}
	if h.run != nil {
		return h.run(name, args...)
	}
	return "", nil
}

func (h *fakeHost) commands() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.cmds...)
}

func (h *fakeHost) LookPath(name string) (string, error) {
	if h.noCmd[name] {
		return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
	}
	if name == "lastfmd" {
		return h.exe, nil
	}
	return "/usr/bin/" + name, nil
}

func (h *fakeHost) ReadFile(p string) ([]byte, error) { return os.ReadFile(h.path(p)) }

func (h *fakeHost) WriteFile(p string, data []byte, perm fs.FileMode) error {
	if err := os.WriteFile(h.path(p), data, perm); err != nil {
		return err
	}
	return os.Chmod(h.path(p), perm)
}

func (h *fakeHost) MkdirAll(p string, perm fs.FileMode) error { return os.MkdirAll(h.path(p), perm) }
func (h *fakeHost) Stat(p string) (fs.FileInfo, error)        { return os.Stat(h.path(p)) }
func (h *fakeHost) Remove(p string) error                     { return os.Remove(h.path(p)) }
func (h *fakeHost) Chmod(p string, perm fs.FileMode) error    { return os.Chmod(h.path(p), perm) }

func (h *fakeHost) Chown(p string, uid, gid int) error {
	if _, err := os.Stat(h.path(p)); err != nil {
		return err
	}
	h.mu.Lock()
	h.owners[p] = [2]int{uid, gid}
	h.mu.Unlock()
	return nil
}

func (h *fakeHost) LookupGroup(name string) (int, error) {
	if gid, ok := h.groups[name]; ok {
		return gid, nil
	}
	return -1, user.UnknownGroupError(name)
}

func (h *fakeHost) Executable() (string, error) { return h.exe, nil }
func (h *fakeHost) Getuid() int                 { return h.uid }
func (h *fakeHost) Username() (string, error)   { return h.user, nil }
func (h *fakeHost) HomeDir() (string, error)    { return h.home, nil }

// exists reports whether a file exists on the fake machine.
func (h *fakeHost) exists(p string) bool {
	_, err := os.Stat(h.path(p))
	return err == nil
}

func (h *fakeHost) read(p string) string {
	h.t.Helper()
	b, err := os.ReadFile(h.path(p))
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// fakeService is kardianos' service for a fakeHost. Install renders the
// unit with kardianos' real systemd backend (see renderUnit) and puts it
// where kardianos would, on the fake machine.
type fakeService struct {
	h      *fakeHost
	cfg    *service.Config
	calls  *[]string
	failOn map[string]error
	status service.Status
	stErr  error
	// platform replaces "linux-systemd" (launchd, the Windows SCM);
	// afterInstall fails Install once the unit is written (enable failing).
	platform     string
	afterInstall error
}

// fakeFactory returns a Manager.NewService that builds fakeServices and
// records every call in calls.
func fakeFactory(h *fakeHost, calls *[]string, failOn map[string]error) (func(*service.Config, bool) (service.Service, error), **service.Config) {
	var last *service.Config
	return func(c *service.Config, systemd bool) (service.Service, error) {
		if !systemd {
			*calls = append(*calls, "new(not systemd)")
		}
		last = c
		return &fakeService{h: h, cfg: c, calls: calls, failOn: failOn}, nil
	}, &last
}

func (s *fakeService) user() bool {
	u, _ := s.cfg.Option["UserService"].(bool)
	return u
}

func (s *fakeService) do(call string) error {
	*s.calls = append(*s.calls, call)
	return s.failOn[call]
}

func (s *fakeService) Install() error {
	if err := s.do("install"); err != nil {
		return err
	}
	p := UnitPath(s.user(), s.h.home)
	if s.h.exists(p) {
		return fmt.Errorf("Init already exists: %s", p)
	}
	unit := renderUnit(s.h.t, s.cfg)
	if err := os.MkdirAll(filepath.Dir(s.h.path(p)), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(s.h.path(p), []byte(unit), 0o644); err != nil {
		return err
	}
	return s.afterInstall // kardianos writes the unit, then enables it
}

func (s *fakeService) Uninstall() error {
	if err := s.do("uninstall"); err != nil {
		return err
	}
	return os.Remove(s.h.path(UnitPath(s.user(), s.h.home)))
}

func (s *fakeService) Start() error   { return s.do("start") }
func (s *fakeService) Stop() error    { return s.do("stop") }
func (s *fakeService) Restart() error { return s.do("restart") }
func (s *fakeService) Run() error     { return errors.New("fakeService: Run") }
func (s *fakeService) Status() (service.Status, error) {
	*s.calls = append(*s.calls, "status")
	return s.status, s.stErr
}
func (s *fakeService) Logger(chan<- error) (service.Logger, error)       { return nil, nil }
func (s *fakeService) SystemLogger(chan<- error) (service.Logger, error) { return nil, nil }
func (s *fakeService) String() string                                    { return Name }
func (s *fakeService) Platform() string {
	if s.platform != "" {
		return s.platform
	}
	return "linux-systemd"
}

// renderUnit renders c's SystemdScript with kardianos' own systemd backend:
// a user-service install into a temporary $HOME, with a fake systemctl
// first on $PATH, so the library's template engine, keys and functions are
// exactly those it uses for a real install. It returns the unit file.
func renderUnit(t *testing.T, c *service.Config) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	logf := filepath.Join(dir, "systemctl.log")
	script := "#!/bin/sh\necho \"$@\" >> " + logf + "\n"
	if err := os.WriteFile(filepath.Join(bin, "systemctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cc := *c
	cc.Option = service.KeyValue{}
	for k, v := range c.Option {
		cc.Option[k] = v
	}
	cc.Option["UserService"] = true
	var sys service.System
	for _, s := range service.AvailableSystems() {
		if s.String() == "linux-systemd" {
			sys = s
		}
	}
	if sys == nil {
		t.Fatal("kardianos has no linux-systemd backend")
	}
	s, err := sys.New(idle{}, &cc)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Install(); err != nil {
		t.Fatalf("kardianos Install: %v", err)
	}
	out, err := os.ReadFile(filepath.Join(dir, "home", ".config", "systemd", "user", UnitName))
	if err != nil {
		t.Fatal(err)
	}
	calls, _ := os.ReadFile(logf)
	if !strings.Contains(string(calls), "enable --user "+UnitName) {
		t.Fatalf("kardianos did not enable the unit; systemctl calls:\n%s", calls)
	}
	return string(out)
}

// renderFor renders the system or user template for a binary and
// arguments, as install would.
func renderFor(t *testing.T, user bool, exe string, args ...string) string {
	m := &Manager{User: user}
	return renderUnit(t, m.kardianosConfig(exe, args))
}
