package endpoint

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		url string
		ok  bool
	}{
		{"https://ws.audioscrobbler.com/2.0/", true},
		{"http://127.0.0.1:8080/2.0/", true},
		{"http://[::1]:8080/2.0/", true},
		{"http://localhost:1/2.0/", true},
		{"http://ws.audioscrobbler.com/2.0/", false},
		{"http://10.0.0.1/2.0/", false},
		{"ftp://127.0.0.1/", false},
		{"/2.0/", false},
		{"", false},
		{"HTTPS://ws.audioscrobbler.com/2.0/", true},
		{"https://user:hunter2@example.com/2.0/", false},
		{"http://user:hunter2@127.0.0.1/2.0/", false},
		{"https:opaque", false},
	}
	for _, c := range cases {
		err := Check(c.url)
		if (err == nil) != c.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", c.url, err, c.ok)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Check(%q) repeats the password: %v", c.url, err)
		}
	}
}
