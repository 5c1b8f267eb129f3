package suggest

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	names := []string{"login", "logout", "status", "import", "default"}
	cases := []struct {
		word string
		want []string
	}{
		{"loign", []string{"login"}},
		{"stauts", []string{"status"}},
		{"logot", []string{"logout", "login"}}, // nearest first
		{"xyzzy", nil},
	}
	for _, c := range cases {
		if got := Closest(c.word, names); !slices.Equal(got, c.want) {
			t.Errorf("Closest(%q) = %v, want %v", c.word, got, c.want)
		}
	}
}
