package httpapi

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/proxy"
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
func writeResult(c echo.Context, res *proxy.Result) error {
	h := c.Response().Header()
	if res.ContentType != "" {
		h.Set(echo.HeaderContentType, res.ContentType)
	}
	if res.Cache != "" {
		h.Set("X-Lastfmd-Cache", res.Cache)
		if res.Cache == proxy.CacheHit || res.Cache == proxy.CacheStale {
			h.Set("Age", strconv.Itoa(int(res.Age.Seconds())))
		}
	}
	if res.Queued > 0 {
		h.Set("X-Lastfmd-Queued", strconv.Itoa(res.Queued))
	}
	status := res.Status
	if status == 0 {
		status = http.StatusOK
	}
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(res.Body)
	return err
}

// writeError renders one of lastfmd's own errors in Last.fm's shape and the
// request's format.
func writeError(c echo.Context, f answerFormat, e *apperr.Error) error {
	status := statusOf(e)
	h := c.Response().Header()
	if e.Kind == apperr.RateLimited && e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
	}
	code := e.Code
	if code == 0 {
		code = apperr.CodeOperationFail
	}
	msg := e.Message
	if !f.dropIn || f.json {
		body, _ := json.Marshal(struct {
			Error   int    `json:"error"`
			Message string `json:"message"`
		}{code, msg})
		if f.dropIn && f.callback != "" {
			h.Set(echo.HeaderContentType, ctJS)
			c.Response().WriteHeader(status)
			_, err := c.Response().Write([]byte(f.callback + "(" + string(body) + ");"))
			return err
		}
		h.Set(echo.HeaderContentType, ctJSON)
		c.Response().WriteHeader(status)
		_, err := c.Response().Write(append(body, '\n'))
		return err
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<lfm status="failed">` + "\n" + `<error code="`)
	b.WriteString(strconv.Itoa(code))
	b.WriteString(`">`)
	_ = xml.EscapeText(&b, []byte(msg))
	b.WriteString("</error>\n</lfm>\n")
	h.Set(echo.HeaderContentType, ctXML)
	c.Response().WriteHeader(status)
	_, err := c.Response().Write([]byte(b.String()))
	return err
}
