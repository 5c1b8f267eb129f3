// Package playlog reads the files `lastfmd import` takes (docs/importing.md):
// the portable-player log (.scrobbler.log, Audioscrobbler "Portable Player
// Logging" 1.1, as Rockbox writes it) and JSON play lists in /v1/'s own
// scrobble shape (a JSON array, or JSON lines). The format is recognised
// from the content; a `lastfmd queue export` or salvage file is recognised
// and pointed to `lastfmd queue import`; anything else is refused in one
// line naming what was expected.
//
// It is pure: it reads what it is given, converts times and says what it
// refused, line by line; sending the plays is the caller's. Each play is a
// scrobble's parameters that signer.ParseScrobble accepts.
//
// Time is the delicate part. A log headed #TZ/UTC holds Unix times; one
// headed #TZ/UNKNOWN (what Rockbox always writes) holds the device's wall
// clock counted as if it were UTC, so each play is converted from the wall
// clock of a zone, per play, with that day's offset: plays on both sides of
// a daylight-saving change are each right. A wall time inside a gap (the
// clock jumped over it) is read with the offset in force before the change;
// one inside an overlap (the clock went through it twice) as the earlier
// instant; both are counted. A start time of 0 (a player without a clock)
// is refused: there is no true time to give Last.fm.
package playlog
