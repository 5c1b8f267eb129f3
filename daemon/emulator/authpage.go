package emulator

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// The approval page at /api/auth/ (https://www.last.fm/api/desktopauth, https://www.last.fm/api/webauth).
//
// GET ?api_key=K[&token=T][&cb=URL] shows the application's name and a form with
// a user name field (default: the first added user) and an "Allow access" button
// (id="approve"). The form POSTs back; the POST approves the token for that user
// (minting one first when none was given: the web flow) and then redirects 302 to
// cb (or Options.CallbackURL) with token= appended, or, without a callback, says
// "Application authorised, you can close this window".

var approvalPage = template.Must(template.New("approve").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Connect application - {{.Site}}</title></head>
<body>
<h1>Connect {{.App}} to your {{.Site}} account</h1>
<p>{{.App}} wants to use your {{.Site}} account.</p>
<form method="post" action="/api/auth/">
<input type="hidden" name="api_key" value="{{.APIKey}}">
<input type="hidden" name="token" value="{{.Token}}">
<input type="hidden" name="cb" value="{{.CB}}">
<label>User name <input type="text" id="username" name="username" value="{{.User}}"></label>
<button type="submit" id="approve" name="approve" value="1">Allow access</button>
</form>
</body></html>
`))

func htmlPage(w http.ResponseWriter, status int, title, msg string) {
	body := "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + template.HTMLEscapeString(title) +
		"</title></head>\n<body><h1>" + template.HTMLEscapeString(title) + "</h1><p>" +
		template.HTMLEscapeString(msg) + "</p></body></html>\n"
	writeReply(w, status, "text/html; charset=UTF-8", []byte(body))
}

func (s *Server) serveAuthPage(w http.ResponseWriter, r *http.Request) {
	vals, body := readParams(r)
	s.record(r, vals, body, "")
	get := func(k string) string { return vals.Get(k) }
	if get("api_key") != s.apiKey {
		htmlPage(w, http.StatusForbidden, "Invalid API key", "This application's API key is not valid.")
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		first := ""
		if len(s.userOrder) > 0 {
			first = s.users[s.userOrder[0]].name
		}
		var bad string
		if tok := get("token"); tok != "" {
			if t := s.tokens[tok]; t == nil || t.consumed {
				bad = "This token has not been issued."
			} else if !s.now().Before(t.issued.Add(tokenTTL)) {
				bad = "This token has expired."
			}
		}
		s.mu.Unlock()
		if bad != "" {
			htmlPage(w, http.StatusBadRequest, "Invalid token", bad)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		_ = approvalPage.Execute(w, map[string]string{
			"App": s.appName, "APIKey": s.apiKey, "Token": get("token"), "CB": get("cb"), "User": first,
			"Site": s.rules.site, // the service the emulator plays: Libre.fm's page is at the same path
		})
	case http.MethodPost:
		cb := get("cb")
		if cb == "" {
			cb = s.callbackURL
		}
		s.mu.Lock()
		tok := get("token")
		if tok == "" && cb != "" {
			tok = s.newTokenLocked()
		}
		var err error
		if tok == "" {
			htmlPage(w, http.StatusBadRequest, "Invalid request", "No token and no callback.")
			s.mu.Unlock()
			return
		}
		err = s.approveLocked(tok, get("username"))
		s.mu.Unlock()
		if err != nil {
			htmlPage(w, http.StatusBadRequest, "Cannot authorise", strings.TrimPrefix(err.Error(), "emulator: "))
			return
		}
		if cb == "" {
			htmlPage(w, http.StatusOK, "Application authorised", "Application authorised, you can close this window.")
			return
		}
		sep := "?"
		if strings.Contains(cb, "?") {
			sep = "&"
		}
		w.Header().Set("Location", cb+sep+"token="+url.QueryEscape(tok))
		w.WriteHeader(http.StatusFound)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeHTMLStatus(w, http.StatusMethodNotAllowed)
	}
}
