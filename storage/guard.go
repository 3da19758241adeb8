package storage

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/textclean"
)

// checkArgs is the last line of defence behind the transports' cleaning
// (package textclean): a string PostgreSQL would refuse (NUL, invalid
// UTF-8; SQLite would store it and hand it back to Slack) never reaches
// either database. The error names the column and the rule, so the log
// says which input path forgot to clean, and it is an invalid-input error,
// so the user reads what was wrong instead of "Internal error".
func checkArgs(q string, args []any) error {
	for i, a := range args {
		var rule string
		switch v := a.(type) {
		case string:
			rule = textclean.Bad(v)
		case *string:
			if v != nil {
				rule = textclean.Bad(*v)
			}
		case []string:
			rule = badAny(v)
		case *pq.StringArray:
			if v != nil {
				rule = badAny(*v)
			}
		case pq.StringArray:
			rule = badAny(v)
		}
		if rule != "" {
			col := argColumn(q, i)
			return &domain.Error{Code: domain.EINVALID, Field: col,
				Message: "The text for " + col + " " + rule + " and cannot be stored; remove the character and try again."}
		}
	}
	return nil
}

func badAny(vs []string) string {
	for _, s := range vs {
		if r := textclean.Bad(s); r != "" {
			return r
		}
	}
	return ""
}

var (
	insertRE = regexp.MustCompile(`(?is)^\s*(?:WITH\b.*?\)\s*)?INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)`)
	tableRE  = regexp.MustCompile(`(?i)\b(?:UPDATE|FROM|INTO)\s+(\w+)`)
	assignRE = regexp.MustCompile(`(?i)(\w+)\s*(?:=|<>|!=|<=|>=|<|>|\bLIKE|\bIN\s*\(|=\s*ANY\s*\()\s*$`)
)

// argColumn names, as "table.column", the column the i-th placeholder of
// q binds, as far as the statement's text tells: an INSERT's column list,
// else the "column = ?" before it; "table value N" when neither does.
func argColumn(q string, i int) string {
	table := ""
	if m := tableRE.FindStringSubmatch(q); m != nil {
		table = m[1]
	}
	pos, inValues := placeholder(q, i)
	if pos < 0 {
		return table + " value " + strconv.Itoa(i+1)
	}
	if m := insertRE.FindStringSubmatch(q); m != nil && inValues >= 0 {
		cols := strings.Split(m[2], ",")
		if inValues < len(cols) {
			return m[1] + "." + strings.TrimSpace(cols[inValues])
		}
	}
	if m := assignRE.FindStringSubmatch(q[:pos]); m != nil {
		return table + "." + m[1]
	}
	return table + " value " + strconv.Itoa(i+1)
}

// placeholder finds the i-th "?" of q outside quotes; when it stands in a
// VALUES tuple, inValues is its position in the tuple, else -1.
func placeholder(q string, i int) (pos, inValues int) {
	n, depth, item, quoted := 0, 0, 0, false
	valuesAt := -1
	upper := strings.ToUpper(q)
	for p := 0; p < len(q); p++ {
		c := q[p]
		switch {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
			if valuesAt >= 0 && depth == 1 {
				item = 0
			}
		case c == ')':
			depth--
		case c == ',' && depth == 1:
			item++
		case c == 'V' || c == 'v':
			if strings.HasPrefix(upper[p:], "VALUES") {
				valuesAt = p
			}
		case c == '?':
			if n == i {
				if valuesAt >= 0 && depth == 1 {
					return p, item
				}
				return p, -1
			}
			n++
		}
	}
	return -1, -1
}
