package daemon

import (
	"io"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/daemon/upstream"
)

// queueAPI adapts the journal to the HTTP transport's Queue and
// QueueImporter. dest is the lane an operator action names (`--mirror
// NAME`, ?mirror=NAME): "lastfm" or a mirror's name, "" for every lane.
type queueAPI struct{ j *journal.Journal }

func (q queueAPI) List(limit int, dest string) (api.Queue, error) { return q.j.List(limit, dest) }
func (q queueAPI) Export(w io.Writer, dest string) error          { return q.j.Export(w, dest) }

func (q queueAPI) Retry(ids []uint64, force bool, dest string) ([]api.QueueChange, error) {
	return q.j.Retry(ids, force, dest)
}

func (q queueAPI) Drop(ids []uint64, dest string) ([]api.QueueChange, error) {
	return q.j.Drop(ids, dest)
}

// Import parses the lines the transport split and checked as JSON, then
// journals them (only dest's, unless dest is "").
func (q queueAPI) Import(lines [][]byte, dest string) (api.QueueImported, error) {
	parsed, err := journal.ParseExport(lines)
	if err != nil {
		return api.QueueImported{}, err
	}
	return q.j.Import(parsed, dest)
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
