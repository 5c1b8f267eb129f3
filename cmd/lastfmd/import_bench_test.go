package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/closedport"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
)

// BenchmarkImportLog100k: a 100,000-line .scrobbler.log imported into the
// journal with no daemon running (read, converted from Europe/Berlin's
// wall clock, journalled through the ledger in batches of 500), in
// process; docs/performance.md records it (target: under 10 s on the
// project's 2-core machine).
func BenchmarkImportLog100k(b *testing.B) {
	const n = 100_000
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("#AUDIOSCROBBLER/1.1\n#TZ/UNKNOWN\n#CLIENT/Rockbox ipodvideo 3.15\n")
	start := time.Now().Add(-12 * 24 * time.Hour)
	for i := range n {
		at := start.Add(time.Duration(i) * 10 * time.Second).In(berlin)
		_, off := at.Zone()
		fmt.Fprintf(&sb, "Artist %d\tAlbum %d\tTrack %d\t%d\t%d\tL\t%d\t\n", i%997, i%101, i, i%12+1, 180+i%60, at.Unix()+int64(off))
	}
	dir := b.TempDir()
	file := filepath.Join(dir, ".scrobbler.log")
	if err := os.WriteFile(file, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	conf := filepath.Join(dir, "lastfmd.toml")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("listen = %q\n", closedport.Addr(b))), 0o600); err != nil {
		b.Fatal(err)
	}
	emu := daemontest.Emulator(b)
	for b.Loop() {
		b.StopTimer()
		state := b.TempDir()
		daemontest.SignInAlice(b, emu, state)
		b.StartTimer()
		var errb strings.Builder
		if code := execute([]string{"--config", conf, "import", "--json", "--tz", "Europe/Berlin", "--state-dir", state, file}, nil, io.Discard, &errb); code != 0 {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
	}
}
