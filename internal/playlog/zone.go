package playlog

import "time"

// window bounds the offsets a zone may have (UTC-12 to UTC+14, and the
// odd historical one a little past): the instant of a wall time is within
// it of the wall time counted as UTC.
const window = 16 * 3600

// period is a stretch of a zone's history with one UTC offset, from start
// (Unix seconds) to the next period's start.
type period struct{ start, off int64 }

// Instant returns the Unix time at which loc's wall clock read wall (the
// wall clock's date and time counted as if they were UTC, as a #TZ/UNKNOWN
// log writes them), with that moment's offset, so each play gets its own
// day's offset across daylight-saving changes.
//
// A wall time the clock never showed (in a gap: the clock jumped forward
// over it) is read with the offset in force before the change, and gap is
// true. A wall time the clock showed twice (in an overlap: the clock went
// back) is read as the earlier instant, and overlap is true.
func Instant(wall int64, loc *time.Location) (ts int64, gap, overlap bool) {
	if loc == time.UTC {
		return wall, false, false
	}
	// The zone's periods around wall, oldest first.
	lo, hi := wall-window, wall+window
	t := time.Unix(lo, 0).In(loc)
	_, off := t.Zone()
	periods := []period{{lo, int64(off)}}
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.Unix() > hi || end.Unix() <= periods[len(periods)-1].start {
			break
		}
		t = end
		_, off = t.Zone()
		periods = append(periods, period{end.Unix(), int64(off)})
	}
	// The instants u at which the clock read wall: u + offset(u) = wall.
	found := false
	for i, p := range periods {
		next := hi + 1
		if i+1 < len(periods) {
			next = periods[i+1].start
		}
		if u := wall - p.off; u >= p.start && u < next {
			if found {
				overlap = true // a second, later instant: keep the earlier
				continue
			}
			ts, found = u, true
		}
	}
	if found {
		return ts, false, overlap
	}
	// A gap: the clock jumped from start+before to start+after over wall.
	for i := 1; i < len(periods); i++ {
		before, after, start := periods[i-1].off, periods[i].off, periods[i].start
		if start+before <= wall && wall < start+after {
			return wall - before, true, false
		}
	}
	// Not reached for a real zone; the offset at wall read as UTC.
	_, off = time.Unix(wall, 0).In(loc).Zone()
	return wall - int64(off), false, false
}
