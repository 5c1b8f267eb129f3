package httpapi

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lastfmd/lastfmd/daemon/proxy"
)

// keyMemo remembers, for GET requests that were unsigned cached reads, the
// cache key their exact request line canonicalised to. A script polling
// the same URL is then answered from the cache without parsing the query,
// canonicalising parameters or routing: the cache-hit path is most of what
// lastfmd serves. Same request line, same key: canonicalisation is a pure
// function of it (headers that change the answer — an account, no-cache —
// keep a request off this path).
type keyMemo struct {
	// A sync.Map: its reads take no lock, so the two cores answering hits
	// do not contend for one (an RWMutex's read lock is a shared counter
	// both would write on every hit).
	m   sync.Map // request line -> cache key
	n   atomic.Int64
	max int64
}

// maxMemoURI bounds a remembered request line, so the memo (4,096 entries)
// stays within a few MiB however long the requests are.
const maxMemoURI = 1024

func newKeyMemo(max int) *keyMemo { return &keyMemo{max: int64(max)} }

func (k *keyMemo) get(uri string) (string, bool) {
	v, ok := k.m.Load(uri)
	if !ok {
		return "", false
	}
	return v.(string), true
}

// put records uri -> key; when full it starts over (the memo only saves
// work, so forgetting is always safe, and this keeps it bounded).
func (k *keyMemo) put(uri, key string) {
	if k.n.Load() >= k.max {
		k.m.Clear()
		k.n.Store(0)
	}
	if _, loaded := k.m.Swap(uri, key); !loaded {
		k.n.Add(1)
	}
}

// len is how many request lines are remembered (approximately, while puts
// race a Clear).
func (k *keyMemo) len() int { return int(k.n.Load()) }

// memoEligible: a GET on /v1/ or /2.0/ (the latter only without a listener
// token, which it carries in the query and is checked by its handler), with
// none of the headers that change how a read is answered.
func (s *Server) memoEligible(r *http.Request) bool {
	if r.Method != http.MethodGet || len(r.RequestURI) > maxMemoURI {
		return false
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/v1/"):
		if p == "/v1/status" || strings.HasPrefix(p, "/v1/queue") || strings.HasPrefix(p, "/v1/auth") {
			return false
		}
	case p == "/2.0" || p == "/2.0/":
		if s.guard.token != "" {
			return false
		}
	default:
		return false
	}
	h := r.Header
	return len(h["X-Lastfmd-Account"]) == 0 && len(h["Cache-Control"]) == 0 && len(h["Pragma"]) == 0
}

// fromMemo answers r, which arrived at now, from the cache when an
// identical request was seen.
func (s *Server) fromMemo(w http.ResponseWriter, r *http.Request, now time.Time) bool {
	if !s.memoEligible(r) {
		return false
	}
	key, ok := s.memo.get(r.RequestURI)
	if !ok {
		return false
	}
	var res proxy.Result
	if !s.proxy.FromCache(key, now, &res) {
		return false
	}
	_ = writeResult(w, &res)
	return true
}

// remember records the key a full-path answer reported.
func (s *Server) remember(r *http.Request, res *proxy.Result) {
	if res.Key != "" && s.memoEligible(r) {
		s.memo.put(r.RequestURI, res.Key)
	}
}
