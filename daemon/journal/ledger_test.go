package journal

import (
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/fakeclock"
)

// An import fed once adds nothing later, even after the results window:
// the ledger remembers it (for LedgerKeep), where deduplication forgets.
func TestImportLedger(t *testing.T) {
	e := newEnv(t, Tuning{ResultsMaxAge: time.Hour})
	clock := fakeclock.New(time.Now())
	e.j.now = clock.Now
	plays := scrobbles(3, "ledger")
	tk, err := e.j.SubmitImport("alice", plays)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range tk {
		if x.ID == 0 || x.Imported {
			t.Fatalf("first import, ticket %d: %+v", i, x)
		}
	}
	e.j.Start()
	waitAll(e.j, tk)
	// Eight days later the results are gone, and so is deduplication.
	clock.Advance(8 * 24 * time.Hour)
	plays2 := append(plays[:2:2], scrobbles(1, "new")...)
	tk, err = e.j.SubmitImport("alice", plays2)
	if err != nil {
		t.Fatal(err)
	}
	if !tk[0].Imported || !tk[1].Imported || tk[0].ID != 0 {
		t.Errorf("again, imported before: %+v %+v", tk[0], tk[1])
	}
	if tk[2].Imported || tk[2].ID == 0 {
		t.Errorf("a new play in the second import: %+v", tk[2])
	}
	// A plain Submit does not consult the ledger.
	if tk, _ := e.j.Submit("alice", plays[2:]); tk[0].Imported {
		t.Errorf("Submit used the ledger: %+v", tk[0])
	}
	// After LedgerKeep the ledger forgets too.
	clock.Advance(LedgerKeep + 48*time.Hour)
	if tk, _ := e.j.SubmitImport("alice", scrobbles(1, "prune")); tk[0].Imported {
		t.Fatal("a new play taken for imported")
	}
	if tk, _ := e.j.SubmitImport("alice", plays[:1]); tk[0].Imported {
		t.Errorf("the ledger kept a play past LedgerKeep: %+v", tk[0])
	}
}
