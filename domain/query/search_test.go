package query

import (
	"reflect"
	"testing"
)

func w(words ...string) SearchTerm  { return SearchTerm{Words: words} }
func pw(words ...string) SearchTerm { return SearchTerm{Words: words, Prefix: true} }

var searchCases = []struct {
	in   string
	want []SearchTerm
	ts   string
	fts  string
}{
	{"refund", []SearchTerm{w("refund")}, `('refund')`, `"refund"`},
	{"refund*", []SearchTerm{pw("refund")}, `('refund':*)`, `"refund"*`},
	{"login fails", []SearchTerm{w("login", "fails")}, `('login' <-> 'fails')`, `"login fails"`},
	{`"exact phrase" refund*`, []SearchTerm{w("exact", "phrase"), pw("refund")}, `('exact' <-> 'phrase') & ('refund':*)`, `"exact phrase" AND "refund"*`},
	{`"invoice export"*`, []SearchTerm{pw("invoice", "export")}, `('invoice' <-> 'export':*)`, `"invoice export"*`},
	{`a "b c`, []SearchTerm{w("a"), w("b", "c")}, `('a') & ('b' <-> 'c')`, `"a" AND "b c"`},
	{"*", nil, ``, ``},
	{"** * ***", nil, ``, ``},
	{`""`, nil, ``, ``},
	{`"`, nil, ``, ``},
	{`" "`, nil, ``, ``},
	{"& | ! ( ) <-> :*", nil, ``, ``},
	{`it's`, []SearchTerm{w("it's")}, `('it''s')`, `"it's"`},
	{`back\slash`, []SearchTerm{w(`back\slash`)}, `('back\\slash')`, `"back\slash"`},
	{`"NEAR(a b)" x`, []SearchTerm{w("NEAR(a", "b)"), w("x")}, `('NEAR(a' <-> 'b)') & ('x')`, `"NEAR(a b)" AND "x"`},
	{`title:secret`, []SearchTerm{w("title:secret")}, `('title:secret')`, `"title:secret"`},
	{`a" OR "b`, []SearchTerm{w("a"), w("OR"), w("b")}, `('a') & ('OR') & ('b')`, `"a" AND "OR" AND "b"`},
	{`'); DROP TABLE tickets; --`, []SearchTerm{w("DROP", "TABLE", "tickets;")}, `('DROP' <-> 'TABLE' <-> 'tickets;')`, `"DROP TABLE tickets;"`},
	{`x"y"z`, []SearchTerm{w("x"), w("y"), w("z")}, `('x') & ('y') & ('z')`, `"x" AND "y" AND "z"`},
	{`ref*und`, []SearchTerm{w("ref*und")}, `('ref*und')`, `"ref*und"`},
	{`déjà vu`, []SearchTerm{w("déjà", "vu")}, `('déjà' <-> 'vu')`, `"déjà vu"`},
}

func TestParseSearch(t *testing.T) {
	for _, c := range searchCases {
		got := ParseSearch(c.in)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseSearch(%q) = %#v, want %#v", c.in, got, c.want)
			continue
		}
		if ts := TSQuery(got, "&"); ts != c.ts {
			t.Errorf("TSQuery(%q) = %s, want %s", c.in, ts, c.ts)
		}
		fts := FTS5Match(got, "AND")
		if fts != c.fts {
			t.Errorf("FTS5Match(%q) = %s, want %s", c.in, fts, c.fts)
		}
	}
}

func TestSearchOr(t *testing.T) {
	terms := []SearchTerm{w("a"), pw("b", "c")}
	if got := TSQuery(terms, "|"); got != `('a') | ('b' <-> 'c':*)` {
		t.Errorf("TSQuery = %s", got)
	}
	if got := FTS5Match(terms, "OR"); got != `"a" OR "b c"*` {
		t.Errorf("FTS5Match = %s", got)
	}
}
