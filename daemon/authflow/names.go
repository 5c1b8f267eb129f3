package authflow

import (
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
)

// MaxAccountName bounds an account name.
const MaxAccountName = accounts.MaxName

// CheckAccountName accepts the names a new account may be given: the shape
// accounts.CheckName defines, and not a reserved name (accounts.Reserved).
// Both are client mistakes: 400 with Last.fm's error 6.
func CheckAccountName(name string) error {
	if err := accounts.CheckName(name); err != nil {
		return apperr.Invalidf("%v", err)
	}
	if accounts.Reserved(name) {
		return apperr.Invalidf("account name %q is reserved: it names the account of lastfm.session_key_file; choose another name with --account", name)
	}
	return nil
}

func truncate(s string, n int) string { return accounts.Truncate(s, n) }
