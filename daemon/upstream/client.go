// Package upstream is lastfmd's only way out to Last.fm: one keep-alive HTTP
// client, the outbound token bucket every call passes through, signing with
// the API key and secret, and decoding and classifying Last.fm's answers.
package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/endpoint"
	"github.com/lastfmd/lastfmd/daemon/redact"
	"github.com/lastfmd/lastfmd/signer"
)

// Options configures a Client.
type Options struct {
	Endpoint  string // Last.fm API root, e.g. https://ws.audioscrobbler.com/2.0/
	APIKey    string
	Secret    string
	Timeout   time.Duration // one upstream call
	UserAgent string
	Limiter   *Limiter
	Now       func() time.Time
	// Transport replaces the default transport (tests).
	Transport http.RoundTripper
	// Redact masks known secrets in every answer before anyone sees it
	// (nil: only the call's own sk and api_sig are masked).
	Redact *redact.Redactor
	// Service names the service in messages ("" = "Last.fm"): a mirror's
	// client says "mirror librefm is unreachable", not Last.fm.
	Service string
}

// maxConcurrent caps calls in flight at once, so a flood of distinct reads
// against a slow Last.fm cannot pile up without bound; callers beyond it
// wait within their deadline.
const maxConcurrent = 16

// Client calls Last.fm. It is safe for concurrent use.
type Client struct {
	endpoint  string
	apiKey    string
	secret    string
	timeout   time.Duration
	userAgent string
	hc        *http.Client
	limiter   *Limiter
	now       func() time.Time
	stats     *Stats
	slots     chan struct{}
	bodies    *bodyMeter
	redact    *redact.Redactor
	service   string // in messages: "Last.fm", or "mirror NAME"
}

// MaxGetQuery is the longest query string a read is sent with; a longer
// one (a client's megabyte parameter) goes as a POST form body, which
// Last.fm takes for reads too (https://www.last.fm/api/rest), so no proxy or log on
// the way sees a megabyte URL.
const MaxGetQuery = 4 << 10

// Call is one Last.fm call as lastfmd will send it.
type Call struct {
	Method     string            // canonical method name
	Params     map[string]string // canonical client parameters, without method, api_key, api_sig, sk
	SessionKey string            // set: sent as sk (the call is then signed)
	Sign       bool              // add api_sig (implied by SessionKey)
	Post       bool              // form body instead of query string
	// Background marks a call no person waits for (the journal's drain
	// and retries, sign-in polling): the limiter serves it after every
	// interactive call (priority.go). The zero value is interactive.
	Background bool
}

func (c Call) priority() Priority {
	if c.Background {
		return Background
	}
	return Interactive
}

// Response is Last.fm's answer.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
	Date        time.Time        // Last.fm's Date header, zero if absent
	APIError    *signer.APIError // set when the body is a Last.fm error
	Class       signer.Class     // meaningful when Failed()
	Header      http.Header      // for the few callers that need more than Content-Type; never forwarded
	Duration    time.Duration
}

// Failed reports whether the answer is an error: a Last.fm error body or a
// non-2xx status.
func (r *Response) Failed() bool {
	return r.APIError != nil || r.Status < 200 || r.Status > 299
}

// New builds a Client. The endpoint must be https://, or http:// to a
// loopback address (the emulator); anything else would send the API secret's
// signatures and session keys in the clear.
func New(o Options) (*Client, error) {
	if err := endpoint.Check(o.Endpoint); err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	tr := o.Transport
	if tr == nil {
		tr = newTransport()
	}
	if o.Service == "" {
		o.Service = "Last.fm"
	}
	c := &Client{
		endpoint:  o.Endpoint,
		apiKey:    o.APIKey,
		secret:    o.Secret,
		timeout:   o.Timeout,
		userAgent: o.UserAgent,
		limiter:   o.Limiter,
		now:       o.Now,
		stats:     &Stats{},
		slots:     make(chan struct{}, maxConcurrent),
		bodies:    newBodyMeter(),
		redact:    o.Redact,
		service:   o.Service,
		hc: &http.Client{
			Transport: tr,
			// Never follow redirects: a redirect from the API root is not
			// Last.fm answering, and following it could replay a signed POST
			// to another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	return c, nil
}

func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment, // HTTPS_PROXY honoured
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// CloseIdleConnections closes the keep-alive connections to Last.fm that
// are not in use (shutdown, and tests that count goroutines).
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Stats returns the client's counters.
func (c *Client) Stats() *Stats { return c.stats }

// Limiter returns the outbound limiter.
func (c *Client) Limiter() *Limiter { return c.limiter }

// Do sends one call, after waiting for the limiter. A Last.fm error is not a
// Go error: it comes back in Response.APIError. Errors are *apperr.Error:
// RateLimited when the limiter cannot take the call within its queue wait,
// BadGateway/Timeout for transport failures.
func (c *Client) Do(ctx context.Context, call Call) (*Response, error) {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx, call.priority()); err != nil {
			return nil, err
		}
	}
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-ctx.Done():
		// Every slot is held by a call Last.fm has not answered: for this
		// caller, Last.fm did not answer in time (504, or stale data).
		c.recordNoAnswer(ctx, call.Method)
		return nil, &apperr.Error{Kind: apperr.Timeout, Code: signer.ErrServiceOffline,
			Message: "Last.fm did not answer in time (every connection to it is waiting)", Err: fmt.Errorf("%w: %w", errNotSent, ctx.Err())}
	}
	params := make(map[string]string, len(call.Params)+4)
	for k, v := range call.Params {
		params[k] = v
	}
	params["method"] = call.Method
	params["api_key"] = c.apiKey
	if call.SessionKey != "" {
		params["sk"] = call.SessionKey
	}
	if call.Sign || call.SessionKey != "" {
		params["api_sig"] = signer.Sign(params, c.secret)
	}
	body := signer.Encode(params)

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var req *http.Request
	var err error
	if call.Post || len(body) > MaxGetQuery {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
		}
	} else {
		u := c.endpoint
		if strings.Contains(u, "?") {
			u += "&" + body
		} else {
			u += "?" + body
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	}
	if err != nil {
		return nil, &apperr.Error{Kind: apperr.Internal, Code: signer.ErrOperationFailed, Message: "cannot build upstream request"}
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept-Charset", "utf-8")

	start := c.now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.recordNoAnswer(ctx, call.Method)
		return nil, TransportError(ctx, c.service, err)
	}
	defer resp.Body.Close()
	data, err := c.bodies.read(ctx, resp.Body, resp.ContentLength)
	if errors.Is(err, ErrTooLarge) {
		c.stats.recordWhy(call.Method, "too_large", nil, apperr.As(err).Message, c.now(), false)
		return nil, err
	}
	if err != nil {
		c.recordNoAnswer(ctx, call.Method)
		return nil, TransportError(ctx, c.service, err)
	}
	data = c.redactAnswer(call, params, data)
	r := &Response{
		Status:      resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		Body:        data,
		Header:      resp.Header,
		Duration:    c.now().Sub(start),
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		r.Date = d
	}
	r.APIError = signer.DecodeError(data)
	if err := notAnswer(c.service, r, params); err != nil {
		c.stats.recordWhy(call.Method, "not_lastfm", nil, apperr.As(err).Message, c.now(), false)
		return nil, err
	}
	if r.APIError != nil {
		r.APIError.HTTPStatus = resp.StatusCode
		r.Class = signer.Classify(r.APIError.Code, call.SessionKey != "")
	} else if r.Failed() {
		r.Class = signer.ClassifyHTTP(resp.StatusCode)
	}
	outcome := "ok"
	if r.Failed() {
		outcome = r.Class.String()
	}
	c.stats.record(call.Method, outcome, r, c.now(), call.Sign || call.SessionKey != "")
	// The global back-off lives here, beside the call, so every caller
	// (reads, writes, senders, sign-in) starts and ends it alike.
	if c.limiter != nil {
		if r.Failed() && r.Class == signer.ClassRateLimited {
			c.limiter.Backoff(c.now())
		} else if !r.Failed() {
			c.limiter.Recovered()
		}
	}
	return r, nil
}

// recordNoAnswer counts a call that got no answer. It is Last.fm's failure
// when a deadline ran out (lastfmd's own timeout, or the caller's while
// Last.fm was slow), but not when the caller went away first: a client
// that hung up, a daemon stopping. ctx tells which: it is cancelled, not
// past a deadline, only when its caller cancelled it.
func (c *Client) recordNoAnswer(ctx context.Context, method string) {
	if errors.Is(ctx.Err(), context.Canceled) {
		c.stats.record(method, outcomeCanceled, nil, c.now(), false)
		return
	}
	c.stats.record(method, "transport", nil, c.now(), false)
}

// TransportError turns a client error of a call to service (named in the
// message: "Last.fm", "mirror librefm") into lastfmd's: a timeout is 504,
// the rest 502. Messages never include the URL (it may carry a signature).
// Every client of an outside service uses it (package listenbrainz too).
func TransportError(ctx context.Context, service string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // drop the URL: a GET's query is no business of a log line
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) || ctx.Err() != nil {
		return &apperr.Error{Kind: apperr.Timeout, Code: signer.ErrServiceOffline, Message: service + " did not answer in time", Err: err}
	}
	return &apperr.Error{Kind: apperr.BadGateway, Code: signer.ErrServiceOffline,
		Message: service + " is unreachable: " + safeCause(err), Err: err}
}

// safeCause describes a transport error without the request URL, which
// url.Error would otherwise include (with api_sig and sk for signed GETs).
func safeCause(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) {
		if oe.Err != nil {
			return oe.Op + ": " + oe.Err.Error()
		}
		return oe.Op
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed before an answer"
	}
	return "transport error"
}

// IsTransport reports whether err is a transport failure (unreachable,
// timeout, no Last.fm answer), the errors a transient retry, a stale answer
// or the journal can help with. A bare context deadline counts: it is a
// call Last.fm did not answer in time.
func IsTransport(err error) bool {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Kind == apperr.BadGateway || e.Kind == apperr.Timeout
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// NoAnswer turns a bare context error, met while waiting for a call (a
// coalesced fetch, a deadline), into the 504 it is for the caller; other
// errors pass unchanged.
func NoAnswer(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		var e *apperr.Error
		if !errors.As(err, &e) {
			return &apperr.Error{Kind: apperr.Timeout, Code: signer.ErrServiceOffline, Message: "Last.fm did not answer in time", Err: err}
		}
	}
	return err
}

// redactAnswer masks known secrets in an answer, and the call's own sk and
// api_sig, so an upstream that echoes the request leaks nothing. auth.*
// answers keep the session key they carry (lastfmd reads it itself), but
// never the credentials the call sent (its signature, a password, an
// authToken, a desktop token): an error answer that echoes the request has
// them masked by value and, short ones too, by shape (password=…).
func (c *Client) redactAnswer(call Call, params map[string]string, data []byte) []byte {
	if m, ok := signer.Lookup(call.Method); ok && m.Kind == signer.KindAuth {
		var none *redact.Redactor // the call's own credentials only
		data = none.Answer(data, params["api_sig"], params["password"], params["authToken"], params["token"])
		if signer.DecodeError(data) != nil {
			data = []byte(redact.Params(string(data)))
		}
		return data
	}
	return c.redact.Answer(data, params["api_sig"], params["sk"])
}
