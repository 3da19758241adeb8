package query

import "strings"

type kind uint8

const (
	kEnum    kind = iota // list of values, checked against values/vocab when known
	kUser                // list of users; me and none are words
	kDate                // one date value, see dates.go
	kVersion             // list of versions or wildcards, or one comparison/range
	kText                // list of substrings
	kIssue               // list of ticket keys like ACME-42
	kSort                // kSort and after are query settings, not filters: parse.go relies on the order
	kGroup
	kLayout
	kLimit
)

type keyDef struct {
	name     string
	kind     kind
	aliases  []string
	values   []string                  // built-in values, always checked
	vocab    func(Vocabulary) []string // configured values, checked when non-nil
	nullable bool                      // "none" means the field is unset
	future   bool                      // dates: relative values count forward (due)
}

var keyDefs = []keyDef{
	{name: "status", kind: kEnum, aliases: []string{"s"}, vocab: func(v Vocabulary) []string { return v.Statuses }},
	{name: "priority", kind: kEnum, aliases: []string{"p", "prio"}, vocab: func(v Vocabulary) []string { return v.Priorities }},
	{name: "severity", kind: kEnum, nullable: true, vocab: func(v Vocabulary) []string { return v.Severities }},
	{name: "customer", kind: kEnum, aliases: []string{"c", "project"}, nullable: true, vocab: func(v Vocabulary) []string { return v.Customers }},
	{name: "assignee", kind: kUser, aliases: []string{"a", "assigned"}, nullable: true},
	{name: "requester", kind: kUser, aliases: []string{"r"}},
	{name: "type", kind: kEnum, aliases: []string{"t"}, vocab: func(v Vocabulary) []string { return v.Types }},
	{name: "version", kind: kVersion, aliases: []string{"v"}, nullable: true},
	{name: "sla", kind: kEnum, values: []string{"on-track", "at-risk", "breached", "paused", "met"}},
	{name: "due", kind: kDate, nullable: true, future: true},
	{name: "created", kind: kDate},
	{name: "updated", kind: kDate},
	{name: "resolved", kind: kDate, nullable: true},
	{name: "blocked", kind: kEnum, values: []string{"yes", "no"}},
	{name: "tag", kind: kEnum, nullable: true},
	{name: "source", kind: kEnum, values: []string{"slash", "modal", "shortcut", "reaction", "channel", "email"}},
	{name: "text", kind: kText},
	{name: "key", kind: kIssue},
	{name: "sort", kind: kSort, values: []string{"due", "created", "updated", "priority", "key"}},
	{name: "group", kind: kGroup, values: []string{"assignee", "customer", "status", "priority", "version", "type", "none"}},
	{name: "as", kind: kLayout, values: []string{"list", "cards", "tree", "calendar", "timeline"}},
	{name: "limit", kind: kLimit},
}

// fieldDef serves every field.<name> key: free values, none allowed.
var fieldDef = keyDef{name: "field", kind: kEnum, nullable: true}

const maxLimit = 500

var (
	keyIndex = map[string]*keyDef{}
	keyNames []string // canonical names first, so suggestions prefer them
)

func init() {
	for i := range keyDefs {
		keyIndex[keyDefs[i].name] = &keyDefs[i]
		keyNames = append(keyNames, keyDefs[i].name)
	}
	for i := range keyDefs {
		for _, a := range keyDefs[i].aliases {
			keyIndex[a] = &keyDefs[i]
			keyNames = append(keyNames, a)
		}
	}
}

// lookup finds the definition for a canonical field name (as stored in a
// Filter), including field.<name>.
func lookup(field string) *keyDef {
	if strings.HasPrefix(field, "field.") {
		return &fieldDef
	}
	return keyIndex[field]
}
