package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/lastfmd/lastfmd/signer"
)

// Answer is a /v1/ call's answer as received.
type Answer struct {
	Status int    // the HTTP status
	Body   []byte // Last.fm's JSON, or the error document
}

// Call sends one Last.fm method through the daemon's /v1/: a read by GET
// with params in the query, a write by POST with params as a JSON object
// (the method catalog in signer decides; a method it does not know goes by
// GET, and the daemon says what is wrong with it). account names the
// account to call as ("": the default).
//
// On an error document (an HTTP status of 400 or more, or Last.fm's
// {"error":N} in a 200) Call returns both the Answer, so that the body can
// be shown as received, and an *Error. With no answer it returns a nil
// Answer and an *Error.
func (c *Client) Call(ctx context.Context, method string, params map[string]string, account string) (*Answer, error) {
	r := request{method: http.MethodGet, path: "/v1/" + url.PathEscape(method), account: account}
	if m, ok := signer.Lookup(method); ok {
		r.path = "/v1/" + url.PathEscape(m.Name)
		if m.Kind != signer.KindRead {
			r.method = http.MethodPost
			r.body = params
			if params == nil {
				r.body = map[string]string{}
			}
		}
	}
	if r.method == http.MethodGet && len(params) > 0 {
		r.query = url.Values{}
		for k, v := range params {
			r.query.Set(k, v)
		}
	}
	resp, err := c.send(ctx, r)
	if err != nil {
		if e, ok := AsError(err); ok && e.Status != 0 {
			// send read and decoded the error document; keep its bytes.
			return &Answer{Status: e.Status, Body: e.body}, err
		}
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &Error{Addr: c.addr, Path: r.path, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	ans := &Answer{Status: resp.StatusCode, Body: body}
	if apiErr := signer.DecodeError(body); apiErr != nil {
		return ans, &Error{Addr: c.addr, Path: r.path, Status: resp.StatusCode, Code: apiErr.Code, Message: apiErr.Message, ByLastfmd: byLastfmd(resp.Header), TokenSent: c.token != ""}
	}
	return ans, nil
}
