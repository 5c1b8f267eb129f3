package playlog

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones, whatever the machine has
)

// wallOf is a wall-clock date and time counted as if it were UTC, as a
// #TZ/UNKNOWN log writes it.
func wallOf(s string) int64 {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t.Unix()
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Each play gets its own day's offset; a wall time in the spring gap is
// read with the offset before the change, one in the autumn overlap as
// the earlier instant.
func TestInstant(t *testing.T) {
	berlin, sydney, newYork := mustZone(t, "Europe/Berlin"), mustZone(t, "Australia/Sydney"), mustZone(t, "America/New_York")
	for _, c := range []struct {
		name          string
		loc           *time.Location
		wall, want    string // want: UTC
		gap, overlaps bool
	}{
		{"winter, the day before the change", berlin, "2026-03-28 12:00:00", "2026-03-28 11:00:00", false, false},
		{"just before the spring change", berlin, "2026-03-29 01:59:59", "2026-03-29 00:59:59", false, false},
		{"in the spring gap", berlin, "2026-03-29 02:30:00", "2026-03-29 01:30:00", true, false},
		{"the gap's first second", berlin, "2026-03-29 02:00:00", "2026-03-29 01:00:00", true, false},
		{"just after the spring gap", berlin, "2026-03-29 03:00:00", "2026-03-29 01:00:00", false, false},
		{"summer, the day after", berlin, "2026-03-30 12:00:00", "2026-03-30 10:00:00", false, false},
		{"just before the autumn overlap", berlin, "2026-10-25 01:59:59", "2026-10-24 23:59:59", false, false},
		{"in the autumn overlap: the earlier instant", berlin, "2026-10-25 02:30:00", "2026-10-25 00:30:00", false, true},
		{"the overlap's first second", berlin, "2026-10-25 02:00:00", "2026-10-25 00:00:00", false, true},
		{"just after the overlap", berlin, "2026-10-25 03:00:00", "2026-10-25 02:00:00", false, false},
		{"winter again", berlin, "2026-12-24 20:00:00", "2026-12-24 19:00:00", false, false},
		{"southern hemisphere: gap in October", sydney, "2026-10-04 02:30:00", "2026-10-03 16:30:00", true, false},
		{"southern hemisphere: overlap in April", sydney, "2026-04-05 02:30:00", "2026-04-04 15:30:00", false, true},
		{"west of UTC: overlap in November", newYork, "2026-11-01 01:30:00", "2026-11-01 05:30:00", false, true},
		{"west of UTC: gap in March", newYork, "2026-03-08 02:30:00", "2026-03-08 07:30:00", true, false},
		{"UTC as is", time.UTC, "2026-03-29 02:30:00", "2026-03-29 02:30:00", false, false},
		{"a fixed zone", time.FixedZone("UTC+5:30", 5*3600+1800), "2026-01-01 05:30:00", "2026-01-01 00:00:00", false, false},
	} {
		got, gap, overlap := Instant(wallOf(c.wall), c.loc)
		if got != wallOf(c.want) || gap != c.gap || overlap != c.overlaps {
			t.Errorf("%s: %s in %s = %s gap %v overlap %v, want %s gap %v overlap %v", c.name, c.wall, c.loc,
				time.Unix(got, 0).UTC().Format(time.DateTime), gap, overlap, c.want, c.gap, c.overlaps)
		}
	}
}

// Whatever the wall time, the instant's wall clock in the zone reads it,
// except in a gap, where it reads it an offset change later.
func TestInstantRoundTrip(t *testing.T) {
	loc := mustZone(t, "Europe/Berlin")
	start := wallOf("2026-01-01 00:00:00")
	for w := start; w < start+366*86400; w += 997 {
		ts, gap, _ := Instant(w, loc)
		back := time.Unix(ts, 0).In(loc)
		_, off := back.Zone()
		if got := ts + int64(off); got != w && !gap {
			t.Fatalf("%s: read back as %s", time.Unix(w, 0).UTC(), back)
		}
	}
}

func BenchmarkInstant(b *testing.B) {
	loc := mustZone(b, "Europe/Berlin")
	w := wallOf("2026-06-01 12:00:00")
	for i := 0; b.Loop(); i++ {
		Instant(w+int64(i%100000)*60, loc)
	}
}
