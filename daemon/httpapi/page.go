package httpapi

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// The page at / (docs/page.md): the daemon at a glance, live.
//
//	GET  /               303 to /ui/ (the token guards /ui/, not /)
//	GET  /ui/            the page, server-rendered; with a listener token,
//	                     ?access= is traded for the HttpOnly SameSite=Strict
//	                     cookie on Path=/ui/ (auth_access.go), and without
//	                     it the page says only how to get in
//	GET  /ui/data        {"main": the page's <main>, rendered the same way}:
//	                     page.js polls it
//	GET  /ui/static/*    the embedded CSS and script (no token: the same
//	                     for everyone, no secret)
//	POST /ui/retry       id, dest [, force=1]: Queue.Retry, as `lastfmd queue retry`
//	POST /ui/drop        id, dest; confirm=yes after the confirmation page
//	POST /ui/retry-all   dest, account: that lane's dead letters of that account
//	POST /v1/ui/open     the page's address with a one-time code (`lastfmd open`)
//
// The actions are POSTs from the page's own forms only (formFromPage, the
// /auth/ pages' check) behind the guard's refusal of cross-site requests.
// Nothing here is a second path to the journal: the actions go through
// the Queue interface /v1/queue uses, with its rules and its words
// (api.ChangeWords).

// PageCSP is the page's Content-Security-Policy: nothing from another
// origin, no inline script or style, no frame.
const PageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// DefaultPagePoll is how often page.js asks for /ui/data.
const DefaultPagePoll = 2 * time.Second

const maxPageForm = 4 << 10

//go:embed page
var pageFiles embed.FS

var pageTemplates = template.Must(template.New("page").Funcs(template.FuncMap{
	"pct": func(n, of int) int {
		if of <= 0 {
			return 0
		}
		return 100 * n / of
	},
}).ParseFS(pageFiles, "page/page.html"))

// PageOptions wire the page at /.
type PageOptions struct {
	// Queue is the journal as /v1/queue reaches it: the list, and retry
	// and drop with their rules.
	Queue Queue
	// Recent is the last scrobbles of a lane ("" for every lane), newest
	// first, with their outcome (journal.Recent).
	Recent   func(limit int, dest string) ([]api.RecentScrobble, error)
	StateDir string
	// Poll is page.js's interval; 0: DefaultPagePoll. Tests shorten it.
	Poll time.Duration
	// NotServed says why the page is not served (a daemon on a unix
	// socket, which browsers cannot open); "" serves it.
	NotServed string
}

type page struct {
	s      *Server
	o      PageOptions
	access *pageAccess
	static map[string]staticFile
}

type staticFile struct {
	body  []byte
	ctype string
}

// chartRecent bounds the scrobbles the chart counts.
const chartRecent = 2000

// HandlePage serves the page at / (or, with o.NotServed, only says why
// not at POST /v1/ui/open). Call it before serving.
func (s *Server) HandlePage(o PageOptions) {
	if o.NotServed != "" {
		s.e.POST("/v1/ui/open", func(echo.Context) error {
			return apperr.New(apperr.NotFound, signer.ErrInvalidMethod, "%s", o.NotServed)
		})
		return
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPagePoll
	}
	p := &page{s: s, o: o, access: newPageAccess(uiScope, s.guard.token, s.now), static: map[string]staticFile{}}
	for name, ctype := range map[string]string{"page.css": "text/css; charset=utf-8", "page.js": "text/javascript; charset=utf-8"} {
		b, err := pageFiles.ReadFile("page/" + name)
		if err != nil {
			panic("httpapi: embedded " + name + ": " + err.Error())
		}
		p.static[name] = staticFile{b, ctype}
	}
	s.guard.pages = append(s.guard.pages, p.access)
	s.page = p
	e := s.e
	e.GET("/", func(c echo.Context) error {
		pageHeaders(c.Response().Header(), PageCSP)
		return redirectKeepingQuery(c, http.StatusSeeOther, uiScope.path)
	})
	e.GET("/ui", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, uiScope.path) })
	e.GET("/ui/", p.serve)
	e.GET("/ui/data", p.data)
	e.GET("/ui/static/:name", p.asset)
	e.POST("/ui/retry", p.retry)
	e.POST("/ui/drop", p.drop)
	e.POST("/ui/retry-all", p.retryAll)
	e.POST("/v1/ui/open", func(c echo.Context) error {
		if _, err := authBody(c.Request()); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]string{"url": p.access.url(c.Request().Host)})
	})
}

// view reads the daemon's documents and builds the page's view.
func (p *page) view() (pageView, error) {
	in := pageInput{StateDir: p.o.StateDir, Now: p.s.now()}
	if p.s.opts.Status != nil {
		in.Status = p.s.opts.Status()
	}
	q, err := p.o.Queue.List(maxDeadShown, "")
	if err != nil {
		return pageView{}, unavailable(err)
	}
	in.Queue = q
	if in.Recent, err = p.o.Recent(recentShown, ""); err != nil {
		return pageView{}, unavailable(err)
	}
	if in.Chart, err = p.o.Recent(chartRecent, "lastfm"); err != nil {
		return pageView{}, unavailable(err)
	}
	return buildView(in), nil
}

// html renders one of the page's templates, with the secrets the daemon
// knows masked (there should be none: this is a second net).
func (p *page) html(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&b, name, data); err != nil {
		return nil, &apperr.Error{Kind: apperr.Internal, Code: signer.ErrOperationFailed, Message: "internal error", Err: err}
	}
	return p.s.opts.Redact.Answer(b.Bytes()), nil
}

func (p *page) write(c echo.Context, status int, name string, data any) error {
	b, err := p.html(name, data)
	if err != nil {
		return err
	}
	pageHeaders(c.Response().Header(), PageCSP)
	return c.HTMLBlob(status, b)
}

// pageData is what the page's templates are given.
type pageData struct {
	View   pageView
	PollMS int64
	Note   *noteView
}

func (p *page) serve(c echo.Context) error {
	if traded, ok := p.access.admit(c.Response(), c.Request()); traded {
		if !ok {
			return p.write(c, http.StatusUnauthorized, "locked", lockedView{Expired: true})
		}
		pageHeaders(c.Response().Header(), PageCSP)
		return c.Redirect(http.StatusSeeOther, uiScope.path)
	}
	v, err := p.view()
	if err != nil {
		return err
	}
	return p.write(c, http.StatusOK, "page", pageData{View: v, PollMS: p.o.Poll.Milliseconds()})
}

// data is GET /ui/data: the page's <main>, for page.js to put in place.
func (p *page) data(c echo.Context) error {
	v, err := p.view()
	if err != nil {
		return err
	}
	b, err := p.html("main", v)
	if err != nil {
		return err
	}
	pageHeaders(c.Response().Header(), PageCSP)
	return c.JSON(http.StatusOK, map[string]string{"main": string(b)})
}

func (p *page) asset(c echo.Context) error {
	f, ok := p.static[c.Param("name")]
	if !ok {
		return apperr.New(apperr.NotFound, signer.ErrInvalidMethod, "no such file")
	}
	h := c.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, f.ctype, f.body)
}

// lockedView is the page without the token: how to get in.
type lockedView struct{ Expired bool }

// locked renders the page's way in when the guard refused GET /ui/ for
// want of the token; false for any other refusal, which the guard's error
// answers.
func (p *page) locked(w http.ResponseWriter, r *http.Request, ae *apperr.Error) bool {
	if ae.Kind != apperr.Unauthorized || r.URL.Path != uiScope.path || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	b, err := p.html("locked", lockedView{Expired: r.URL.Query().Get(accessParam) != ""})
	if err != nil {
		return false
	}
	pageHeaders(w.Header(), PageCSP)
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(http.StatusUnauthorized)
	w.Write(b)
	return true
}

// noteView is the answer to an action: what was done, in
// `lastfmd queue`'s words, and a form when a second step is offered (the
// drop's confirmation, a forced retry).
type noteView struct {
	Title string
	Lines []string
	Form  *noteForm
}

type noteForm struct {
	Action string
	Fields map[string]string
	Button string
	ID     string
	Danger bool
}

// form reads an action's form, from the page's own forms only.
func (p *page) form(c echo.Context, fields ...string) (map[string]string, error) {
	r := c.Request()
	if !formFromPage(r) {
		return nil, apperr.New(apperr.Forbidden, signer.ErrAuthFailed, "use the buttons of the page at / (the request carries no Origin of this page)")
	}
	body, err := readBody(r, maxPageForm)
	if err != nil {
		return nil, err
	}
	v, err := parseForm(body)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range fields {
		if len(v[f]) > 1 {
			return nil, apperr.Invalidf("field %q given %d times: give it once", f, len(v[f]))
		}
		out[f] = strings.TrimSpace(v.Get(f))
	}
	if out["dest"] == "" {
		return nil, apperr.Invalidf(`field "dest" is required: "lastfm" or a mirror's name`)
	}
	return out, nil
}

func formID(v map[string]string) (uint64, error) {
	id, err := strconv.ParseUint(v["id"], 10, 64)
	if err != nil || id == 0 || !signer.Digits(v["id"]) {
		return 0, apperr.Invalidf("not a queue id (a positive whole number): %q", v["id"])
	}
	return id, nil
}

func (p *page) note(c echo.Context, n noteView) error {
	v, err := p.view()
	if err != nil {
		return err
	}
	return p.write(c, http.StatusOK, "page", pageData{View: v, PollMS: p.o.Poll.Milliseconds(), Note: &n})
}

// changes says what retry or drop did, one line per id and lane.
func changes(res []api.QueueChange, dest string) []string {
	var lines []string
	for _, ch := range res {
		id := strconv.FormatUint(ch.ID, 10)
		if ch.Destination != "" {
			id += " on " + destLabel(ch.Destination)
		}
		lines = append(lines, id+": "+api.ChangeWords(ch.Result, dest))
	}
	return lines
}

// needsForce: a retry refused because the destination may have the item
// (the journal's words name --force).
func needsForce(res []api.QueueChange) bool {
	for _, ch := range res {
		if strings.Contains(ch.Result, "--force") {
			return true
		}
	}
	return false
}

func (p *page) retry(c echo.Context) error {
	v, err := p.form(c, "id", "dest", "force")
	if err != nil {
		return err
	}
	id, err := formID(v)
	if err != nil {
		return err
	}
	force := v["force"] == "1"
	res, err := p.o.Queue.Retry([]uint64{id}, force, v["dest"])
	if err != nil {
		return unavailable(err)
	}
	n := noteView{Title: "Retry", Lines: changes(res, v["dest"])}
	if !force && needsForce(res) {
		n.Form = &noteForm{Action: "/ui/retry", Fields: map[string]string{"id": v["id"], "dest": v["dest"], "force": "1"},
			Button: "Send it again anyway (it may show twice)", ID: "force", Danger: true}
	}
	return p.note(c, n)
}

func (p *page) drop(c echo.Context) error {
	v, err := p.form(c, "id", "dest", "confirm")
	if err != nil {
		return err
	}
	id, err := formID(v)
	if err != nil {
		return err
	}
	if v["confirm"] != "yes" {
		return p.note(c, noteView{Title: "Drop " + v["id"] + " from " + destLabel(v["dest"]) + "?",
			Lines: []string{"It is deleted for good: " + destLabel(v["dest"]) + " will never receive it (as `lastfmd queue drop`)."},
			Form: &noteForm{Action: "/ui/drop", Fields: map[string]string{"id": v["id"], "dest": v["dest"], "confirm": "yes"},
				Button: "Drop it", ID: "confirm", Danger: true}})
	}
	res, err := p.o.Queue.Drop([]uint64{id}, v["dest"])
	if err != nil {
		return unavailable(err)
	}
	return p.note(c, noteView{Title: "Drop", Lines: changes(res, v["dest"])})
}

// retryAll retries every dead letter of one account on one lane.
func (p *page) retryAll(c echo.Context) error {
	v, err := p.form(c, "dest", "account")
	if err != nil {
		return err
	}
	q, err := p.o.Queue.List(0, v["dest"])
	if err != nil {
		return unavailable(err)
	}
	var ids []uint64
	for _, it := range q.DeadLetters {
		if it.Account == v["account"] {
			ids = append(ids, it.ID)
		}
	}
	title := "Retry all of " + v["account"] + "'s dead letters on " + destLabel(v["dest"])
	if len(ids) == 0 {
		return p.note(c, noteView{Title: title, Lines: []string{"There is no dead letter to retry."}})
	}
	res, err := p.o.Queue.Retry(ids, false, v["dest"])
	if err != nil {
		return unavailable(err)
	}
	return p.note(c, noteView{Title: title, Lines: changes(res, v["dest"])})
}
