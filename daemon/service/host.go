package service

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// Host is every effect install, uninstall and status have on the machine
// outside kardianos: commands (systemctl show, loginctl, groupadd), files
// under /etc, ownership, the identity of the caller. Tests substitute a fake
// rooted in a temporary directory, so no test touches the real /etc or
// systemctl.
type Host interface {
	// Run runs a command and returns its standard output; an error carries
	// the command's first line of standard error.
	Run(name string, args ...string) (string, error)
	// LookPath reports whether a command exists.
	LookPath(name string) (string, error)
	ReadFile(path string) ([]byte, error)
	// WriteFile creates or replaces path with mode perm (exactly: umask
	// does not apply).
	WriteFile(path string, data []byte, perm fs.FileMode) error
	MkdirAll(path string, perm fs.FileMode) error
	Stat(path string) (fs.FileInfo, error)
	Remove(path string) error
	Chown(path string, uid, gid int) error
	Chmod(path string, perm fs.FileMode) error
	// LookupGroup returns a group's id; an error wrapping
	// user.UnknownGroupError when there is none.
	LookupGroup(name string) (int, error)
	// Executable is the running binary, symbolic links resolved.
	Executable() (string, error)
	// Getuid is the caller's user id (-1 on Windows).
	Getuid() int
	// Username and HomeDir identify the caller.
	Username() (string, error)
	HomeDir() (string, error)
}

// OSHost is the real machine.
type OSHost struct{}

var _ Host = OSHost{}

// Run runs name with args.
func (OSHost) Run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = err.Error()
		}
		return out.String(), &CommandError{Cmd: name + " " + strings.Join(args, " "), Msg: msg, Err: err}
	}
	return out.String(), nil
}

// CommandError is a command that failed.
type CommandError struct {
	Cmd string // the command line
	Msg string // its first line of standard error
	Err error
}

func (e *CommandError) Error() string { return "`" + e.Cmd + "`: " + e.Msg }
func (e *CommandError) Unwrap() error { return e.Err }

// ExitCode is the command's exit status, -1 if it did not run.
func (e *CommandError) ExitCode() int {
	var ee *exec.ExitError
	if errors.As(e.Err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// LookPath finds a command on $PATH.
func (OSHost) LookPath(name string) (string, error) { return exec.LookPath(name) }

// ReadFile reads a file.
func (OSHost) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

// WriteFile writes a file through a temporary file and a rename, so a
// reader never sees half of it, then sets its mode exactly.
func (OSHost) WriteFile(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// MkdirAll creates a directory and its parents.
func (OSHost) MkdirAll(path string, perm fs.FileMode) error { return os.MkdirAll(path, perm) }

// Stat stats a path.
func (OSHost) Stat(path string) (fs.FileInfo, error) { return os.Stat(path) }

// Remove removes a file.
func (OSHost) Remove(path string) error { return os.Remove(path) }

// Chown changes a file's owner.
func (OSHost) Chown(path string, uid, gid int) error { return os.Chown(path, uid, gid) }

// Chmod changes a file's mode.
func (OSHost) Chmod(path string, perm fs.FileMode) error { return os.Chmod(path, perm) }

// LookupGroup finds a group.
func (OSHost) LookupGroup(name string) (int, error) {
	g, err := user.LookupGroup(name)
	if err != nil {
		return -1, err
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return -1, fmt.Errorf("group %s has the id %q, not a number", name, g.Gid)
	}
	return gid, nil
}

// Executable is the running binary with symbolic links resolved: the unit
// must name the real file, and a refusal must name where it really is.
func (OSHost) Executable() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(p)
}

// Getuid is the caller's user id.
func (OSHost) Getuid() int { return os.Getuid() }

// Username is the caller's login name.
func (OSHost) Username() (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", err
	}
	return u.Username, nil
}

// HomeDir is the caller's home directory, as kardianos finds it.
func (OSHost) HomeDir() (string, error) { return os.UserHomeDir() }

// notExist reports a missing file, through any wrapping.
func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
