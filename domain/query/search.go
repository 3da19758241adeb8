package query

import (
	"strings"
	"unicode"
)

// SearchTerm is one thing a full-text search asks for: a word, or a
// phrase (its words next to each other), the last word a prefix when
// Prefix is set. A ticket matches a term when any text of it the reader
// may see contains it; it matches a search when it matches every term.
type SearchTerm struct {
	Words  []string
	Prefix bool
}

// ParseSearch reads one text value of a query (text:VALUE, a bare word
// or a bare "phrase") into terms. Within the value, "double quotes" make
// a phrase, and a * at the end of a word makes it a prefix (refund*).
// A value of several words without quotes can only come from a quoted
// query term (text:"login fails"), so it is one phrase, as the substring
// it used to be. Everything else is text: operators, column names, NEAR,
// brackets or a lone * are words or nothing, never syntax — the SQL
// forms quote every word. Words without a letter or digit are dropped,
// as both full-text indexes do; no term at all matches nothing.
func ParseSearch(value string) []SearchTerm {
	if !strings.Contains(value, `"`) {
		words, prefix := searchWords(strings.Fields(value))
		if len(words) == 0 {
			return nil
		}
		return []SearchTerm{{Words: words, Prefix: prefix}}
	}
	var terms []SearchTerm
	add := func(fields []string) {
		if words, prefix := searchWords(fields); len(words) > 0 {
			terms = append(terms, SearchTerm{Words: words, Prefix: prefix})
		}
	}
	for i, seg := range strings.Split(value, `"`) {
		if i%2 == 1 { // inside quotes (an unclosed quote runs to the end)
			add(strings.Fields(seg))
			continue
		}
		for _, w := range strings.Fields(seg) {
			if w == "*" && len(terms) > 0 && i > 0 && strings.HasPrefix(seg, "*") {
				terms[len(terms)-1].Prefix = true // "phrase"* : its last word a prefix
				continue
			}
			add([]string{w})
		}
	}
	return terms
}

// searchWords keeps the words that hold a letter or a digit; the last
// word's trailing * makes a prefix. A * elsewhere is dropped.
func searchWords(fields []string) ([]string, bool) {
	var words []string
	prefix := false
	for _, f := range fields {
		p := strings.HasSuffix(f, "*")
		w := strings.Trim(f, "*")
		if !strings.ContainsFunc(w, isWordRune) {
			continue
		}
		words, prefix = append(words, w), p
	}
	return words, prefix
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// TSQuery writes terms as a PostgreSQL to_tsquery text: every word in
// single quotes (so to_tsquery parses it as text, the way to_tsvector
// parsed the indexed text), the words of a phrase joined by <->, the
// terms by op (& for all, | for any). No term gives "".
func TSQuery(terms []SearchTerm, op string) string {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		ws := make([]string, len(t.Words))
		for i, w := range t.Words {
			ws[i] = "'" + tsEscaper.Replace(w) + "'"
		}
		if t.Prefix {
			ws[len(ws)-1] += ":*"
		}
		parts = append(parts, "("+strings.Join(ws, " <-> ")+")")
	}
	return strings.Join(parts, " "+op+" ")
}

// tsEscaper: inside a quoted lexeme of to_tsquery, a quote is doubled and
// a backslash escapes the next character.
var tsEscaper = strings.NewReplacer(`'`, `''`, `\`, `\\`)

// FTS5Match writes terms as an SQLite FTS5 MATCH expression: each term
// one string ("a phrase", its quotes doubled), which FTS5 splits with the
// table's own tokenizer, a prefix as "…"*, the terms joined by op (AND or
// OR). No term gives "".
func FTS5Match(terms []SearchTerm, op string) string {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		s := `"` + strings.ReplaceAll(strings.Join(t.Words, " "), `"`, `""`) + `"`
		if t.Prefix {
			s += "*"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " "+op+" ")
}
