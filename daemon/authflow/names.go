package authflow

import (
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/clip"
)

// MaxAccountName bounds an account name.
const MaxAccountName = 64

// CheckAccountName accepts the names an account may be given: Last.fm user
// names (letters, digits, '_' and '-'; https://www.last.fm/join) and
// --account names of the same shape plus '.', up to 64 characters. Names
// appear in URLs (/v1/auth/accounts/NAME), headers (X-Lastfmd-Account) and
// log lines, so nothing else is allowed.
func CheckAccountName(name string) error {
	if name == "" {
		return apperr.Invalidf("an account name is required")
	}
	if len(name) > MaxAccountName {
		return apperr.Invalidf("account name longer than %d characters", MaxAccountName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case (c == '-' || c == '.') && i > 0:
		default:
			return apperr.Invalidf("account name %q: use letters, digits, '_', '-' and '.' (not first)", clip.Line(name, MaxAccountName))
		}
	}
	return nil
}
