package listenbrainz

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/endpoint"
	"github.com/lastfmd/lastfmd/daemon/redact"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// Options configures a Client.
type Options struct {
	// APIRoot is the service's API root: https://api.listenbrainz.org/,
	// a self-hosted server's, or Maloja's <maloja>/apis/listenbrainz/.
	// The calls are under it (1/submit-listens); https://, or http:// to
	// loopback (endpoint.Check).
	APIRoot string
	// Service names the destination in messages ("ListenBrainz" if
	// empty), e.g. `mirror "maloja"`.
	Service   string
	Timeout   time.Duration // one call; 10 s if 0
	UserAgent string
	// Limiter bounds the calls to this service (its own, never
	// Last.fm's); nil: none. A 429 starts its back-off.
	Limiter *upstream.Limiter
	// Redact masks known secrets in every answer (the call's own token is
	// always masked).
	Redact *redact.Redactor
	Now    func() time.Time
	// Transport replaces the default transport (tests).
	Transport http.RoundTripper
}

// MaxAnswer caps what is read of one answer: ListenBrainz's are a few
// dozen bytes; a larger one is not its answer.
const MaxAnswer = 64 << 10

// Client calls ListenBrainz's native API. It is safe for concurrent use.
type Client struct {
	root      string
	service   string
	timeout   time.Duration
	userAgent string
	limiter   *upstream.Limiter
	redact    *redact.Redactor
	now       func() time.Time
	hc        *http.Client
}

// New builds a Client over one keep-alive HTTP client that follows no
// redirect (one from the API root is not the service answering, and
// following it could hand the token to another host).
func New(o Options) (*Client, error) {
	if err := endpoint.Check(o.APIRoot); err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Service == "" {
		o.Service = "ListenBrainz"
	}
	tr := o.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone() // HTTPS_PROXY honoured
		t.ResponseHeaderTimeout = 30 * time.Second
		tr = t
	}
	root := o.APIRoot
	if !strings.HasSuffix(root, "/") {
		root += "/"
	}
	return &Client{
		root:      root,
		service:   o.Service,
		timeout:   o.Timeout,
		userAgent: o.UserAgent,
		limiter:   o.Limiter,
		redact:    o.Redact,
		now:       o.Now,
		hc: &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// CloseIdleConnections closes the keep-alive connections not in use.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Timeout is how long one call may take.
func (c *Client) Timeout() time.Duration { return c.timeout }

// CheckToken is the shape of a user token lastfmd sends: not empty, at
// most 256 bytes, printable ASCII without spaces (ListenBrainz's are
// UUIDs, Maloja's API keys letters and digits).
func CheckToken(token string) error {
	if token == "" {
		return errors.New("the token is empty")
	}
	if len(token) > 256 {
		return errors.New("the token is longer than 256 bytes")
	}
	for i := 0; i < len(token); i++ {
		if token[i] <= ' ' || token[i] >= 0x7f {
			return errors.New("the token holds a space or a character that is not printable ASCII")
		}
	}
	return nil
}

// ErrNotSent marks a call refused before it left lastfmd (a bad token or
// request, a context already done): MayHaveReached is false for it.
var ErrNotSent = errors.New("the request was not sent")

// MayHaveReached reports whether a call that failed with err may have
// been read by the service: false for ErrNotSent, else upstream's rule
// (false when the limiter refused it, the name lookup or the connection
// failed; true for a timeout, a cut connection or an answer that was not
// the service's). The journal keeps the deduplication of every listen a
// call may have delivered.
func MayHaveReached(err error) bool {
	if errors.Is(err, ErrNotSent) {
		return false
	}
	return upstream.MayHaveReached(err)
}

// Submit sends listens to submit-listens with the user's token: one
// listen as ListenTypeSingle, a batch from ImportBatches as
// ListenTypeImport, one listen without ListenedAt as ListenTypePlayingNow.
// A failure the service answered is not a Go error: it comes back in the
// Answer (Failed, Class, Message, RateLimit). Errors are *apperr.Error:
// a request refused before sending (ErrNotSent: Invalid), the limiter's
// refusal (RateLimited), no answer (BadGateway, Timeout) or an answer
// that was not the service's (ErrNotAnswer). The token never appears in
// either.
func (c *Client) Submit(ctx context.Context, token, listenType string, listens []Listen) (*Answer, error) {
	body, err := requestBody(listenType, listens)
	if err != nil {
		return nil, err
	}
	p := upstream.Background
	if listenType == ListenTypePlayingNow {
		p = upstream.Interactive // tried once, worth nothing later
	}
	status, header, data, d, err := c.call(ctx, p, http.MethodPost, "1/submit-listens", token, body)
	if err != nil {
		return nil, err
	}
	a, err := ParseAnswer(status, header, data)
	if err != nil {
		return nil, c.named(err)
	}
	a.Duration = d
	c.observe(a)
	return a, nil
}

// requestBody checks a submit-listens request against ListenBrainz's rules
// and encodes it.
func requestBody(listenType string, listens []Listen) ([]byte, error) {
	switch listenType {
	case ListenTypeSingle, ListenTypePlayingNow:
		if len(listens) != 1 {
			return nil, notSent("a %s request carries exactly one listen, not %d", listenType, len(listens))
		}
	case ListenTypeImport:
		if len(listens) < 1 || len(listens) > MaxListensPerImport {
			return nil, notSent("an import carries 1 to %d listens, not %d", MaxListensPerImport, len(listens))
		}
	default:
		return nil, notSent("%q is not a listen type", listenType)
	}
	enc := make([][]byte, len(listens))
	size := 0
	for i, l := range listens {
		e, err := checkListen(l)
		if err != nil {
			return nil, notSent("listen %d: %v", i, err)
		}
		switch {
		case listenType == ListenTypePlayingNow && l.ListenedAt != 0:
			return nil, notSent("a playing_now listen has no listened_at")
		case listenType != ListenTypePlayingNow && TooOld(l.ListenedAt):
			return nil, notSent("listen %d: %v", i, ErrTooOld)
		}
		enc[i] = e
		size += len(e)
	}
	if !fits(listenType, size, len(listens)) {
		return nil, notSent("%d listens make a body of %d bytes, over the bound (ImportBatches)", len(listens), bodySize(listenType, size, len(listens)))
	}
	return encodeBody(listenType, enc), nil
}

func notSent(format string, args ...any) error {
	return &apperr.Error{Kind: apperr.Invalid, Code: signer.ErrInvalidParams, Message: fmt.Sprintf(format, args...), Err: ErrNotSent}
}

// ValidateToken asks validate-token whether token is a user token there,
// and whose: (true, user name) or (false, "") when the service says it is
// not (ListenBrainz's {"valid": false}, Maloja's 401). Any other failure
// is an error: a *Failure wrapped in an *apperr.Error when the service
// answered with one, else as Submit's errors. The token goes in the
// Authorization header, never in the URL.
func (c *Client) ValidateToken(ctx context.Context, token string) (bool, string, error) {
	status, header, data, _, err := c.call(ctx, upstream.Interactive, http.MethodGet, "1/validate-token", token, nil)
	if err != nil {
		return false, "", err
	}
	valid, user, err := parseValidation(status, header, data)
	var f *Failure
	if err == nil || errors.As(err, &f) {
		c.observe(&Answer{Status: status}) // the service answered
	}
	if err != nil {
		if f != nil {
			return false, "", &apperr.Error{Kind: apperr.BadGateway, Code: codeOf(f.Answer.Class),
				Message: c.service + " could not check the token", RetryAfter: f.Answer.Pause(), Err: f}
		}
		return false, "", c.named(err)
	}
	return valid, user, nil
}

// codeOf is the Last.fm code a failed answer relays as.
func codeOf(class signer.Class) int {
	switch class {
	case signer.ClassRateLimited:
		return signer.ErrRateLimited
	case signer.ClassTransient:
		return signer.ErrServiceOffline
	}
	return signer.ErrOperationFailed
}

// call makes one HTTP call with the token, after the limiter: the status,
// headers and body of its answer (the body capped at MaxAnswer, secrets
// masked) and how long it took.
func (c *Client) call(ctx context.Context, p upstream.Priority, method, path, token string, body []byte) (int, http.Header, []byte, time.Duration, error) {
	if err := CheckToken(token); err != nil {
		return 0, nil, nil, 0, notSent("%s token: %v", c.service, err)
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, nil, 0, upstream.TransportError(ctx, c.service, fmt.Errorf("%w: %w", ErrNotSent, err))
	}
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx, p); err != nil {
			return 0, nil, nil, 0, c.named(err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.root+path, rd)
	if err != nil {
		return 0, nil, nil, 0, &apperr.Error{Kind: apperr.Internal, Code: signer.ErrOperationFailed,
			Message: "cannot build the request to " + c.service, Err: ErrNotSent}
	}
	req.Header.Set("Authorization", "Token "+token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", c.userAgent)

	start := c.now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, 0, upstream.TransportError(ctx, c.service, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	if err != nil {
		return 0, nil, nil, 0, upstream.TransportError(ctx, c.service, err)
	}
	if len(data) > MaxAnswer {
		return 0, nil, nil, 0, c.named(&apperr.Error{Kind: apperr.BadGateway, Code: signer.ErrOperationFailed,
			Message: fmt.Sprintf("an answer larger than %d bytes is not ListenBrainz's", MaxAnswer), Err: ErrNotAnswer})
	}
	return resp.StatusCode, resp.Header, c.redact.Answer(data, token), c.now().Sub(start), nil
}

// observe keeps the limiter in step: a 429 starts (or doubles) its
// back-off, an answer ends it.
func (c *Client) observe(a *Answer) {
	if c.limiter == nil {
		return
	}
	if a.Status == http.StatusTooManyRequests {
		c.limiter.Backoff(c.now())
	} else {
		c.limiter.Recovered()
	}
}

// named puts the service's name before an error's message.
func (c *Client) named(err error) error {
	var e *apperr.Error
	if errors.As(err, &e) {
		n := *e
		n.Message = c.service + ": " + e.Message
		return &n
	}
	return err
}
