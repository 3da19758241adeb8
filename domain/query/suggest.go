package query

import "strings"

// Suggest returns the option closest to word by Damerau–Levenshtein distance
// (optimal string alignment, case-insensitive), if it is close enough to be
// a plausible typo. A word of three or more letters that starts an option
// counts as one edit away, so "crea" finds "created". Ties go to the earlier
// option, so callers list preferred spellings first.
func Suggest(word string, options []string) (string, bool) {
	// Long words are not typos of short options, and this bounds the cost.
	if word == "" || len(word) > 64 {
		return "", false
	}
	w := []rune(strings.ToLower(word))
	best, bestD := "", len(w)+64
	for _, o := range options {
		r := []rune(strings.ToLower(o))
		d := distance(w, r)
		if d > 1 && len(w) >= 3 && len(r) > len(w) && string(r[:len(w)]) == string(w) {
			d = 1
		}
		if d < bestD && o != "" {
			best, bestD = o, d
		}
	}
	// Allow about one edit per four letters, and never a full rewrite: "x"
	// is not a typo of "s".
	if best == "" || bestD > 1+len(w)/4 || bestD >= len(w) && bestD > 0 {
		return "", false
	}
	return best, true
}

// distance is the optimal-string-alignment distance: insertions, deletions,
// substitutions and swaps of adjacent runes each cost one.
func distance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
