package client

import "github.com/lastfmd/lastfmd/api"

// The documents the daemon answers are declared once, in package api,
// which the daemon imports too; these names keep the client's callers
// writing client.Queue, client.Status and so on.
type (
	Account       = api.Account
	AccountMirror = api.AccountMirror
	LoginState    = api.LoginState
	Login         = api.Login
	SignedIn      = api.SignedIn
	Cancelled     = api.Cancelled
	Queue         = api.Queue
	AccountQueue  = api.AccountQueue
	QueueItem     = api.QueueItem
	QueueChange   = api.QueueChange
	QueueImported = api.QueueImported
	// ScrobbleAnswer is the /v1/track.scrobble answer (ScrobbleImport).
	ScrobbleAnswer  = api.ScrobbleAnswer
	ScrobbleOutcome = api.ScrobbleOutcome
	IgnoredMessage  = api.IgnoredMessage
	Status          = api.Status
	AccountStatus   = api.AccountStatus
	// DestinationStatus is one destination of /v1/status (Last.fm or a
	// mirror).
	DestinationStatus = api.DestinationStatus
	CacheStatus       = api.CacheStatus
	QueueStatus       = api.QueueStatus
	UpstreamStatus    = api.UpstreamStatus
	LimiterStatus     = api.LimiterStatus
)

// The states of a desktop sign-in the daemon runs.
const (
	LoginPending  = api.LoginPending
	LoginSignedIn = api.LoginSignedIn
	LoginFailed   = api.LoginFailed
)

// The statuses of a scrobble in /v1/'s answer.
const (
	ScrobbleAccepted  = api.ScrobbleAccepted
	ScrobbleIgnored   = api.ScrobbleIgnored
	ScrobbleQueued    = api.ScrobbleQueued
	ScrobbleFailed    = api.ScrobbleFailed
	ScrobbleDuplicate = api.ScrobbleDuplicate
)

// The words for what a queue retry or drop did, shared with the page at /
// (api/queue_words.go).
var (
	ChangeWords     = api.ChangeWords
	DestinationName = api.DestinationName
	WithMirror      = api.WithMirror
)
