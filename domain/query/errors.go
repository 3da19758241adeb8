package query

import (
	"strconv"
	"strings"
)

// Error is the only error Parse and Resolve return. Pos and End are byte
// offsets into the input so a UI can underline Word; Error() shows Pos+1 as
// a column because people count from 1.
type Error struct {
	Pos, End   int
	Word       string // the offending text, as typed
	Msg        string // e.g. `unknown key "statu"`
	Suggestion string // closest valid spelling, "" when nothing is close
	Hint       string // what would be valid, e.g. "one of low, normal, high"
}

// Error reads like: bad value "hgh" for priority at 10: did you mean "high"? (one of low, normal, high, urgent)
func (e *Error) Error() string {
	s := e.Msg + " at " + strconv.Itoa(e.Pos+1)
	if e.Suggestion != "" {
		s += ": did you mean " + strconv.Quote(e.Suggestion) + "?"
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// errPart builds an error underlining one value.
func errPart(p part, msg, hint string) *Error {
	return &Error{Pos: p.pos, End: p.end, Word: p.text, Msg: msg, Hint: hint}
}

// badValue reports a value outside opts, suggesting the closest one.
func badValue(p part, key string, opts []string) *Error {
	e := errPart(p, "bad value "+strconv.Quote(p.text)+" for "+key, oneOf(opts))
	e.Suggestion, _ = Suggest(p.text, opts)
	return e
}

// oneOf lists valid values, cut short because customer lists can be long.
func oneOf(opts []string) string {
	if len(opts) == 0 {
		return "none configured"
	}
	const max = 10
	if len(opts) > max {
		return "one of " + strings.Join(opts[:max], ", ") + ", …"
	}
	return "one of " + strings.Join(opts, ", ")
}
