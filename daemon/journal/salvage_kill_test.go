package journal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// salvageChildEnv carries "DIR STEP" to the re-executed test binary.
const salvageChildEnv = "LASTFMD_SALVAGE_CHILD"

// TestSalvageKillChild is not a test: it is the salvage TestSalvageSurvivesAKill
// kills, in its own process. It stops at the step named in its environment
// and says so, then waits to be killed.
func TestSalvageKillChild(t *testing.T) {
	dir, step, ok := strings.Cut(os.Getenv(salvageChildEnv), " ")
	if !ok {
		t.Skip("the child process of TestSalvageSurvivesAKill")
	}
	salvageStep = func(s string) {
		if s == step {
			fmt.Printf("AT-STEP %s\n", s)
			select {} // until SIGKILL
		}
	}
	_, err := Salvage(dir, time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC))
	fmt.Printf("SALVAGE-ENDED %v\n", err)
}

// killSalvageAt runs a salvage of dir in a child process and kills it
// with SIGKILL once it reached step.
func killSalvageAt(t *testing.T, dir, step string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSalvageKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), salvageChildEnv+"="+dir+" "+step)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	reached := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "AT-STEP ") || strings.HasPrefix(sc.Text(), "SALVAGE-ENDED ") {
				reached <- sc.Text()
				return
			}
		}
		reached <- "exited: " + stderr.String()
	}()
	select {
	case line := <-reached:
		if line != "AT-STEP "+step {
			cmd.Process.Kill()
			t.Fatalf("the child salvage did not stop at %q: %s", step, line)
		}
	case <-time.After(waitfor.Bound):
		cmd.Process.Kill()
		t.Fatalf("the child salvage never reached %q", step)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
}

// Salvage survives its own death (issue 21, must-show 2): killed with
// SIGKILL after each step, it leaves either the damaged journal, which a
// start refuses (naming the salvage's temporary file while it exists) and
// a second salvage rescues, or the complete new journal. Never an empty
// journal, never no journal.db.
func TestSalvageSurvivesAKill(t *testing.T) {
	src, _ := populated(t)
	pages := usedPages(t, filepath.Join(src, FileName))
	overwrite(t, filepath.Join(src, FileName), pages[len(pages)/2], 0)
	damaged, err := os.ReadFile(filepath.Join(src, FileName))
	if err != nil {
		t.Fatal(err)
	}
	fresh := func() string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	whole := fresh()
	if _, err := Salvage(whole, time.Now()); err != nil {
		t.Fatal(err)
	}
	want := exportedStates(t, whole)
	if len(want) == 0 {
		t.Fatal("nothing salvaged")
	}
	later := time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		step     string
		finished bool // the new journal is in place
		temp     bool // the temporary journal is left
	}{
		{stepExported, false, false},
		{stepCreated, false, true},
		{stepBuilt, false, true},
		{stepKept, false, true},
		{stepReplaced, true, false},
	} {
		t.Run(c.step, func(t *testing.T) {
			dir := fresh()
			path := filepath.Join(dir, FileName)
			killSalvageAt(t, dir, c.step)
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("no journal.db after the kill: %v", err)
			}
			j, err := Open(Options{Dir: dir})
			var dmg *DamagedError
			switch {
			case c.finished && err != nil:
				t.Fatalf("the new journal does not open: %v", err)
			case c.finished:
				j.Close()
				if got := exportedStates(t, dir); !maps.Equal(got, want) {
					t.Errorf("the new journal holds %d records, want %d", len(got), len(want))
				}
				if _, err := Salvage(dir, later); !errors.Is(err, ErrNotDamaged) {
					t.Errorf("salvage again: %v", err)
				}
				return
			case err == nil:
				j.Close()
				t.Fatal("a start took the journal of an unfinished salvage")
			case !errors.As(err, &dmg):
				t.Fatalf("a start: %v, want a DamagedError", err)
			case c.temp && !strings.Contains(err.Error(), salvageTemp(path)):
				t.Errorf("a start: %q does not name the temporary file", err)
			}
			if raw, _ := os.ReadFile(path); !bytes.Equal(raw, damaged) {
				t.Error("journal.db is not the damaged journal")
			}
			rep, err := Salvage(dir, later)
			if err != nil {
				t.Fatalf("salvage again: %v", err)
			}
			if got := exportedStates(t, dir); !maps.Equal(got, want) {
				t.Errorf("after salvaging again: %d records, want %d", len(got), len(want))
			}
			if raw, _ := os.ReadFile(rep.Damaged); !bytes.Equal(raw, damaged) {
				t.Errorf("%s is not the damaged journal", rep.Damaged)
			}
			if kept, _ := filepath.Glob(path + ".damaged-*"); len(kept) != 1 {
				t.Errorf("damaged copies %q, want one", kept)
			}
			if _, err := os.Stat(salvageTemp(path)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the temporary file is left: %v", err)
			}
		})
	}
}
