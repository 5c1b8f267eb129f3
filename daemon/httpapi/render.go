package httpapi

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/proxy"
	"github.com/lastfmd/lastfmd/signer"
)

// answerFormat is how an answer must look: /v1/ is always JSON; /2.0/
// answers as Last.fm would, XML unless format=json, JSONP with a callback.
type answerFormat struct {
	dropIn   bool
	json     bool
	callback string
}

const (
	ctJSON = "application/json; charset=UTF-8"
	ctXML  = "text/xml; charset=UTF-8"
	ctJS   = "text/javascript; charset=UTF-8"
)

// writeResult sends a Result: Last.fm's status and body, and of Last.fm's
// headers only Content-Type.
func writeResult(w http.ResponseWriter, res *proxy.Result) error {
	h := w.Header()
	// Headers are set through the map with canonical names and shared
	// value slices: this is the cache-hit path, and Header.Set would
	// canonicalise each name and allocate each value.
	if res.ContentType != "" {
		h["Content-Type"] = headerValue(res.ContentType)
	}
	if res.Cache != "" {
		h["X-Lastfmd-Cache"] = headerValue(res.Cache)
		if res.Cache == proxy.CacheHit || res.Cache == proxy.CacheStale {
			h["Age"] = ageValue(int(res.Age.Seconds()))
		}
	}
	if res.Queued > 0 {
		h["X-Lastfmd-Queued"] = []string{strconv.Itoa(res.Queued)}
	}
	// The length is known: a client gets a plain body instead of chunks
	// (net/http chunks anything over 2 KiB written without it).
	h["Content-Length"] = lengthValue(len(res.Body))
	status := res.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, err := w.Write(res.Body)
	return err
}

// lengths are Content-Length values made once each, up to 32 KiB: a
// polled answer has the same length every time, and Last.fm's are rarely
// longer.
var lengths [32 << 10]atomic.Pointer[[]string]

func lengthValue(n int) []string {
	if n < 0 || n >= len(lengths) {
		return []string{strconv.Itoa(n)}
	}
	if v := lengths[n].Load(); v != nil {
		return *v
	}
	v := []string{strconv.Itoa(n)}
	lengths[n].Store(&v)
	return v
}

// sharedValues are header values common enough to share one read-only
// slice between responses (net/http only reads them).
var sharedValues = func() map[string][]string {
	m := map[string][]string{}
	for _, v := range []string{ctJSON, ctXML, ctJS, "application/json", "text/xml; charset=utf-8", "application/json; charset=utf-8",
		proxy.CacheHit, proxy.CacheMiss, proxy.CacheStale, proxy.CacheBypass} {
		m[v] = []string{v}
	}
	return m
}()

// ages are the Age header values of the first hour, shared like
// sharedValues: most hits are younger than that.
var ages = func() [][]string {
	a := make([][]string, 3600)
	for i := range a {
		a[i] = []string{strconv.Itoa(i)}
	}
	return a
}()

func ageValue(secs int) []string {
	if secs >= 0 && secs < len(ages) {
		return ages[secs]
	}
	return []string{strconv.Itoa(secs)}
}

func headerValue(v string) []string {
	if s, ok := sharedValues[v]; ok {
		return s
	}
	return []string{v}
}

// writeError renders one of lastfmd's own errors in Last.fm's shape and the
// request's format. Its header api.ErrorSourceHeader says the error is
// lastfmd's, unless e relays Last.fm's verdict (e.FromLastfm): the one
// signal by which a caller tells lastfmd's refusals from Last.fm's answers,
// whose bodies have the same shape (docs/errors.md).
func writeError(w http.ResponseWriter, f answerFormat, e *apperr.Error) error {
	status := statusOf(e, f.dropIn)
	h := w.Header()
	if !e.FromLastfm {
		h.Set(api.ErrorSourceHeader, api.ErrorSourceLastfmd)
	}
	if e.Kind == apperr.RateLimited && e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
	}
	code := e.Code
	if code == 0 {
		code = signer.ErrOperationFailed
	}
	msg := e.Message
	if !f.dropIn || f.json {
		body, _ := json.Marshal(struct {
			Error   int    `json:"error"`
			Message string `json:"message"`
		}{code, msg})
		if f.dropIn && f.callback != "" {
			h.Set(echo.HeaderContentType, ctJS)
			w.WriteHeader(status)
			_, err := w.Write([]byte(f.callback + "(" + string(body) + ");"))
			return err
		}
		h.Set(echo.HeaderContentType, ctJSON)
		w.WriteHeader(status)
		_, err := w.Write(append(body, '\n'))
		return err
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<lfm status="failed">` + "\n" + `<error code="`)
	b.WriteString(strconv.Itoa(code))
	b.WriteString(`">`)
	_ = xml.EscapeText(&b, []byte(msg))
	b.WriteString("</error>\n</lfm>\n")
	h.Set(echo.HeaderContentType, ctXML)
	w.WriteHeader(status)
	_, err := w.Write([]byte(b.String()))
	return err
}
