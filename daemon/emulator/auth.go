package emulator

import "strings"

// auth.* methods (https://www.last.fm/api/authentication). All are signed; getMobileSession is POST only.

func sessionNode(u *user, sk string) *node {
	sub := txt("subscriber", "0")
	sub.num = "0"
	return el("session", txt("name", u.name), txt("key", sk), sub)
}

func authGetToken(c *call) ([]*node, *apiError) {
	return []*node{txt("token", c.s.newTokenLocked())}, nil
}

// authGetSession exchanges an approved token: 4 when never issued or already used,
// 15 when older than 60 minutes, 14 while not approved.
func authGetSession(c *call) ([]*node, *apiError) {
	t := c.s.tokens[c.get("token")]
	if t == nil || t.consumed {
		return nil, lfmErrMsg(ErrAuthFailed, "Unauthorized Token - This token has not been issued")
	}
	if !c.s.now().Before(t.issued.Add(tokenTTL)) {
		return nil, lfmErr(ErrTokenExpired)
	}
	if t.user == "" {
		return nil, lfmErr(ErrTokenUnauthorized)
	}
	u := c.s.users[t.user]
	t.consumed = true
	return []*node{sessionNode(u, c.s.sessionForLocked(u))}, nil
}

// authGetMobileSession answers with the form of the service the emulator plays
// (Options.Service).
func authGetMobileSession(c *call) ([]*node, *apiError) { return c.s.rules.mobile(c) }

// lastfmMobileSession checks username (any case) with password, or with
// authToken = md5(username + md5(password)) in lowercase (or uppercase) hex
// (https://www.last.fm/api/show/auth.getMobileSession; authToken is the
// older form, https://www.last.fm/api/mobileauth).
func lastfmMobileSession(c *call) ([]*node, *apiError) {
	name := c.get("username")
	u := c.s.userLocked(name)
	ok := false
	if u != nil && u.password != "" {
		if pw := c.get("password"); pw != "" {
			ok = pw == u.password
		} else {
			tok := c.get("authToken")
			pwHash := md5hex(u.password)
			ok = strings.EqualFold(tok, md5hex(name+pwHash)) || strings.EqualFold(tok, md5hex(u.name+pwHash))
		}
	}
	if !ok {
		return nil, lfmErr(ErrAuthFailed)
	}
	return []*node{sessionNode(u, c.s.sessionForLocked(u))}, nil
}
