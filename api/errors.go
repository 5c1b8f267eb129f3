package api

// ErrorSourceHeader, with the value ErrorSourceLastfmd, marks an error
// document lastfmd made itself (daemon/httpapi writes it on every one):
// a refusal or failure no answer from Last.fm stands behind. An error
// document without it is Last.fm's answer, passed on (docs/errors.md).
const (
	ErrorSourceHeader  = "X-Lastfmd-Error-Source"
	ErrorSourceLastfmd = "lastfmd"
)
