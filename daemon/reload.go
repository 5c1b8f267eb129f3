package daemon

import (
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/config"
)

// liveKeys are the configuration keys a reload (SIGHUP) applies to the
// running daemon. Every other key needs a restart; docs/operations.md
// (#stopping-reloading-logging) lists them.
var liveKeys = []string{"log_level"}

// Reload re-reads the configuration with load and applies what can change
// without dropping a connection (SIGHUP, `systemctl reload lastfmd`):
// log_level takes effect at once, and the session file is re-read. A
// changed key that only a restart applies is logged with the command to
// run; a configuration that does not load leaves the running one in place.
// The API secret and the token are never re-read here.
func (m *Main) Reload(load func() (*config.Config, []string, error)) error {
	next, warnings, err := load()
	for _, w := range warnings {
		m.Log.Warn(w)
	}
	if err != nil {
		m.Log.Error("reload: the configuration did not load; the running one stays", "err", err)
		return err
	}
	var errs []string
	if m.LogLevel != nil {
		var lv slog.Level
		if err := lv.UnmarshalText([]byte(strings.ToUpper(next.LogLevel))); err != nil {
			errs = append(errs, fmt.Sprintf("log_level %q: %v", next.LogLevel, err))
		} else if lv != m.LogLevel.Level() {
			m.LogLevel.Set(lv)
			m.Log.Info("reload: log_level changed", "log_level", strings.ToLower(lv.String()))
		}
	}
	if m.Accounts != nil {
		if err := m.Accounts.Reload(); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if changed := restartKeys(m.Config, next); len(changed) > 0 {
		m.Log.Warn("reload: these keys changed but apply only after a restart (systemctl restart lastfmd)",
			"keys", strings.Join(changed, ","))
	}
	if len(errs) > 0 {
		err := fmt.Errorf("reload: %s", strings.Join(errs, "; "))
		m.Log.Error(err.Error())
		return err
	}
	m.Log.Info("configuration reloaded", "file", next.File)
	return nil
}

// restartKeys lists the configuration keys whose values differ between
// the running configuration and next, except those a reload applies. Keys
// are dotted TOML paths ("lastfm.rate"); secrets, which are not TOML keys,
// are not compared.
func restartKeys(running, next *config.Config) []string {
	var out []string
	diffKeys("", reflect.ValueOf(running).Elem(), reflect.ValueOf(next).Elem(), &out)
	return slices.DeleteFunc(out, func(k string) bool { return slices.Contains(liveKeys, k) })
}

func diffKeys(prefix string, a, b reflect.Value, out *[]string) {
	t := a.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		key := prefix + name
		fa, fb := a.Field(i), b.Field(i)
		if fa.Kind() == reflect.Struct && f.Type.PkgPath() == t.PkgPath() && isSection(f.Type) {
			diffKeys(key+".", fa, fb, out)
			continue
		}
		if !reflect.DeepEqual(fa.Interface(), fb.Interface()) {
			*out = append(*out, key)
		}
	}
}

// isSection tells a [section] struct from a value struct (Duration, Size):
// a section's fields all carry toml tags.
func isSection(t reflect.Type) bool {
	for i := range t.NumField() {
		if _, ok := t.Field(i).Tag.Lookup("toml"); !ok {
			return false
		}
	}
	return t.NumField() > 0
}
