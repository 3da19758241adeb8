package textclean_test

import (
	"encoding/json"
	"testing"

	"github.com/deskbot/deskbot/domain/textclean"
)

type inner struct {
	Value string
	Raw   json.RawMessage
	n     string
}

type payload struct {
	Text    string
	Ptr     *inner
	List    []inner
	Arr     [2]string
	Values  map[string]map[string]inner
	Any     any
	AnyPtr  any
	Counts  map[string]int
	private string
}

func TestStringsCleansEveryStringInPlace(t *testing.T) {
	p := payload{
		Text:    "a\x00",
		Ptr:     &inner{Value: "b\x00", Raw: json.RawMessage("\"\x00\""), n: "\x00"},
		List:    []inner{{Value: "c\x00"}},
		Arr:     [2]string{"d\x00", "ok"},
		Values:  map[string]map[string]inner{"blk\x00": {"act": {Value: "e\u202e\x00"}}},
		Any:     inner{Value: "f\x00"},
		AnyPtr:  &inner{Value: "g\x00"},
		Counts:  map[string]int{"x": 1},
		private: "\x00",
	}
	textclean.Strings(&p, textclean.Visible)
	checks := map[string]string{
		"Text": p.Text, "Ptr.Value": p.Ptr.Value, "List[0]": p.List[0].Value, "Arr[0]": p.Arr[0],
		"Values": p.Values["blk\x00"]["act"].Value, "Any": p.Any.(inner).Value, "AnyPtr": p.AnyPtr.(*inner).Value,
	}
	want := map[string]string{"Text": "a", "Ptr.Value": "b", "List[0]": "c", "Arr[0]": "d",
		"Values": "e[U+202E]", "Any": "f", "AnyPtr": "g"}
	for k, got := range checks {
		if got != want[k] {
			t.Errorf("%s = %q, want %q", k, got, want[k])
		}
	}
	// Bytes, map keys and unexported fields are not the walk's to change.
	if string(p.Ptr.Raw) != "\"\x00\"" || p.Ptr.n != "\x00" || p.private != "\x00" {
		t.Errorf("bytes or unexported fields changed: %q %q %q", p.Ptr.Raw, p.Ptr.n, p.private)
	}
	if _, ok := p.Values["blk\x00"]; !ok {
		t.Error("a map key changed")
	}
}

func TestStringsIgnoresNonPointers(t *testing.T) {
	s := "a\x00"
	textclean.Strings(s, textclean.Text) // must not panic
	textclean.Strings((*payload)(nil), textclean.Text)
}
