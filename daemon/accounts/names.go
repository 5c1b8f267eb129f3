package accounts

import (
	"fmt"
	"strings"

	"github.com/lastfmd/lastfmd/internal/clip"
)

// MaxName bounds an account name.
const MaxName = 64

// CheckName is the shape of an account name: Last.fm user names (letters,
// digits, '_' and '-'; https://www.last.fm/join) and --account names of
// the same shape plus '.', up to 64 characters. Names appear in URLs
// (/v1/auth/accounts/NAME), headers (X-Lastfmd-Account) and log lines, so
// nothing else is allowed. The sign-in flows (authflow.CheckAccountName)
// and the loading of sessions.json both apply it.
func CheckName(name string) error {
	if name == "" {
		return fmt.Errorf("an account name is required")
	}
	if len(name) > MaxName {
		return fmt.Errorf("account name longer than %d characters", MaxName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case (c == '-' || c == '.') && i > 0:
		default:
			return fmt.Errorf("account name %q: use letters, digits, '_', '-' and '.' (not first)", clip.Line(name, MaxName))
		}
	}
	return nil
}

// Reserved reports whether no sign-in may take the name: "default" is the
// account lastfm.session_key_file provides, and a stored account of that
// name would shadow it or be shadowed by it.
func Reserved(name string) bool { return strings.EqualFold(name, DefaultName) }
