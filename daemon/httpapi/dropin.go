package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/proxy"
	"github.com/lastfmd/lastfmd/signer"
)

// dropIn serves /2.0/: Last.fm's own interface, so an existing client
// library works unchanged but for its API root. Parameters come from the
// query and the body together; the answer (and lastfmd's own errors) is in
// the request's format, XML unless format=json.
func (s *Server) dropIn(c echo.Context) error {
	r := c.Request()
	values, err := parseQuery(r.URL.RawQuery) // query.go: malformed is a 400
	if err != nil {
		return err
	}
	if r.Method == http.MethodPost {
		body, err := readBody(r, MaxBody)
		if err != nil {
			return err
		}
		switch mt := mediaType(r); mt {
		case "", formType, textPlainType:
			bv, err := parseForm(body)
			if err != nil {
				return err
			}
			values = mergeValues(values, bv)
		default:
			return apperr.New(apperr.Invalid, signer.ErrInvalidParams, "unsupported Content-Type %q: Last.fm takes form bodies", mt)
		}
	}
	if countValues(values) > MaxParams {
		return apperr.Invalidf("more than %d parameters", MaxParams)
	}
	// Render errors in the format the merged parameters ask for (a POST
	// may carry format in its body).
	c.Set(formatKey, answerFormat{dropIn: true, json: strings.EqualFold(values.Get("format"), "json"), callback: jsonpCallback(values.Get("format"), values.Get("callback"))})
	if s.guard.token != "" && !s.guard.tokenEqual(values.Get("api_key")) {
		return apperr.New(apperr.Forbidden, 10, "Invalid API key - send lastfmd's token as api_key (see security.token_file)")
	}
	_, clientSigned := values["api_sig"]
	params, err := signer.Canonicalize(values)
	if err != nil {
		return apperr.Invalidf("Invalid parameters - %v", err)
	}
	method := params["method"]
	delete(params, "method")
	req := &proxy.Request{
		Endpoint:     proxy.DropIn,
		HTTPMethod:   r.Method,
		Method:       method,
		Params:       params,
		Account:      r.Header.Get("X-Lastfmd-Account"),
		ClientSigned: clientSigned,
		NoCache:      noCache(r),
	}
	req.Wait, req.WaitSet = preferWait(r.Header) // scrobbles.go
	res, err := s.proxy.Handle(r.Context(), req)
	if err != nil {
		return err
	}
	s.remember(r, res)
	return writeResult(c.Response(), res)
}

const formatKey = "lastfmd.format"

func jsonpCallback(format, cb string) string {
	if strings.EqualFold(format, "json") && signer.ValidCallback(cb) {
		return cb
	}
	return ""
}
