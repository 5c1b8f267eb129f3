package listenbrainz

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	when    = int64(1767225600) // 2026-01-01
	version = "1.4.0"
	mbidOK  = "98255a8c-017a-4bc7-8dd6-1fa36124572b"
)

func TestListenFromScrobble(t *testing.T) {
	full := map[string]string{
		"artist": " Rick Astley ", "track": "Never Gonna Give You Up", "album": "Whenever You Need Somebody",
		"duration": "213", "trackNumber": "1", "mbid": strings.ToUpper(mbidOK),
		"albumArtist": "Rick Astley", "chosenByUser": "1", "context": "x", "timestamp": "1767225600",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{"artist": "A", "track": "T"}
		m[k] = v
		return m
	}
	minimal := func(ai AdditionalInfo) Listen {
		ai.SubmissionClient, ai.SubmissionClientVersion = "lastfmd", version
		return Listen{ListenedAt: when, TrackMetadata: TrackMetadata{ArtistName: "A", TrackName: "T", AdditionalInfo: ai}}
	}
	tests := []struct {
		name   string
		params map[string]string
		ts     int64
		want   Listen
		err    error
	}{
		{"every field", full, when, Listen{ListenedAt: when, TrackMetadata: TrackMetadata{
			ArtistName: "Rick Astley", TrackName: "Never Gonna Give You Up", ReleaseName: "Whenever You Need Somebody",
			AdditionalInfo: AdditionalInfo{DurationMS: 213000, TrackNumber: "1", RecordingMBID: mbidOK,
				SubmissionClient: "lastfmd", SubmissionClientVersion: version}}}, nil},
		{"minimal", map[string]string{"artist": "A", "track": "T"}, when, minimal(AdditionalInfo{}), nil},
		{"blank album left out", with("album", "  "), when, minimal(AdditionalInfo{}), nil},
		{"duration zero", with("duration", "0"), when, minimal(AdditionalInfo{}), nil},
		{"duration negative", with("duration", "-5"), when, minimal(AdditionalInfo{}), nil},
		{"duration fraction", with("duration", "213.5"), when, minimal(AdditionalInfo{}), nil},
		{"duration text", with("duration", "3:33"), when, minimal(AdditionalInfo{}), nil},
		{"duration spaces", with("duration", " 60 "), when, minimal(AdditionalInfo{DurationMS: 60000}), nil},
		{"duration 24 days", with("duration", "2073600"), when, minimal(AdditionalInfo{DurationMS: 2073600000}), nil},
		{"duration over 24 days", with("duration", "2073601"), when, minimal(AdditionalInfo{}), nil},
		{"duration overflow", with("duration", "99999999999999999999"), when, minimal(AdditionalInfo{}), nil},
		{"mbid not a uuid", with("mbid", "not-an-mbid"), when, minimal(AdditionalInfo{}), nil},
		{"mbid without hyphens", with("mbid", strings.ReplaceAll(mbidOK, "-", "")), when, minimal(AdditionalInfo{}), nil},
		{"mbid bad hex", with("mbid", "g8255a8c-017a-4bc7-8dd6-1fa36124572b"), when, minimal(AdditionalInfo{}), nil},
		{"track number text", with("trackNumber", " A1 "), when, minimal(AdditionalInfo{TrackNumber: "A1"}), nil},
		{"at the minimum", map[string]string{"artist": "A", "track": "T"}, MinListenedAt,
			func() Listen { l := minimal(AdditionalInfo{}); l.ListenedAt = MinListenedAt; return l }(), nil},
		{"before the minimum", map[string]string{"artist": "A", "track": "T"}, MinListenedAt - 1, Listen{}, ErrTooOld},
		{"no artist", map[string]string{"artist": " ", "track": "T"}, when, Listen{}, ErrBadListen},
		{"no track", map[string]string{"artist": "A"}, when, Listen{}, ErrBadListen},
		{"NUL", with("album", "x\x00y"), when, Listen{}, ErrBadListen},
		{"too large", with("album", strings.Repeat("x", MaxListenBytes)), when, Listen{}, ErrBadListen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ListenFromScrobble(tt.params, tt.ts, version)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestListenJSON: the JSON sent holds ListenBrainz's names and only the
// fields given; a playing_now listen has no listened_at.
func TestListenJSON(t *testing.T) {
	l, err := ListenFromScrobble(map[string]string{"artist": "A&B <x>", "track": "T", "duration": "10"}, when, "")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"listened_at":1767225600,"track_metadata":{"artist_name":"A&B <x>","track_name":"T","additional_info":{"duration_ms":10000,"submission_client":"lastfmd"}}}`
	if got := string(encodeListen(l)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	np, err := NowPlayingFromParams(map[string]string{"artist": "A", "track": "T", "album": "R"}, version)
	if err != nil {
		t.Fatal(err)
	}
	want = `{"track_metadata":{"artist_name":"A","track_name":"T","release_name":"R","additional_info":{"submission_client":"lastfmd","submission_client_version":"1.4.0"}}}`
	if got := string(encodeListen(np)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if _, err := NowPlayingFromParams(map[string]string{"track": "T"}, version); !errors.Is(err, ErrBadListen) {
		t.Errorf("now playing without artist: %v", err)
	}
}

func TestTooOld(t *testing.T) {
	if got := time.Unix(MinListenedAt, 0).UTC(); got != time.Date(2002, 10, 1, 0, 0, 0, 0, time.UTC) {
		t.Errorf("MinListenedAt is %v", got)
	}
	if !TooOld(MinListenedAt-1) || TooOld(MinListenedAt) || !TooOld(0) || !TooOld(-1) {
		t.Error("TooOld")
	}
}

// TestCheckListenSize: a listen is refused exactly when a single request
// carrying it would pass MaxListenBytes.
func TestCheckListenSize(t *testing.T) {
	l := Listen{ListenedAt: when, TrackMetadata: TrackMetadata{ArtistName: "A", TrackName: "T", ReleaseName: "r"}}
	l.TrackMetadata.ReleaseName += strings.Repeat("r", MaxListenBytes-bodySize(ListenTypeSingle, len(encodeListen(l)), 1))
	if err := CheckListen(l); err != nil {
		t.Fatalf("at the bound: %v", err)
	}
	if n := len(encodeBody(ListenTypeSingle, [][]byte{encodeListen(l)})); n != MaxListenBytes {
		t.Fatalf("body %d bytes, want %d", n, MaxListenBytes)
	}
	l.TrackMetadata.ReleaseName += "r"
	if err := CheckListen(l); !errors.Is(err, ErrBadListen) {
		t.Errorf("one byte over: %v", err)
	}
}

func TestImportBatches(t *testing.T) {
	small := func(n int) []Listen {
		ls := make([]Listen, n)
		for i := range ls {
			ls[i], _ = ListenFromScrobble(map[string]string{"artist": "A", "track": "T"}, when+int64(i), version)
		}
		return ls
	}
	large := func(n int) []Listen {
		ls := small(n)
		for i := range ls {
			ls[i].TrackMetadata.ReleaseName = strings.Repeat("é", 4900) // 9,800 bytes
		}
		return ls
	}
	tests := []struct {
		name    string
		listens []Listen
		sizes   []int
	}{
		{"none", nil, nil},
		{"one", small(1), []int{1}},
		{"a thousand", small(1000), []int{1000}},
		{"2500", small(2500), []int{1000, 1000, 500}},
		// Each near MaxListenBytes: lastfmd's MaxImportBody bounds the batch.
		{"large", large(250), []int{105, 105, 40}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ImportBatches(tt.listens)
			if err != nil {
				t.Fatal(err)
			}
			var sizes []int
			next := 0
			for _, b := range got {
				sizes = append(sizes, len(b))
				if len(b) > 0 && &b[0] != &tt.listens[next] {
					t.Errorf("batch at %d is not a sub-slice of the input", next)
				}
				next += len(b)
				var enc [][]byte
				for _, l := range b {
					enc = append(enc, encodeListen(l))
				}
				body := encodeBody(ListenTypeImport, enc)
				if len(body) > len(b)*MaxListenBytes || len(body) > MaxImportBody || len(b) > MaxListensPerImport {
					t.Errorf("batch of %d: body %d bytes", len(b), len(body))
				}
				if _, err := requestBody(ListenTypeImport, b); err != nil {
					t.Errorf("Submit would refuse the batch: %v", err)
				}
				var doc struct {
					ListenType string            `json:"listen_type"`
					Payload    []json.RawMessage `json:"payload"`
				}
				if err := json.Unmarshal(body, &doc); err != nil || doc.ListenType != "import" || len(doc.Payload) != len(b) {
					t.Errorf("body does not decode: %v", err)
				}
			}
			if !reflect.DeepEqual(sizes, tt.sizes) {
				t.Errorf("batch sizes %v, want %v", sizes, tt.sizes)
			}
		})
	}
	bad := small(3)
	bad[1].TrackMetadata.TrackName = ""
	if _, err := ImportBatches(bad); !errors.Is(err, ErrBadListen) || !strings.Contains(err.Error(), "listen 1") {
		t.Errorf("a bad listen: %v", err)
	}
}
