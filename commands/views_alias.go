package commands

import (
	"context"
	"regexp"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

var channelRefRE = regexp.MustCompile(`^<#([A-Z0-9]+)(?:\|[^>]*)?>$`)

// expandAliases rewrites the words `/ticket list` understood before the
// query language into query terms, so every old form keeps working:
//
//	mine, me     assignee:me          unassigned   assignee:none
//	closed, done status:<done ones>   open         status:<open ones>
//	!high        priority:high        #acme, <#C…> customer:ACME
//	acme         customer:ACME when ACME is a customer key (else free text)
//	all          no default status filter (reported by the second result)
//
// Quoted phrases and key:value terms pass through untouched.
func (s *Service) expandAliases(ctx context.Context, tx domain.CustomerStore, text string, projects []*domain.Project) (string, bool, error) {
	keys := map[string]string{}
	for _, p := range projects {
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
		case channelRefRE.MatchString(w):
			p, err := tx.ProjectByChannel(ctx, channelRefRE.FindStringSubmatch(w)[1])
			if err != nil {
				if domain.ErrorCode(err) == domain.ENOTFOUND {
					return "", false, domain.FieldErrorf("query", "%s is not a customer's channel.", w)
				}
				return "", false, err
			}
			w = "customer:" + p.Key
		case strings.HasPrefix(w, "#") && len(w) > 1 && !strings.ContainsAny(w, `:"`):
			w = "customer:" + w[1:]
		case keys[strings.ToUpper(w)] != "" && !strings.ContainsAny(w, `:"`):
			w = "customer:" + keys[strings.ToUpper(w)]
		}
		out = append(out, w)
	}
	return strings.Join(out, " "), all, nil
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
