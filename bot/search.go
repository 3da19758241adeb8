package bot

import (
	"strings"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
)

// searchQuery turns the words of `/ticket search …` into a query of
// text: terms, every one of which a ticket must contain: a word each,
// or, when the words hold "quotes", one value that keeps its phrases (see
// query.ParseSearch). Nothing the person typed is read as a query key or
// a list word: `/ticket search open invoice` looks for "open". Tickets
// of every status: what is searched for is often long closed.
func searchQuery(words string) string {
	if strings.Contains(words, `"`) {
		return "text:" + quoteQuery(words) + " all"
	}
	var terms []string
	for _, w := range strings.Fields(words) {
		terms = append(terms, "text:"+quoteQuery(w))
	}
	return strings.Join(append(terms, "all"), " ")
}

// quoteQuery quotes s as one value of the query language.
func quoteQuery(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// maxSnippet is how long a matching line may be in a list, in characters.
const maxSnippet = 220

// snippetText writes a search's matching line for mrkdwn: on one line,
// user text escaped, the matched words in bold. Markers that a cut left
// unpaired are dropped.
func snippetText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxSnippet {
		s = cut(s, maxSnippet)
	}
	var b strings.Builder
	for s != "" {
		i := strings.Index(s, domain.HitStart)
		if i < 0 {
			b.WriteString(esc(strings.ReplaceAll(s, domain.HitEnd, "")))
			break
		}
		b.WriteString(esc(strings.ReplaceAll(s[:i], domain.HitEnd, "")))
		s = s[i+len(domain.HitStart):]
		j := strings.Index(s, domain.HitEnd)
		hit := s
		if j >= 0 {
			hit, s = s[:j], s[j+len(domain.HitEnd):]
		} else {
			s = ""
		}
		hit = strings.ReplaceAll(hit, domain.HitStart, "")
		// Bold needs no * inside and no space at its edges.
		if w := strings.TrimSpace(strings.ReplaceAll(hit, "*", "")); w != "" {
			lead := hit[:len(hit)-len(strings.TrimLeft(hit, " "))]
			b.WriteString(lead + "*" + esc(w) + "*")
			if strings.HasSuffix(hit, " ") {
				b.WriteByte(' ')
			}
		} else {
			b.WriteString(esc(hit))
		}
	}
	return b.String()
}
