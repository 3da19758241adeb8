package backup

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestKindOf(t *testing.T) {
	for typ, want := range map[string]Kind{
		"BIGINT": KindInt, "INTEGER": KindInt, "integer": KindInt, "bigint": KindInt,
		"TEXT": KindText, "text": KindText, "character varying": KindText, "jsonb": KindText,
		"BOOLEAN": KindBool, "boolean": KindBool,
		"TIMESTAMP": KindTime, "timestamp with time zone": KindTime, "timestamp without time zone": KindTime,
		"BLOB": KindBytes, "bytea": KindBytes, "double precision": KindFloat, "REAL": KindFloat,
	} {
		if got, err := KindOf(typ); err != nil || got != want {
			t.Errorf("KindOf(%q) = %v, %v; want %v", typ, got, err, want)
		}
	}
	if _, err := KindOf("tsvector"); err == nil || !strings.Contains(err.Error(), `"tsvector" has no export kind`) {
		t.Errorf("tsvector: %v", err)
	}
}

// What either database returns encodes to one JSON value, and decodes to
// what both take.
func TestEncodeDecode(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 38, 0, 123456789, time.FixedZone("CET", 3600))
	for _, c := range []struct {
		kind Kind
		in   []any // driver values that must encode alike
		json string
		back any
	}{
		{KindText, []any{"a \"b\" <c>\n", []byte("a \"b\" <c>\n")}, `"a \"b\" <c>\n"`, "a \"b\" <c>\n"},
		{KindInt, []any{int64(-42), []byte("-42"), "-42"}, `-42`, int64(-42)},
		{KindBool, []any{true, int64(1)}, `true`, true},
		{KindBool, []any{false, int64(0)}, `false`, false},
		{KindTime, []any{at, at.UTC(), "2026-03-10 08:38:00.123456789+00:00"}, `"2026-03-10T08:38:00.123456Z"`, time.Date(2026, 3, 10, 8, 38, 0, 123456000, time.UTC)},
		{KindBytes, []any{[]byte{0, 1, 255}}, `"AAH/"`, []byte{0, 1, 255}},
		{KindFloat, []any{1.5, []byte("1.5")}, `1.5`, 1.5},
		{KindText, []any{nil}, `null`, nil},
	} {
		for _, in := range c.in {
			v, err := Encode(c.kind, in)
			if err != nil {
				t.Fatalf("Encode(%v, %#v): %v", c.kind, in, err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(buf.String()); got != c.json {
				t.Errorf("Encode(%v, %#v) writes %s, want %s", c.kind, in, got, c.json)
			}
			dec := json.NewDecoder(&buf)
			dec.UseNumber()
			var read any
			if err := dec.Decode(&read); err != nil {
				t.Fatal(err)
			}
			back, err := Decode(c.kind, read)
			if err != nil {
				t.Fatalf("Decode(%v, %v): %v", c.kind, read, err)
			}
			if !equalValue(back, c.back) {
				t.Errorf("Decode(%v, %s) = %#v, want %#v", c.kind, c.json, back, c.back)
			}
		}
	}
}

func equalValue(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	}
	return a == b
}

func TestDecodeRefuses(t *testing.T) {
	for _, c := range []struct {
		kind Kind
		v    any
		want string
	}{
		{KindInt, "7", "wants an integer, not a string"},
		{KindInt, json.Number("1e400"), "1e400 is not an integer"},
		{KindBool, json.Number("1"), "wants true or false, not the number 1"},
		{KindTime, "tuesday", `"tuesday" is not a time`},
		{KindBytes, "not base64!", "not base64"},
		{KindText, true, "wants a string, not a boolean"},
	} {
		if _, err := Decode(c.kind, c.v); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%v, %#v): %v, want %q", c.kind, c.v, err, c.want)
		}
	}
}
