package journal

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// exportOf returns the journal's export lines as ReadExport reads them.
func exportOf(t *testing.T, j *Journal) []ExportLine {
	t.Helper()
	var buf bytes.Buffer
	if err := j.Export(&buf, ""); err != nil {
		t.Fatal(err)
	}
	_, lines, err := ReadExport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// A salvage's or an export's file is never a dead end (issue 21,
// must-show 2): imported into another journal, pending items come back
// pending and are sent, dead letters stay dead, kept results only restore
// deduplication and are never sent, and a second or third import adds
// nothing, also once the imported items were sent.
func TestImportRestoresAndAddsNothingTwice(t *testing.T) {
	a := newEnv(t, Tuning{})
	// The same scrobbles are resubmitted at the end: made once, as
	// scrobbles() stamps them from the clock.
	sent := scrobbles(5, "sent")
	tk := submitAged(t, a.j, "alice", append(slices.Clone(sent), oldScrobbles(3)...))
	a.j.Start()
	waitAll(a.j, tk)
	a.j.Close()
	aj := a.open(Tuning{}) // not started: what follows stays pending
	pending := scrobbles(4, "pending")
	if _, err := aj.Submit("alice", pending); err != nil {
		t.Fatal(err)
	}
	if _, err := aj.Enqueue("alice", "track.love", map[string]string{"artist": "Cher", "track": "Believe"}); err != nil {
		t.Fatal(err)
	}
	lines := exportOf(t, aj)
	if len(lines) != 4+1+3+5 {
		t.Fatalf("%d export lines", len(lines))
	}
	if rep, err := aj.Import(lines, ""); err != nil || rep != (ImportReport{Unchanged: len(lines)}) {
		t.Errorf("imported into the journal it came from: %+v %v", rep, err)
	}

	b := newEnv(t, Tuning{})
	rep, err := b.j.Import(lines, "")
	if want := (ImportReport{Pending: 5, Dead: 3, Results: 5}); err != nil || rep != want {
		t.Fatalf("first import: %+v %v, want %+v", rep, err, want)
	}
	if rep, err := b.j.Import(lines, ""); err != nil || rep != (ImportReport{Unchanged: len(lines)}) {
		t.Errorf("second import: %+v %v", rep, err)
	}
	if st := b.j.Stats(); st.Pending != 5 || st.Dead != 3 || st.Results != 5 {
		t.Errorf("stats %+v", st)
	}
	b.j.Start()
	eventually(t, "the imported items sent", func() bool { return b.j.Stats().Pending == 0 })
	var got []string
	for _, s := range b.emu.Scrobbles("alice") {
		got = append(got, s.Track)
	}
	slices.Sort(got)
	want := []string{"pending0", "pending1", "pending2", "pending3"}
	if !slices.Equal(got, want) {
		t.Errorf("Last.fm got %q, want only the pending ones %q (a kept result is never sent)", got, want)
	}
	if loved := b.emu.Loved("alice"); len(loved) != 1 {
		t.Errorf("loved %q", loved)
	}
	if rep, err := b.j.Import(lines, ""); err != nil || rep != (ImportReport{Unchanged: len(lines)}) {
		t.Errorf("import once sent: %+v %v", rep, err)
	}
	// The kept results deduplicate: the scrobble they are is not sent again.
	tk, err = b.j.Submit("alice", sent[:1])
	if err != nil || !tk[0].Duplicate {
		t.Errorf("resubmitting a scrobble whose result was imported: %+v %v", tk, err)
	}
}

// A file that is not export lines is refused in one line naming what was
// expected; nothing of it is journalled.
func TestReadExportRefuses(t *testing.T) {
	good := `{"state":"pending","item":{"id":1,"account":"alice","method":"track.scrobble","params":{"artist":"A","track":"T","timestamp":"1700000000"},"added":"2026-01-01T00:00:00Z"}}`
	for name, c := range map[string]struct{ file, want string }{
		"not JSON":               {"hello\n", "line 1: not a line of {\"state\""},
		"a JSON array":           {"[1,2]\n", "line 1: not a line of"},
		"unknown state":          {strings.Replace(good, `"pending"`, `"queued"`, 1), `state "queued" is none of pending, dead, answer_unknown, sent`},
		"unknown field":          {strings.Replace(good, `"state"`, `"extra":1,"state"`, 1), "not a line of"},
		"bad scrobble":           {strings.Replace(good, `"track":"T",`, ``, 1), `its scrobble is not valid: "track" is required`},
		"bad account":            {strings.Replace(good, `"alice"`, `"a b"`, 1), "its item: account name"},
		"a read":                 {strings.Replace(good, `track.scrobble`, `user.getInfo`, 1), `method "user.getInfo" is neither`},
		"a secret":               {strings.Replace(good, `"artist":"A"`, `"artist":"A","sk":"x"`, 1), `hold "sk"`},
		"two values":             {good + good, "more than one JSON value"},
		"second line":            {good + "\n\nnope\n", "line 3: not a line of"},
		"no lines":               {"\n\n", "no lines"},
		"an item on a sent line": {strings.Replace(good, `"pending"`, `"sent"`, 1), "holds a result and no item"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := ReadExport(strings.NewReader(c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err %v, want one line with %q", err, c.want)
			}
		})
	}
	if _, lines, err := ReadExport(strings.NewReader(good + "\n")); err != nil || lines[0].Item.Timestamp != 1700000000 {
		t.Errorf("a good line: %+v %v", lines, err)
	}
}
