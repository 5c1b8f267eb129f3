package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/daemon/proxy"
)

// isScrobbleList reports whether a decoded /v1/track.scrobble JSON body is
// a list of scrobbles: an array, or an object whose only member is
// "scrobbles".
func isScrobbleList(doc any) bool {
	switch v := doc.(type) {
	case []any:
		return true
	case map[string]any:
		_, ok := v["scrobbles"]
		return ok && len(v) == 1
	}
	return false
}

// preferWait reads RFC 7240's Prefer header: "wait=N" (seconds) bounds how
// long a scrobble request waits for Last.fm's answer, "respond-async"
// asks for none (wait=0). Preferences it does not understand are ignored,
// as the RFC says (https://www.rfc-editor.org/rfc/rfc7240#section-2).
func preferWait(h http.Header) (time.Duration, bool) {
	d, set := time.Duration(0), false
	async := false
	for _, v := range h.Values("Prefer") {
		for _, pref := range strings.Split(v, ",") {
			// A preference may carry parameters after ';': only its
			// name=value matters here.
			tok, _, _ := strings.Cut(pref, ";")
			name, value, hasValue := strings.Cut(strings.TrimSpace(tok), "=")
			name = strings.ToLower(strings.TrimSpace(name))
			switch {
			case name == "respond-async" && !hasValue:
				async = true
			case name == "wait" && hasValue && !set:
				value = strings.Trim(strings.TrimSpace(value), `"`)
				n, err := strconv.ParseUint(value, 10, 32)
				if err != nil {
					continue
				}
				d, set = time.Duration(min(n, uint64(proxy.MaxWait/time.Second)))*time.Second, true
			}
		}
	}
	if !set && async {
		return 0, true
	}
	return d, set
}
