package journal

import (
	"bufio"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// populated returns a closed journal file holding pending items, dead
// letters and results, large enough to span many pages.
func populated(t *testing.T) (dir string, pending int) {
	t.Helper()
	e := newEnv(t, Tuning{})
	sent := scrobbles(300, "sent")
	tk, err := e.j.Submit("alice", sent)
	if err != nil {
		t.Fatal(err)
	}
	e.j.Start()
	waitAll(e.j, tk)
	if err := e.j.Close(); err != nil {
		t.Fatal(err)
	}
	// Pending ones: a journal that is not started keeps them.
	j := e.open(Tuning{})
	if _, err := j.Submit("alice", scrobbles(400, "pending")); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return e.dir, 400
}

// usedPages lists the pages of the file's bucket tree.
func usedPages(t *testing.T, path string) []uint64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	meta, err := latestMeta(f)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	w := &treeWalker{f: f, size: st.Size(), meta: meta, seen: map[uint64]bool{}, strict: true}
	if err := w.walkBucket("", meta.root, nil, 0, 0); err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for id := range w.seen {
		ids = append(ids, id)
	}
	return ids
}

// overwrite puts garbage over page id (from byte from of the page on).
func overwrite(t *testing.T, path string, id uint64, from int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := make([]byte, 4096-from)
	r := rand.New(rand.NewPCG(uint64(id), 7))
	for i := range junk {
		junk[i] = byte(r.Uint32())
	}
	if _, err := f.WriteAt(junk, int64(id)*4096+int64(from)); err != nil {
		t.Fatal(err)
	}
}

func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// A damaged journal is named, never a crash (issue 14, must-show 4): each
// kind of damage is found before bbolt maps the file, and Open answers a
// DamagedError naming the file and `lastfmd queue salvage`.
func TestDamagedJournalIsNamed(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   string
	}{
		{"truncated to 20,000 bytes", func(t *testing.T, path string) {
			if err := os.Truncate(path, 20000); err != nil {
				t.Fatal(err)
			}
		}, "cut short: 20000 bytes"},
		{"a page overwritten whole", func(t *testing.T, path string) {
			pages := usedPages(t, path)
			overwrite(t, path, pages[len(pages)/2], 0)
		}, "overwritten"},
		{"a page's entries overwritten", func(t *testing.T, path string) {
			pages := usedPages(t, path)
			overwrite(t, path, pages[len(pages)/3], pageHeaderSize)
		}, "page"},
		{"the free-page list overwritten", func(t *testing.T, path string) {
			f, _ := os.Open(path)
			meta, err := latestMeta(f)
			f.Close()
			if err != nil || meta.freelist == noFreelist {
				t.Fatalf("meta %+v %v", meta, err)
			}
			overwrite(t, path, meta.freelist, 0)
		}, "page"},
		{"a page's type and count zeroed (found by FuzzCheckFile)", func(t *testing.T, path string) {
			pages := usedPages(t, path)
			writeAt(t, path, int64(pages[len(pages)/2])*4096+8, []byte{0, 0, 0, 0})
		}, "page type 0x0"},
		{"the current header page's type overwritten (found by FuzzCheckFile)", func(t *testing.T, path string) {
			f, _ := os.Open(path)
			m0, _ := readMeta(f, 0)
			m1, _ := readMeta(f, 4096)
			f.Close()
			cur := int64(0)
			if m1.txid > m0.txid {
				cur = 4096
			}
			writeAt(t, path, cur+8, []byte{0x04, 0x02})
		}, "current header page is overwritten"},
		{"0 bytes", func(t *testing.T, path string) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}, "empty (0 bytes)"},
		{"garbage", func(t *testing.T, path string) {
			junk := make([]byte, 64<<10)
			for i := range junk {
				junk[i] = byte(i*7 + i/13)
			}
			if err := os.WriteFile(path, junk, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "neither of its two header pages is valid"},
		{"both header pages overwritten", func(t *testing.T, path string) {
			overwrite(t, path, 0, 0)
			overwrite(t, path, 1, 0)
		}, "neither of its two header pages is valid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, _ := populated(t)
			path := filepath.Join(dir, FileName)
			c.damage(t, path)
			_, err := Open(Options{Dir: dir, Tuning: Tuning{OpenTimeout: 100 * time.Millisecond}})
			var d *DamagedError
			if !errors.As(err, &d) {
				t.Fatalf("Open: %v, want a DamagedError", err)
			}
			msg := err.Error()
			for _, want := range []string{path, c.want, "lastfmd queue salvage"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("message has more than one line: %q", msg)
			}
		})
	}
}

// An undamaged journal passes the check, whatever its size.
func TestCheckFileAcceptsAGoodJournal(t *testing.T) {
	dir, _ := populated(t)
	if err := CheckFile(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
	if err := CheckFile(filepath.Join(t.TempDir(), FileName)); err != nil {
		t.Fatalf("a missing journal: %v", err)
	}
}

// guard turns a panic inside bbolt into a DamagedError.
func TestGuardNamesAPanic(t *testing.T) {
	err := guard("/x/journal.db", func() error { panic("page 7 already freed\ngoroutine 1 [running]:") })
	var d *DamagedError
	if !errors.As(err, &d) || !strings.Contains(err.Error(), "page 7 already freed") || strings.Contains(err.Error(), "goroutine") {
		t.Fatalf("err %v", err)
	}
}

// Salvage keeps every readable pending scrobble, sets the damaged file
// aside and starts a new journal that opens and sends.
func TestSalvage(t *testing.T) {
	cases := []struct {
		name       string
		damage     func(t *testing.T, path string)
		allPending bool // nothing pending was on the damaged part
	}{
		{"a page overwritten", func(t *testing.T, path string) {
			pages := usedPages(t, path)
			overwrite(t, path, pages[len(pages)/2], 0)
		}, false},
		{"truncated", func(t *testing.T, path string) {
			if err := os.Truncate(path, 20000); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"0 bytes", func(t *testing.T, path string) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"the free-page list overwritten", func(t *testing.T, path string) {
			f, _ := os.Open(path)
			meta, _ := latestMeta(f)
			f.Close()
			overwrite(t, path, meta.freelist, 0)
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, pending := populated(t)
			path := filepath.Join(dir, FileName)
			c.damage(t, path)
			now := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
			rep, err := Salvage(dir, now)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(rep.Damaged); err != nil || !strings.HasSuffix(rep.Damaged, "journal.db.damaged-20261204T160000Z") {
				t.Errorf("damaged file %q: %v", rep.Damaged, err)
			}
			if c.allPending && rep.Pending != pending {
				t.Errorf("%d pending saved, want all %d", rep.Pending, pending)
			}
			if !c.allPending && len(rep.Problems) == 0 {
				t.Error("no problem reported")
			}
			lines := countLines(t, rep.Export)
			if lines != rep.Pending+rep.Dead+rep.Results {
				t.Errorf("export has %d lines for %+v", lines, rep)
			}
			e := newEnvAt(t, dir)
			if st := e.j.Stats(); st.Pending != rep.Pending {
				t.Fatalf("new journal: %d pending, salvage said %d", st.Pending, rep.Pending)
			}
			// The new journal works: new ids follow the old ones, and the
			// salvaged items go out.
			tk, err := e.j.Submit("alice", scrobbles(1, "after"))
			if err != nil {
				t.Fatal(err)
			}
			e.j.Start()
			if o := waitAll(e.j, tk); o[0].State != Sent {
				t.Fatalf("outcome %+v", o[0])
			}
			eventually(t, "the salvaged items sent", func() bool { return e.j.Stats().Pending == 0 })
			if _, err := Salvage(dir, now.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "in use by a running lastfmd") {
				t.Errorf("salvage under a running journal: %v", err)
			}
			e.j.Close()
			if _, err := Salvage(dir, now.Add(time.Hour)); !errors.Is(err, ErrNotDamaged) {
				t.Errorf("salvage of a good journal: %v", err)
			}
		})
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		n++
	}
	return n
}
