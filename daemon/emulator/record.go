package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Request is one request the emulator received, recorded before it was
// processed (refused and faulted requests included).
type Request struct {
	HTTPMethod string            // GET, POST, ...
	Path       string            // "/2.0/", "/api/auth/", ...
	RawQuery   string            // query string as received
	Params     map[string]string // query and body parameters merged (first value of each name)
	Method     string            // Last.fm method, canonical spelling when known ("" if none)
	Header     http.Header
	Body       string
	At         time.Time // emulator clock
	Service    string    // the emulator's name (Options.Name; "lastfm", "librefm"): which service the request reached
}

// record appends a request to the log.
func (s *Server) record(r *http.Request, vals url.Values, body, method string) {
	params := make(map[string]string, len(vals))
	for k, v := range vals {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	req := Request{
		HTTPMethod: r.Method,
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		Params:     params,
		Method:     method,
		Header:     r.Header.Clone(),
		Body:       body,
		At:         s.now(),
		Service:    s.name,
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
}

// Requests returns a copy of every request recorded since the start or the last
// [Server.Reset], oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Reset forgets the recorded requests (users, sessions, scrobbles and faults stay).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Count returns how many recorded requests named the Last.fm method (any case;
// "" counts every recorded request, approval-page requests included).
func (s *Server) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method == "" {
		return len(s.requests)
	}
	n := 0
	for _, r := range s.requests {
		if strings.EqualFold(r.Method, method) {
			n++
		}
	}
	return n
}

// CountWith returns how many recorded requests named the Last.fm method
// (any case) with the parameter name equal to value: the polls for one
// sign-in token, say.
func (s *Server) CountWith(method, name, value string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if strings.EqualFold(r.Method, method) && r.Params[name] == value {
			n++
		}
	}
	return n
}
