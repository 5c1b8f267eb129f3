package daemon

import (
	"io"
	"slices"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// queueAPI adapts the journal to the HTTP transport's Queue and
// QueueImporter. dest is the lane an operator action names (`--mirror
// NAME`, ?mirror=NAME): "lastfm" or a mirror's name, "" for every lane.
type queueAPI struct{ j *journal.Journal }

// List is the journal's document; for one lane its totals and key problem
// are that lane's (the journal's count every lane and name Last.fm's key
// problem), so that they add up to what it lists.
func (q queueAPI) List(limit int, dest string) (api.Queue, error) {
	doc, err := q.j.List(limit, dest)
	if err != nil || dest == "" {
		return doc, err
	}
	doc.Pending, doc.Dead, doc.AnswerUnknown, doc.KeyProblem = 0, 0, 0, ""
	for _, a := range doc.Accounts {
		doc.Pending += a.Pending
		doc.Dead += a.Dead
		doc.AnswerUnknown += a.AnswerUnknown
	}
	for _, d := range q.j.Stats().Destinations {
		if d.Name == dest {
			doc.KeyProblem = d.KeyProblem
		}
	}
	return doc, nil
}

func (q queueAPI) Export(w io.Writer, dest string) error { return q.j.Export(w, dest) }

func (q queueAPI) Retry(ids []uint64, force bool, dest string) ([]api.QueueChange, error) {
	return q.j.Retry(ids, force, dest)
}

func (q queueAPI) Drop(ids []uint64, dest string) ([]api.QueueChange, error) {
	return q.j.Drop(ids, dest)
}

// Import parses the lines the transport split and checked as JSON, then
// journals them (ImportQueue).
func (q queueAPI) Import(lines [][]byte, dest string) (api.QueueImported, error) {
	parsed, err := journal.ParseExport(lines)
	if err != nil {
		return api.QueueImported{}, err
	}
	return ImportQueue(q.j, parsed, dest)
}

// ImportQueue journals the lines of an export or salvage file into j:
// every line when dest is "", else only the lines of the lane dest
// (LineLane), the others left out and counted nowhere. A dest that is no
// lane of j is refused as the journal's other actions refuse it, naming
// the lanes. POST /v1/queue/import and `lastfmd queue import` with no
// daemon running both import through here.
func ImportQueue(j *journal.Journal, lines []journal.ExportLine, dest string) (api.QueueImported, error) {
	if dest != "" {
		if !slices.Contains(j.Destinations(), dest) {
			return api.QueueImported{}, apperr.New(apperr.Invalid, signer.ErrInvalidParams, "no destination %q: the destinations are %v", dest, j.Destinations())
		}
		lines = slices.DeleteFunc(slices.Clone(lines), func(l journal.ExportLine) bool { return LineLane(l) != dest })
	}
	return j.Import(lines)
}

// LineLane is the lane an export line is for: its item's or its result's,
// "lastfm" when it names none (Last.fm's lines, and every line of a
// journal before lanes).
func LineLane(l journal.ExportLine) string {
	lane := ""
	switch {
	case l.Item != nil:
		lane = l.Item.Lane
	case l.Result != nil:
		lane = l.Result.Lane
	}
	if lane == "" {
		return accounts.LastFM
	}
	return lane
}

// JournalMirrors are the journal's lanes besides Last.fm's, one per
// [[mirror]] of cfg, in its order: each sends through ups[name] (the
// Last.fm 2.0 API) or lbs[name] (ListenBrainz's); none: the lane only
// holds items, as when `lastfmd queue import` writes into the journal with
// no daemon running.
func JournalMirrors(cfg *config.Config, ups map[string]*upstream.Client, lbs map[string]*listenbrainz.Client) []journal.Mirror {
	var mirrors []journal.Mirror
	for _, mc := range cfg.Mirrors {
		mirrors = append(mirrors, journal.Mirror{Name: mc.Name, Upstream: ups[mc.Name], ListenBrainz: lbs[mc.Name],
			MaxAge: mc.MaxAge.Duration, IgnoredCodes: mc.IgnoredCodes})
	}
	return mirrors
}
