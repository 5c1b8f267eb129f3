package journal

import (
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/api"
)

// Recent returns the last limit scrobbles given to the lane dest ("" =
// every lane), newest first, each with its outcome: answered (a kept
// result), still queued, given up (a dead letter) or answer unknown. Ids
// grow with each submission, so the newest are the highest ids of each
// bucket; reading each from its end costs limit records per bucket.
func (j *Journal) Recent(limit int, dest string) ([]api.RecentScrobble, error) {
	lanes, err := j.lanesNamed(dest)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	var out []api.RecentScrobble
	err = j.db.View(func(tx *bolt.Tx) error {
		for _, ln := range lanes {
			if err := recentResults(tx, ln, limit, &out); err != nil {
				return err
			}
			for _, b := range ln.held() {
				if err := recentHeld(tx, ln, b, limit, &out); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b api.RecentScrobble) int {
		switch {
		case a.ID > b.ID:
			return -1
		case a.ID < b.ID:
			return 1
		}
		return 0
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func recentResults(tx *bolt.Tx, ln *lane, limit int, out *[]api.RecentScrobble) error {
	c := tx.Bucket(ln.b.results).Cursor()
	n := 0
	for k, v := c.Last(); k != nil && n < limit; k, v = c.Prev() {
		r, err := decodeResult(v)
		if err != nil {
			return err
		}
		if r.Method != MethodScrobble {
			continue
		}
		n++
		*out = append(*out, api.RecentScrobble{ID: r.ID, Destination: ln.name, Account: r.Account, Artist: r.Artist,
			Track: r.Track, Timestamp: r.Timestamp, Outcome: r.Status, IgnoredCode: r.IgnoredCode,
			IgnoredMessage: r.IgnoredMessage, Corrected: r.Corrected, At: r.Sent})
	}
	return nil
}

func recentHeld(tx *bolt.Tx, ln *lane, b heldBucket, limit int, out *[]api.RecentScrobble) error {
	c := tx.Bucket(b.name).Cursor()
	n := 0
	for k, v := c.Last(); k != nil && n < limit; k, v = c.Prev() {
		it, err := ln.decode(tx, v)
		if err != nil {
			return err
		}
		if it.Method != MethodScrobble {
			continue
		}
		n++
		rs := api.RecentScrobble{ID: it.ID, Destination: ln.name, Account: it.Account, Artist: it.Params["artist"],
			Track: it.Params["track"], Timestamp: it.Timestamp, At: it.Added}
		switch b.state {
		case Pending:
			rs.Outcome, rs.Reason = "queued", it.LastError
		case Dead:
			rs.Outcome, rs.Reason, rs.At = "dead", it.Reason, it.Died
		default:
			rs.Outcome, rs.Reason = string(AnswerUnknown), it.Reason
		}
		*out = append(*out, rs)
	}
	return nil
}
