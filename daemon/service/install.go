package service

import (
	"errors"
	"fmt"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// InstallOptions are `lastfmd install`'s flags.
type InstallOptions struct {
	// Force replaces an installed unit (the token, configuration and
	// secret are kept).
	Force bool
	// Config is the --config file the service runs with; "" = the default
	// search (/etc/lastfmd/lastfmd.toml for the system service).
	Config string
}

// report collects what install did, printed as one aligned list.
type report struct {
	rows [][2]string
	next []string
}

func (r *report) add(what, detail string) { r.rows = append(r.rows, [2]string{what, detail}) }
func (r *report) then(cmd string)         { r.next = append(r.next, cmd) }

// Install installs the service: on Linux with systemd, after checking the
// binary can run under the sandbox, a system install creates the group
// lastfmd, /etc/lastfmd/token (root:lastfmd 0640) and a starter
// /etc/lastfmd/lastfmd.toml, then writes and enables the unit through
// kardianos. It prints what it did and the commands to run next.
func (m *Manager) Install(o InstallOptions) error {
	h := m.host()
	exe, err := h.Executable()
	if err != nil {
		return fmt.Errorf("cannot find the lastfmd binary: %v", err)
	}
	systemd := m.systemd()
	if isLinux {
		if err := checkBinary(exe, m.User); err != nil {
			return err
		}
		if !m.User && h.Getuid() != 0 {
			return fmt.Errorf("a system-wide install needs root: run `sudo %s install`, or install a per-user service: `%s install --user`",
				shellQuote(exe), shellQuote(exe))
		}
	}
	args := []string{"run"}
	if o.Config != "" {
		p, err := filepath.Abs(o.Config)
		if err != nil {
			return fmt.Errorf("--config %s: %v", o.Config, err)
		}
		if err := checkConfigPath(p, m.User || !isLinux); err != nil {
			return err
		}
		if _, err := h.Stat(p); err != nil {
			return fmt.Errorf("--config %s: %v", p, statErr(err))
		}
		o.Config = p
		args = append(args, "--config", p)
	}

	r := &report{}
	undo := &undoList{}
	var unit string
	if systemd {
		installed, p, err := m.installed()
		if err != nil {
			return err
		}
		unit = p
		if installed && !o.Force {
			return fmt.Errorf("lastfmd is already installed as a %s service (%s): `%s install%s --force` replaces the unit, `%s uninstall%s` removes it",
				m.scope(), p, m.self(), m.userFlag(), m.self(), m.userFlag())
		}
		if installed {
			// kardianos refuses to overwrite a unit: remove it first. The
			// service keeps running until restarted.
			if err := h.Remove(p); err != nil {
				return fmt.Errorf("--force: cannot replace %s: %v", p, err)
			}
			r.then(m.sudo(m.self()+" restart"+m.userFlag()) + "   # the running service still uses the old unit")
		}
	}
	if systemd && !m.User {
		if err := m.prepareSystem(r, o.Config, undo); err != nil {
			return fmt.Errorf("%v%s", err, undo.rollback())
		}
	}

	s, err := m.service(exe, args)
	if err != nil {
		return fmt.Errorf("%v%s", err, undo.rollback())
	}
	if err := s.Install(); err != nil {
		next := platformNextStep(s.Platform())
		if systemd {
			if e := m.managerAnswers(); e != nil {
				m.undoUnit(undo, unit, o.Force)
				return m.noManager(e, undo.rollback())
			}
			err = m.managerWords(err, "enable", "daemon-reload")
			next = "see `" + m.systemctl("status") + "`"
			m.undoUnit(undo, unit, o.Force)
		}
		retry := m.sudo(m.self() + " install" + m.userFlag())
		if o.Force {
			retry += " --force"
		}
		return fmt.Errorf("installing the %s service with %s failed: %v%s: %s, fix the cause, then run `%s` again",
			m.scope(), s.Platform(), err, undo.rollback(), next, retry)
	}

	head := fmt.Sprintf("installed the %s service lastfmd (%s)", m.scope(), s.Platform())
	if unit != "" {
		r.rows = append([][2]string{{"unit", unit + " (enabled)"}}, r.rows...)
	}
	r.rows = append([][2]string{{"binary", exe}}, r.rows...)
	if systemd && m.User {
		m.prepareUser(r, o.Config)
	}
	if systemd {
		r.then(m.sudo(m.self()+" start"+m.userFlag()) + "   # then: " + m.self() + " status" + m.userFlag())
	} else {
		r.then(m.sudo(m.self() + " start"))
	}
	m.print(head, r)
	return nil
}

// undoUnit adds the unit a failed install leaves to undo: kardianos writes
// the unit before enabling it, and a half-done enable is undone with it.
// A unit --force replaced is not removed.
func (m *Manager) undoUnit(undo *undoList, unit string, force bool) {
	h := m.host()
	if _, e := h.Stat(unit); e == nil && !force {
		undo.add(unit, m.sudo("rm "+unit), func() error {
			_, _ = h.Run("systemctl", m.systemctlArgs("disable")...)
			return h.Remove(unit)
		})
	}
}

// prepareSystem creates what the system unit needs besides itself: the
// group, /etc/lastfmd with the token and a starter configuration, and
// reports the API secret if it is still missing (LoadCredential= of a
// missing file stops the unit from starting).
func (m *Manager) prepareSystem(r *report, config string, undo *undoList) error {
	h := m.host()
	gid, created, err := m.ensureGroup()
	if err != nil {
		return err
	}
	if created {
		r.add("group", Group+" (created: its members may read the token and use the socket)")
		undo.add("the group "+Group, "sudo groupdel "+Group, func() error {
			_, err := h.Run("groupdel", Group)
			return err
		})
	} else {
		r.add("group", Group+" (exists)")
	}
	if _, err := h.Stat(ConfigDir); notExist(err) {
		undo.add(ConfigDir, "sudo rmdir "+ConfigDir, func() error { return h.Remove(ConfigDir) })
	}
	if err := h.MkdirAll(ConfigDir, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %v", ConfigDir, err)
	}
	_, tokenErr := h.Stat(TokenFile)
	tokenNote, err := ensureToken(h, gid)
	if _, e := h.Stat(TokenFile); notExist(tokenErr) && e == nil {
		undo.add(TokenFile, "sudo rm "+TokenFile, func() error { return h.Remove(TokenFile) })
	}
	if err != nil {
		return err
	}
	r.add("token", TokenFile+" ("+tokenNote+")")

	if config == "" {
		config = SystemConfigFile
		data, err := h.ReadFile(config)
		switch {
		case notExist(err):
			if err := h.WriteFile(config, []byte(starterConfig), 0o644); err != nil {
				return fmt.Errorf("cannot write %s: %v", config, err)
			}
			undo.add(config, "sudo rm "+config, func() error { return h.Remove(config) })
			r.add("config", config+" (created)")
			r.then("sudoedit " + config + "   # set lastfm.api_key")
		case err != nil:
			return fmt.Errorf("cannot read %s: %v", config, err)
		default:
			r.add("config", config+" (kept)")
			if !apiKeySet(data) {
				r.then("sudoedit " + config + "   # set lastfm.api_key")
			}
		}
	} else {
		r.add("config", config)
	}

	switch _, err := h.Stat(APISecretFile); {
	case err == nil:
		r.add("secret", APISecretFile+" (exists; the service reads it as the credential api-secret)")
	case notExist(err):
		r.add("secret", APISecretFile+" (missing: the service cannot start without it)")
		r.then("sudo install -m 600 /dev/null " + APISecretFile + " && sudoedit " + APISecretFile + "   # paste the shared secret")
	default:
		return fmt.Errorf("cannot check %s: %v", APISecretFile, err)
	}
	r.add("state", "/var/lib/lastfmd (created by systemd at the first start)")
	r.then(`sudo usermod -aG ` + Group + ` "$USER"   # lets your scripts read the token; log in again after`)
	return nil
}

// prepareUser reports the user service's configuration and whether it
// outlives the session (lingering).
func (m *Manager) prepareUser(r *report, config string) {
	h := m.host()
	if config == "" {
		home, _ := h.HomeDir()
		config = filepath.Join(home, ".config", "lastfmd", "lastfmd.toml")
		if _, err := h.Stat(config); notExist(err) {
			r.add("config", config+" (missing: create it with lastfm.api_key and lastfm.api_secret_file, see README)")
		} else {
			r.add("config", config)
		}
	} else {
		r.add("config", config)
	}
	r.add("state", "~/.local/state/lastfmd (created by systemd at the first start)")
	name, err := h.Username()
	if err != nil {
		return
	}
	out, err := h.Run("loginctl", "show-user", name, "--property=Linger", "--value")
	switch linger := strings.TrimSpace(out); {
	case err != nil:
		r.add("warning", "cannot tell whether lingering is on ("+err.Error()+"): without it the service stops when you log out")
		r.then("loginctl enable-linger " + shellQuote(name) + "   # keep it running after you log out")
	case linger == "no":
		r.add("warning", "lingering is off: the service runs only while you are logged in")
		r.then("loginctl enable-linger " + shellQuote(name) + "   # keep it running after you log out")
	}
}

// print writes the report: a headline, the aligned rows, the next commands.
func (m *Manager) print(head string, r *report) {
	w := m.out()
	fmt.Fprintln(w, head)
	width := 0
	for _, row := range r.rows {
		width = max(width, len(row[0]))
	}
	for _, row := range r.rows {
		fmt.Fprintf(w, "  %-*s  %s\n", width, row[0], row[1])
	}
	if len(r.next) > 0 {
		fmt.Fprintln(w, "Next:")
		for _, c := range r.next {
			fmt.Fprintln(w, "  "+c)
		}
	}
}

// ensureGroup returns the group lastfmd's id, creating it (a system group)
// when missing.
func (m *Manager) ensureGroup() (gid int, created bool, err error) {
	h := m.host()
	gid, err = h.LookupGroup(Group)
	if err == nil {
		return gid, false, nil
	}
	var unknown user.UnknownGroupError
	if !errors.As(err, &unknown) {
		return -1, false, fmt.Errorf("cannot look up the group %s: %v", Group, err)
	}
	if _, err := h.Run("groupadd", "--system", Group); err != nil {
		return -1, false, fmt.Errorf("cannot create the group %s: %v", Group, err)
	}
	gid, err = h.LookupGroup(Group)
	if err != nil {
		return -1, false, fmt.Errorf("the group %s was created but cannot be found: %v", Group, err)
	}
	return gid, true, nil
}

// starterConfig is /etc/lastfmd/lastfmd.toml as a system install first
// writes it. It names the token file for clients; the service itself reads
// the token from its credential (the unit's Environment= line).
const starterConfig = `# lastfmd system configuration, written by ` + "`lastfmd install`" + `.
# Every key, its default and its environment variable: configs/lastfmd.toml in
# lastfmd's source, or ` + "`lastfmd config dump`" + `.

listen = "127.0.0.1:7375"
# With lastfmd.socket (socket activation), clients find the daemon here:
# listen = "unix:/run/lastfmd/lastfmd.sock"

[lastfm]
# Your API key from https://www.last.fm/api/account/create (not a secret).
api_key = ""
# The shared secret lives in /etc/lastfmd/api-secret (root, 0600); systemd
# hands it to the service as the credential "api-secret".

[security]
# Required on every request. The service reads it from its credential
# "token"; clients in the group lastfmd read it from this file.
token_file = "/etc/lastfmd/token"
`

// apiKeySet reports whether a configuration file sets lastfm.api_key; a
// file that does not parse counts as set (config check reports it better).
func apiKeySet(data []byte) bool {
	var c struct {
		LastFM struct {
			APIKey string `toml:"api_key"`
		} `toml:"lastfm"`
	}
	if _, err := toml.Decode(string(data), &c); err != nil {
		return true
	}
	return strings.TrimSpace(c.LastFM.APIKey) != ""
}

// statErr words a failed Stat for a message that already names the path.
func statErr(err error) string {
	if notExist(err) {
		return "no such file"
	}
	return pathError(err)
}
