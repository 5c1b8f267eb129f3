package signer

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// MaxOpaque bounds an opaque Last.fm string (a token or a session key).
// Last.fm's are 32 characters; anything far longer is not Last.fm's.
const MaxOpaque = 256

// CheckOpaque accepts an opaque Last.fm string (auth token, session key):
// not empty, at most MaxOpaque bytes, printable ASCII without spaces, so it
// cannot break a URL, a form body or a log line. The error never repeats s.
func CheckOpaque(s string) error {
	if s == "" {
		return errors.New("is empty")
	}
	if len(s) > MaxOpaque {
		return fmt.Errorf("is longer than %d characters", MaxOpaque)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return errors.New("holds a character that is not printable ASCII")
		}
	}
	return nil
}

// ParseToken reads auth.getToken's JSON answer, {"token":"..."}. Tokens
// are 32 characters of letters, digits, '_' and '-' (as Last.fm issues
// them: not hex, whatever https://www.last.fm/api/desktopauth suggests);
// anything that could break the approval URL or a form body is refused
// (CheckOpaque).
func ParseToken(body []byte) (string, error) {
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", errors.New("not JSON")
	}
	if err := CheckOpaque(v.Token); err != nil {
		return "", fmt.Errorf("token %v", err)
	}
	return v.Token, nil
}

// Session is Last.fm's session answer to auth.getSession and
// auth.getMobileSession (https://www.last.fm/api/show/auth.getSession).
type Session struct {
	Name       string // the Last.fm user name, as Last.fm spells it
	Key        string // the session key: a secret
	Subscriber int
}

// ParseSession reads the JSON session answer
// {"session":{"name":..,"key":..,"subscriber":..}}: a name and a key that
// passes CheckOpaque are required. Its errors never hold the key.
func ParseSession(body []byte) (Session, error) {
	var v struct {
		Session struct {
			Name       string          `json:"name"`
			Key        string          `json:"key"`
			Subscriber json.RawMessage `json:"subscriber"`
		} `json:"session"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return Session{}, errors.New("not a JSON session answer")
	}
	if v.Session.Name == "" || v.Session.Key == "" {
		return Session{}, errors.New("session answer without name or key")
	}
	if err := CheckOpaque(v.Session.Key); err != nil {
		return Session{}, fmt.Errorf("session key %v", err)
	}
	sub := 0
	if string(v.Session.Subscriber) == "1" || string(v.Session.Subscriber) == `"1"` {
		sub = 1
	}
	return Session{Name: v.Session.Name, Key: v.Session.Key, Subscriber: sub}, nil
}

// SessionAnswer renders a session answer in format ("json", else XML) with
// its content type, as Last.fm writes it.
func SessionAnswer(format string, s Session) (contentType string, body []byte) {
	if format == "json" {
		b, _ := json.Marshal(map[string]any{"session": map[string]any{"name": s.Name, "key": s.Key, "subscriber": s.Subscriber}})
		return "application/json; charset=UTF-8", b
	}
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	return "text/xml; charset=UTF-8", fmt.Appendf(nil, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<lfm status=\"ok\">\n<session>\n<name>%s</name>\n<key>%s</key>\n<subscriber>%d</subscriber>\n</session>\n</lfm>\n",
		esc(s.Name), esc(s.Key), s.Subscriber)
}

// MobileLogin is what auth.getMobileSession takes
// (https://www.last.fm/api/mobileauth): a user name and a password, or, from
// an older drop-in client (pylast, lastfm-java), the deprecated
// authToken = md5(username + md5(password)) instead of the password.
type MobileLogin struct {
	Username  string
	Password  string // wins over AuthToken when both are set
	AuthToken string
	// Account names the stored session ("" = the Last.fm user name Last.fm
	// answers, which may differ in case, or be the name behind an e-mail
	// address).
	Account string
}

// WithAuthToken is l in the older form of auth.getMobileSession: the
// password replaced by authToken = md5(lowercase(username) + md5(password))
// in lowercase hex (https://www.last.fm/api/mobileauth). Libre.fm (GNU FM,
// nixtape/2.0/index.php) takes only this form, and lower-cases the user
// name before it compares. An l without a password is returned as it is.
func (l MobileLogin) WithAuthToken() MobileLogin {
	if l.Password == "" {
		return l
	}
	pw := md5.Sum([]byte(l.Password))
	tok := md5.Sum([]byte(strings.ToLower(l.Username) + hex.EncodeToString(pw[:])))
	l.AuthToken, l.Password = hex.EncodeToString(tok[:]), ""
	return l
}
