package query

import (
	"slices"
	"strconv"
	"strings"
)

// Parse parses input. voc supplies the configured values to check against;
// nil checks only the built-in ones (sla, source, sort, ...). Parse is pure:
// dates stay symbolic until Resolve.
func Parse(input string, voc *Vocabulary) (*Query, error) {
	terms, err := lex(input)
	if err != nil {
		return nil, err
	}
	p := parser{q: &Query{Layout: "list"}, seen: map[string]bool{}}
	if voc != nil {
		p.voc = *voc
	}
	for _, t := range terms {
		if err := p.term(t); err != nil {
			return nil, err
		}
	}
	return p.q, nil
}

type parser struct {
	q    *Query
	voc  Vocabulary
	seen map[string]bool // sort, group, as, limit: each at most once
}

func (p *parser) term(t term) error {
	if t.key == "" {
		switch txt := t.parts[0].text; {
		case txt == "": // "" searches for nothing
		case t.neg:
			p.add(t, "text", Contains, []string{txt})
		default:
			p.q.Text = append(p.q.Text, txt)
		}
		return nil
	}
	d, field, err := p.key(t)
	if err != nil {
		return err
	}
	for _, pt := range t.parts {
		if pt.text == "" {
			return errPart(pt, "empty value for "+d.name, "")
		}
	}
	if d.kind >= kSort {
		if t.neg {
			return &Error{Pos: t.pos, End: t.end, Word: t.key, Msg: d.name + " cannot be negated"}
		}
		if p.seen[d.name] {
			e := &Error{Pos: t.keyPos, End: t.end, Word: t.key, Msg: "duplicate " + d.name, Hint: "give " + d.name + ": once"}
			if d.kind == kSort {
				e.Hint = "use one sort: with a list, e.g. sort:due,-created"
			}
			return e
		}
		p.seen[d.name] = true
	}
	switch d.kind {
	case kEnum, kUser:
		vals := make([]string, len(t.parts))
		for i, pt := range t.parts {
			if vals[i], err = p.value(d, pt); err != nil {
				return err
			}
		}
		p.add(t, field, Eq, vals)
	case kText:
		vals := make([]string, len(t.parts))
		for i, pt := range t.parts {
			vals[i] = pt.text // literal: text:<div> searches for "<div>"
		}
		p.add(t, field, Contains, vals)
	case kIssue:
		vals := make([]string, len(t.parts))
		for i, pt := range t.parts {
			if vals[i] = strings.ToUpper(pt.text); !isIssueKey(vals[i]) {
				return errPart(pt, "bad value "+strconv.Quote(pt.text)+" for key", "want a ticket key like ACME-42")
			}
		}
		p.add(t, field, Eq, vals)
	case kVersion:
		op, vals, err := parseVersion(d, t.parts)
		if err != nil {
			return err
		}
		p.add(t, field, op, vals)
	case kDate:
		if err := single(d, t); err != nil {
			return err
		}
		op, vals, err := parseDate(d, t.parts[0])
		if err != nil {
			return err
		}
		p.add(t, field, op, vals)
	case kSort:
		for _, pt := range t.parts {
			k := SortKey{Field: strings.ToLower(pt.text)}
			if !pt.quoted && strings.HasPrefix(k.Field, "-") {
				k.Field, k.Desc = k.Field[1:], true
			}
			if !slices.Contains(d.values, k.Field) {
				e := badValue(pt, d.name, d.values)
				e.Hint += `; prefix "-" for descending`
				return e
			}
			for _, s := range p.q.Sort {
				if s.Field == k.Field {
					return errPart(pt, "duplicate sort field "+strconv.Quote(k.Field), "")
				}
			}
			p.q.Sort = append(p.q.Sort, k)
		}
	case kGroup, kLayout:
		if err := single(d, t); err != nil {
			return err
		}
		pt := t.parts[0]
		v := strings.ToLower(pt.text)
		if !slices.Contains(d.values, v) {
			return badValue(pt, d.name, d.values)
		}
		if d.kind == kLayout {
			p.q.Layout = v
		} else if v != "none" {
			p.q.Group = v
		}
	case kLimit:
		if err := single(d, t); err != nil {
			return err
		}
		pt := t.parts[0]
		if strings.Trim(pt.text, "0123456789") != "" {
			return errPart(pt, "bad value "+strconv.Quote(pt.text)+" for limit", "want a number from 1 to 500")
		}
		n, err := strconv.Atoi(pt.text)
		if err != nil || n < 1 || n > maxLimit {
			return errPart(pt, "limit "+pt.text+" out of range", "want 1..500")
		}
		p.q.Limit = n
	}
	return nil
}

// key resolves the typed key to its definition and canonical field name.
func (p *parser) key(t term) (*keyDef, string, error) {
	lower := strings.ToLower(t.key)
	if name, ok := strings.CutPrefix(lower, "field."); ok {
		e := &Error{Pos: t.keyPos, End: t.keyEnd, Word: t.key}
		if name == "" {
			e.Msg = "empty field name"
			e.Hint = "use field.<name>:value"
			return nil, "", e
		}
		if p.voc.Fields == nil {
			return &fieldDef, "field." + name, nil
		}
		for _, f := range p.voc.Fields {
			if strings.EqualFold(f, name) {
				return &fieldDef, "field." + f, nil
			}
		}
		e.Msg = "unknown field " + strconv.Quote(t.key[len("field."):])
		e.Hint = oneOf(p.voc.Fields)
		e.Suggestion, _ = Suggest(name, p.voc.Fields)
		return nil, "", e
	}
	if d := keyIndex[lower]; d != nil {
		return d, d.name, nil
	}
	e := &Error{Pos: t.keyPos, End: t.keyEnd, Word: t.key, Msg: "unknown key " + strconv.Quote(t.key)}
	if s, ok := Suggest(lower, keyNames); ok {
		e.Suggestion = keyIndex[s].name // an alias is a typo target, but teach the full name
	}
	return nil, "", e
}

// value checks one enum or user value and returns its canonical spelling.
func (p *parser) value(d *keyDef, pt part) (string, error) {
	v := pt.text
	if !pt.quoted && (v[0] == '<' || v[0] == '>') {
		return "", errPart(pt, "comparison not allowed for "+d.name, "only dates and versions compare")
	}
	if d.kind == kUser {
		if l := strings.ToLower(v); l == "me" || l == "none" && d.nullable {
			return l, nil
		} else if l == "none" {
			return "", errPart(pt, "bad value \"none\" for "+d.name, "every ticket has a "+d.name)
		}
		return v, nil
	}
	if d.nullable && strings.EqualFold(v, "none") {
		return "none", nil
	}
	opts := d.values
	if d.vocab != nil {
		opts = d.vocab(p.voc)
	}
	if opts == nil {
		return v, nil
	}
	for _, o := range opts {
		if strings.EqualFold(o, v) {
			return o, nil
		}
	}
	return "", badValue(pt, d.name, opts)
}

func (p *parser) add(t term, field string, op Op, vals []string) {
	p.q.Filters = append(p.q.Filters, Filter{Field: field, Op: op, Values: vals, Negate: t.neg, Pos: t.pos, End: t.end})
}

func single(d *keyDef, t term) error {
	if len(t.parts) == 1 {
		return nil
	}
	last := t.parts[len(t.parts)-1]
	return &Error{Pos: t.parts[1].pos, End: last.end, Word: t.parts[1].text,
		Msg: d.name + " takes a single value", Hint: "lists are not allowed here"}
}

// isIssueKey matches CUSTOMER-123 (already upper-cased).
func isIssueKey(s string) bool {
	proj, num, ok := strings.Cut(s, "-")
	if !ok || proj == "" || num == "" || proj[0] < 'A' || proj[0] > 'Z' {
		return false
	}
	for _, c := range []byte(proj) {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return strings.Trim(num, "0123456789") == ""
}

// cmpPrefix splits a leading comparison operator off a bare value.
func cmpPrefix(s string) (Op, string) {
	for _, c := range [...]struct {
		p  string
		op Op
	}{{"<=", Le}, {">=", Ge}, {"<", Lt}, {">", Gt}} {
		if rest, ok := strings.CutPrefix(s, c.p); ok {
			return c.op, rest
		}
	}
	return Eq, s
}
