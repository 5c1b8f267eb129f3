// Package suggest is the one "did you mean": the names nearest to a
// mistyped word, for a mistyped method (signer.NearestMethods), command or
// flag (the CLI). It imports only the standard library.
package suggest

import "strings"

// Closest returns the names within a small edit distance of word, nearest
// first (at most three). It serves "did you mean" hints: a mistyped method
// (signer.NearestMethods) and the CLI's mistyped commands and flags.
func Closest(word string, names []string) []string {
	word = strings.ToLower(word)
	// Short words are close to too much at distance 2 (bsh, fish).
	limit := 2
	switch {
	case len(word) <= 4:
		limit = 1
	case len(word) > 12:
		limit = 3
	}
	type hit struct {
		name string
		d    int
	}
	var hits []hit
	for _, n := range names {
		if d := editDistance(word, strings.ToLower(n)); d <= limit {
			hits = append(hits, hit{n, d})
		}
	}
	// Insertion sort: stable, and the lists are tiny.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].d < hits[j-1].d; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	var out []string
	for i := 0; i < len(hits) && i < 3; i++ {
		out = append(out, hits[i].name)
	}
	return out
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and swaps of two neighbours (the commonest
// typo, "lvoe") each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
