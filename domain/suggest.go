package domain

import "strings"

// Suggest returns the option nearest to word by edit distance, when it is
// near enough to be a plausible typo.
func Suggest(word string, options []string) (string, bool) {
	best, bestD := "", -1
	w := strings.ToLower(word)
	for _, o := range options {
		d := editDistance(w, strings.ToLower(o))
		if bestD < 0 || d < bestD {
			best, bestD = o, d
		}
	}
	limit := len([]rune(word))/3 + 1
	return best, bestD >= 0 && bestD <= limit && bestD > 0
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
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
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
