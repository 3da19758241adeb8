package query

import (
	"errors"
	"testing"
)

const fullExample = `status:open priority:high,urgent customer:acme assignee:me|none type:bug version:4.2.* ` +
	`sla:at-risk|breached|paused due:<2d created:>2026-11-01 blocked:yes text:"login fails" sort:due group:assignee as:cards`

var testVoc = &Vocabulary{
	Statuses:   []string{"new", "open", "pending", "resolved", "closed"},
	Priorities: []string{"low", "normal", "high", "urgent"},
	Types:      []string{"bug", "question", "feature", "incident"},
	Customers:  []string{"acme", "globex", "initech"},
	Fields:     []string{"region", "plan"},
	Severities: []string{"S1", "S2", "S3"},
}

func f(field string, op Op, vals ...string) Filter { return Filter{Field: field, Op: op, Values: vals} }
func not(x Filter) Filter                          { x.Negate = true; return x }
func eq(field string, vals ...string) Filter       { return f(field, Eq, vals...) }

var goodCases = []struct {
	name string
	in   string
	voc  *Vocabulary
	want Query
}{
	{"full example", fullExample, testVoc, Query{
		Filters: []Filter{
			eq("status", "open"), eq("priority", "high", "urgent"), eq("customer", "acme"),
			eq("assignee", "me", "none"), eq("type", "bug"), f("version", Prefix, "4.2."),
			eq("sla", "at-risk", "breached", "paused"), f("due", Lt, "2d"), f("created", Gt, "2026-11-01"),
			eq("blocked", "yes"), f("text", Contains, "login fails"),
		},
		Sort: []SortKey{{"due", false}}, Group: "assignee", Layout: "cards",
	}},
	{"full example without vocabulary", fullExample, nil, Query{
		Filters: []Filter{
			eq("status", "open"), eq("priority", "high", "urgent"), eq("customer", "acme"),
			eq("assignee", "me", "none"), eq("type", "bug"), f("version", Prefix, "4.2."),
			eq("sla", "at-risk", "breached", "paused"), f("due", Lt, "2d"), f("created", Gt, "2026-11-01"),
			eq("blocked", "yes"), f("text", Contains, "login fails"),
		},
		Sort: []SortKey{{"due", false}}, Group: "assignee", Layout: "cards",
	}},
	{"aliases", "s:open p:urgent prio:low c:acme customer:globex a:me assigned:none r:U1 t:bug v:4.2.0", testVoc, Query{
		Filters: []Filter{
			eq("status", "open"), eq("priority", "urgent"), eq("priority", "low"), eq("customer", "acme"),
			eq("customer", "globex"), eq("assignee", "me"), eq("assignee", "none"), eq("requester", "U1"),
			eq("type", "bug"), eq("version", "4.2.0"),
		}, Layout: "list",
	}},
	{"negation", "-status:closed -priority:low,normal", testVoc, Query{
		Filters: []Filter{not(eq("status", "closed")), not(eq("priority", "low", "normal"))}, Layout: "list",
	}},
	{"quoting and escapes", `text:"say \"hi\" \\ bye" tag:"two words",plain`, nil, Query{
		Filters: []Filter{f("text", Contains, `say "hi" \ bye`), eq("tag", "two words", "plain")}, Layout: "list",
	}},
	{"comma and pipe lists", "status:open|pending,new", testVoc, Query{
		Filters: []Filter{eq("status", "open", "pending", "new")}, Layout: "list",
	}},
	{"case folds to vocabulary spelling", "STATUS:Open Priority:HIGH severity:s1 Customer:ACME", testVoc, Query{
		Filters: []Filter{eq("status", "open"), eq("priority", "high"), eq("severity", "S1"), eq("customer", "acme")}, Layout: "list",
	}},
	{"nil vocabulary keeps values as typed", "status:Whatever customer:Foo type:x", nil, Query{
		Filters: []Filter{eq("status", "Whatever"), eq("customer", "Foo"), eq("type", "x")}, Layout: "list",
	}},
	{"version wildcards", "version:4.2.*,4.10.*", nil, Query{
		Filters: []Filter{f("version", Prefix, "4.2.", "4.10.")}, Layout: "list",
	}},
	{"semver comparisons normalize", "version:>=4.2 v:<v5.0.0-rc.1", nil, Query{
		Filters: []Filter{f("version", Ge, "4.2.0"), f("version", Lt, "5.0.0-rc.1")}, Layout: "list",
	}},
	{"version range by precedence", "version:4.9.0..4.10.0", nil, Query{
		Filters: []Filter{f("version", Between, "4.9.0", "4.10.0")}, Layout: "list",
	}},
	{"version names and none", "version:2024.1,NONE", nil, Query{
		Filters: []Filter{eq("version", "2024.1", "none")}, Layout: "list",
	}},
	{"quoted version is literal", `version:"4.2.*"`, nil, Query{
		Filters: []Filter{eq("version", "4.2.*")}, Layout: "list",
	}},
	{"date forms", "due:<2d created:>2026-11-01 updated:Today resolved:none", nil, Query{
		Filters: []Filter{f("due", Lt, "2d"), f("created", Gt, "2026-11-01"), eq("updated", "today"), eq("resolved", "none")}, Layout: "list",
	}},
	{"absolute date range", "created:2026-11-01..2026-11-30", nil, Query{
		Filters: []Filter{f("created", Between, "2026-11-01", "2026-11-30")}, Layout: "list",
	}},
	{"word range", "created:last-week..today", nil, Query{
		Filters: []Filter{f("created", Between, "last-week", "today")}, Layout: "list",
	}},
	{"overdue", "due:overdue -due:none", nil, Query{
		Filters: []Filter{eq("due", "overdue"), not(eq("due", "none"))}, Layout: "list",
	}},
	{"date comparisons", "created:<=2026-11-01 updated:>=3h resolved:<1w", nil, Query{
		Filters: []Filter{f("created", Le, "2026-11-01"), f("updated", Ge, "3h"), f("resolved", Lt, "1w")}, Layout: "list",
	}},
	{"relative dates normalize", "created:<07D due:2d", nil, Query{
		Filters: []Filter{f("created", Lt, "7d"), eq("due", "2d")}, Layout: "list",
	}},
	{"me and none", "assignee:me,none requester:ME", nil, Query{
		Filters: []Filter{eq("assignee", "me", "none"), eq("requester", "me")}, Layout: "list",
	}},
	{"user ids", "assignee:U024BE7LH,U999 requester:@bob", nil, Query{
		Filters: []Filter{eq("assignee", "U024BE7LH", "U999"), eq("requester", "@bob")}, Layout: "list",
	}},
	{"custom fields", "field.Region:emea,apac -field.plan:none", testVoc, Query{
		Filters: []Filter{eq("field.region", "emea", "apac"), not(eq("field.plan", "none"))}, Layout: "list",
	}},
	{"custom field without vocabulary", "field.Tier:Gold", nil, Query{
		Filters: []Filter{eq("field.tier", "Gold")}, Layout: "list",
	}},
	{"bare words", "login fails", nil, Query{Text: []string{"login", "fails"}, Layout: "list"}},
	{"bare phrase and negated words", `"login fails" -timeout -"rate limit"`, nil, Query{
		Filters: []Filter{not(f("text", Contains, "timeout")), not(f("text", Contains, "rate limit"))},
		Text:    []string{"login fails"}, Layout: "list",
	}},
	{"sort list with descending", "sort:-created,Priority", nil, Query{
		Sort: []SortKey{{"created", true}, {"priority", false}}, Layout: "list",
	}},
	{"group none is no group", "group:none as:list limit:50", nil, Query{Layout: "list", Limit: 50}},
	{"layouts", "as:Timeline limit:500", nil, Query{Layout: "timeline", Limit: 500}},
	{"ticket keys", "key:acme-42,ACME-7", nil, Query{Filters: []Filter{eq("key", "ACME-42", "ACME-7")}, Layout: "list"}},
	{"fixed vocabularies", "sla:MET source:email|slash blocked:no", nil, Query{
		Filters: []Filter{eq("sla", "met"), eq("source", "email", "slash"), eq("blocked", "no")}, Layout: "list",
	}},
	{"urls and times are text", "see http://x.io/a at 10:30", nil, Query{
		Text: []string{"see", "http://x.io/a", "at", "10:30"}, Layout: "list",
	}},
	{"unicode whitespace", "status:open\u00a0priority:high\tlogin\n", testVoc, Query{
		Filters: []Filter{eq("status", "open"), eq("priority", "high")}, Text: []string{"login"}, Layout: "list",
	}},
	{"empty input", "   ", nil, Query{Layout: "list"}},
	{"lone dash is ignored", "crash - login -", nil, Query{Text: []string{"crash", "login"}, Layout: "list"}},
	{"text is literal", "text:<div>,a..b*", nil, Query{Filters: []Filter{f("text", Contains, "<div>", "a..b*")}, Layout: "list"}},
	{"nullable enums", "severity:none customer:none tag:none,urgent-fix", testVoc, Query{
		Filters: []Filter{eq("severity", "none"), eq("customer", "none"), eq("tag", "none", "urgent-fix")}, Layout: "list",
	}},
	{"unicode text", "café ünïcode:x", nil, Query{Text: []string{"café", "ünïcode:x"}, Layout: "list"}},
}

func TestParseGood(t *testing.T) {
	for _, tc := range goodCases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.in, tc.voc)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if !q.Equal(&tc.want) {
				t.Fatalf("Parse(%q)\n got %#v\nwant %#v", tc.in, *q, tc.want)
			}
			// The canonical form must parse back to the same query.
			out := q.String()
			q2, err := Parse(out, tc.voc)
			if err != nil || !q2.Equal(q) {
				t.Fatalf("round trip via %q: %v\n got %#v", out, err, q2)
			}
		})
	}
}

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		fullExample: `status:open priority:high,urgent customer:acme assignee:me,none type:bug version:4.2.* ` +
			`sla:at-risk,breached,paused due:<2d created:>2026-11-01 blocked:yes text:"login fails" sort:due group:assignee as:cards`,
		`fails login -"x y" A:me`:                       `-text:"x y" assignee:me fails login`,
		`tag:"a,b" tag:"-x" "10:30" a*`:                 `tag:"a,b" tag:"-x" "10:30" "a*"`,
		`version:>=v4.2 created:2026-11-01..2026-11-30`: `version:>=4.2.0 created:2026-11-01..2026-11-30`,
		`text:"q\"uote"`:                                `text:"q\"uote"`,
	} {
		q, err := Parse(in, nil)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if got := q.String(); got != want {
			t.Errorf("Parse(%q).String()\n got %s\nwant %s", in, got, want)
		}
	}
}

var badCases = []struct {
	in, want string
	word     string // Error.Word, checked when set
}{
	{"statu:open", `unknown key "statu" at 1: did you mean "status"?`, "statu"},
	{"status:open priority:hgh", `bad value "hgh" for priority at 22: did you mean "high"? (one of low, normal, high, urgent)`, "hgh"},
	{"prioo:high", `unknown key "prioo" at 1: did you mean "priority"?`, ""},
	{"asignee:me", `unknown key "asignee" at 1: did you mean "assignee"?`, ""},
	{"crea:today", `unknown key "crea" at 1: did you mean "created"?`, ""},
	{"foo:bar", `unknown key "foo" at 1`, "foo"},
	{"status:clsoed", `bad value "clsoed" for status at 8: did you mean "closed"? (one of new, open, pending, resolved, closed)`, ""},
	{`text:"login fails`, `unterminated quote at 6 (close it with ")`, `"login fails`},
	{`status:open,"open`, `unterminated quote at 13 (close it with ")`, ""},
	{`tag:"a\"`, `unterminated quote at 5 (close it with ")`, ""},
	{"status:", `empty value for status at 8`, ""},
	{"status:open, priority:high", `empty value for status at 13`, ""},
	{`tag:""`, `empty value for tag at 5`, ""},
	{"sort:due sort:created", `duplicate sort at 10 (use one sort: with a list, e.g. sort:due,-created)`, "sort"},
	{"sort:due,-due", `duplicate sort field "due" at 10`, ""},
	{"sort:prio", `bad value "prio" for sort at 6: did you mean "priority"? (one of due, created, updated, priority, key; prefix "-" for descending)`, ""},
	{"-sort:due", `sort cannot be negated at 1`, ""},
	{"group:status group:type", `duplicate group at 14 (give group: once)`, ""},
	{"limit:0", `limit 0 out of range at 7 (want 1..500)`, "0"},
	{"limit:501", `limit 501 out of range at 7 (want 1..500)`, ""},
	{"limit:ten", `bad value "ten" for limit at 7 (want a number from 1 to 500)`, ""},
	{"created:2026-13-01", `bad date "2026-13-01" for created at 9 (` + dateHint + `)`, "2026-13-01"},
	{"created:2026-02-30", `bad date "2026-02-30" for created at 9 (` + dateHint + `)`, ""},
	{"due:tody", `bad date "tody" for due at 5: did you mean "today"? (` + dateHint + `)`, ""},
	{"due:0d", `bad date "0d" for due at 5 (` + dateHint + `)`, ""},
	{"created:overdue", `bad date "overdue" for created at 9 (overdue applies to due only)`, ""},
	{"due:<overdue", `bad date "<overdue" for due at 5 (overdue takes no <, <=, >, >=)`, ""},
	{"created:none", `bad date "none" for created at 9 (every ticket has a created date)`, ""},
	{"created:2026-11-30..2026-11-01", `reversed range "2026-11-30..2026-11-01" for created at 9 (start must not be after end)`, ""},
	{"created:<2026-11-01..2026-11-30", `bad date "<2026-11-01..2026-11-30" for created at 9 (a range takes no <, <=, >, >=)`, ""},
	{"created:3d..1d", `bad date "3d..1d" for created at 9 (a range joins two dates or calendar words, e.g. 2026-11-01..2026-11-30)`, ""},
	{"due:today,tomorrow", `due takes a single value at 11 (lists are not allowed here)`, "tomorrow"},
	{"as:grid", `bad value "grid" for as at 4 (one of list, cards, tree, calendar, timeline)`, ""},
	{"as:card", `bad value "card" for as at 4: did you mean "cards"? (one of list, cards, tree, calendar, timeline)`, ""},
	{"priority:>high", `comparison not allowed for priority at 10 (only dates and versions compare)`, ""},
	{"version:4.2.*,4.3.0", `cannot mix wildcard and exact versions at 15 (use two queries, or wildcards only)`, ""},
	{"version:>=4.x", `bad version ">=4.x" for version at 9 (want semver like 4.2.0)`, ""},
	{"version:5.0.0..4.0.0", `reversed range "5.0.0..4.0.0" for version at 9 (start must not be after end)`, ""},
	{"version:4.*.1", `bad version "4.*.1" for version at 9 (* goes at the end, e.g. 4.2.*)`, ""},
	{"version:>4,5", `bad version ">4" for version at 9 (comparisons and ranges take a single value)`, ""},
	{"key:acme", `bad value "acme" for key at 5 (want a ticket key like ACME-42)`, ""},
	{"field.regoin:emea", `unknown field "regoin" at 1: did you mean "region"? (one of region, plan)`, "field.regoin"},
	{"field.:x", `empty field name at 1 (use field.<name>:value)`, ""},
	{`tag:a"b`, `unexpected quote at 6 (quote a whole value: tag:"two words")`, `"`},
	{`say"hi`, `unexpected quote at 4 (quote a whole value: tag:"two words")`, ""},
	{`text:"a"b c`, `missing space before "b" at 9`, "b"},
	{"requester:none", `bad value "none" for requester at 11 (every ticket has a requester)`, ""},
	{"sla:late", `bad value "late" for sla at 5 (one of on-track, at-risk, breached, paused, met)`, ""},
}

func TestParseBad(t *testing.T) {
	for _, tc := range badCases {
		t.Run(tc.in, func(t *testing.T) {
			q, err := Parse(tc.in, testVoc)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want error", tc.in, q)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T, want *Error", tc.in, err)
			}
			if err.Error() != tc.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.in, err, tc.want)
			}
			if tc.word != "" && e.Word != tc.word {
				t.Errorf("Parse(%q) Word = %q, want %q", tc.in, e.Word, tc.word)
			}
			if e.Pos < 0 || e.Pos > e.End || e.End > len(tc.in) {
				t.Errorf("Parse(%q) span [%d,%d) outside input", tc.in, e.Pos, e.End)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(fullExample, testVoc); err != nil {
			b.Fatal(err)
		}
	}
}
