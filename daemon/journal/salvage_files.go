package journal

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lastfmd/lastfmd/internal/durable"
)

// The files of a salvage and the order it changes them in (Salvage).

// Salvage's steps, after each of which a kill leaves a journal that
// either refuses to start until salvage runs again, or is the complete new
// one (TestSalvageSurvivesAKill kills a child process at each).
const (
	stepExported = "exported"     // journal-salvaged-TIME.jsonl is written
	stepCreated  = "temp-created" // the temporary journal exists, still empty
	stepBuilt    = "temp-built"   // the temporary journal holds everything, fsynced
	stepKept     = "damaged-kept" // the damaged file also has its .damaged-TIME name
	stepReplaced = "replaced"     // the new journal is journal.db
)

// salvageStep is called after each step; a test replaces it to stop
// there.
var salvageStep = func(string) {}

// salvageTemp is where Salvage builds the new journal.
func salvageTemp(path string) string { return path + ".salvaging" }

// salvageUnfinished refuses a journal whose salvage has not finished: its
// temporary file exists. Starting then would serve the damaged journal's
// state as if nothing happened, or an empty one.
func salvageUnfinished(path string) error {
	tmp := salvageTemp(path)
	if _, err := os.Lstat(tmp); err != nil {
		return nil
	}
	return &DamagedError{What: "journal", Path: path,
		Problem: fmt.Sprintf("a salvage of it has not finished (%s exists)", tmp),
		Fix:     "Unless a `lastfmd queue salvage` is running now, run it again: it redoes the rescue from the damaged file and removes " + filepath.Base(tmp) + " (see docs/journal.md)"}
}

// writeSalvageExport writes what salvage saves as `lastfmd queue export`
// lines, under a temporary name renamed once complete: a file of that name
// is whole, so `lastfmd queue import` can read it back.
func writeSalvageExport(path string, rec salvaged) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, list := range []struct {
		state State
		items []*Item
	}{{Pending, rec.pending}, {Dead, rec.dead}, {AnswerUnknown, rec.unsure}} {
		for _, it := range list.items {
			_ = enc.Encode(ExportLine{State: list.state, Item: it})
		}
	}
	for _, r := range rec.results {
		_ = enc.Encode(ExportLine{State: Sent, Result: r})
	}
	err = bw.Flush()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("journal: writing %s: %w", path, err)
	}
	return nil
}

// keepDamaged gives the damaged journal at path a second name,
// path.damaged-stamp, by a hard link, so that renaming the new journal
// over path keeps it. A name an earlier, interrupted salvage gave it is
// used again.
func keepDamaged(path, stamp string) (string, error) {
	cur, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("journal: %w", err)
	}
	names, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range names {
		name := filepath.Join(filepath.Dir(path), e.Name())
		if !strings.HasPrefix(e.Name(), filepath.Base(path)+".damaged-") {
			continue
		}
		if st, err := os.Stat(name); err == nil && os.SameFile(cur, st) {
			return name, nil
		}
	}
	name := path + ".damaged-" + stamp
	if err := os.Link(path, name); err != nil {
		return "", fmt.Errorf("journal: cannot keep the damaged file as %s: %w", name, err)
	}
	if err := durable.SyncDir(filepath.Dir(path)); err != nil {
		return "", fmt.Errorf("journal: %w", err)
	}
	return name, nil
}
