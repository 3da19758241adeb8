package commands

import (
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// expandAliases rewrites the words `/ticket list` understood before the
// query language into query terms, so every old form keeps working:
//
//	mine, me     assignee:me          unassigned   assignee:none
//	closed, done status:<done ones>   open         status:<open ones>
//	!high        priority:high        #acme        customer:ACME
//	acme         customer:ACME when ACME is a customer key (else free text)
//	all          no default status filter (reported by the second result)
//
// Quoted phrases and key:value terms pass through untouched.
func (s *Service) expandAliases(text string, customers []*domain.Customer) (string, bool) {
	keys := map[string]string{}
	for _, p := range customers {
		keys[strings.ToUpper(p.Key)] = p.Key
	}
	var out []string
	all := false
	for _, w := range splitTerms(text) {
		lw := strings.ToLower(w)
		switch {
		case lw == "mine" || lw == "me":
			w = "assignee:me"
		case lw == "unassigned":
			w = "assignee:none"
		case lw == "all":
			all = true
			continue
		case lw == "closed" || lw == "done":
			w = "status:" + strings.Join(s.doneStatuses(), ",")
		case lw == "open":
			w = "status:" + strings.Join(s.OpenStatuses(), ",")
		case strings.HasPrefix(w, "!") && len(w) > 1:
			w = "priority:" + w[1:]
		case strings.HasPrefix(w, "#") && len(w) > 1 && !strings.ContainsAny(w, `:"`):
			w = "customer:" + w[1:]
		case keys[strings.ToUpper(w)] != "" && !strings.ContainsAny(w, `:"`):
			w = "customer:" + keys[strings.ToUpper(w)]
		}
		out = append(out, w)
	}
	return strings.Join(out, " "), all
}

// splitTerms splits on spaces outside double quotes (with \" escapes),
// so a quoted phrase stays one term.
func splitTerms(text string) []string {
	var out []string
	var cur strings.Builder
	quoted, escaped := false, false
	for _, r := range text {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && quoted:
			escaped = true
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ' ' || r == '\t' || r == '\n'):
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func (s *Service) doneStatuses() []string {
	var out []string
	for _, st := range s.Config().Statuses {
		if st.Done() {
			out = append(out, st.Name)
		}
	}
	return out
}
