package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEsc(t *testing.T) {
	for in, want := range map[string]string{
		"<!channel> ping":      "&lt;!channel&gt; ping",
		"<!here|here>":         "&lt;!here|here&gt;",
		"<@U123> & <#C1|x>":    "&lt;@U123&gt; &amp; &lt;#C1|x&gt;",
		"a &amp; b":            "a &amp;amp; b",
		"plain *bold* _it_ 漢字": "plain *bold* _it_ 漢字",
	} {
		if got := esc(in); got != want {
			t.Errorf("esc(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCut(t *testing.T) {
	if got := cut("hello world", 8); got != "hello w…" || utf8.RuneCountInString(got) > 8 {
		t.Errorf("cut: %q", got)
	}
	if got := cut("漢字漢字漢字", 4); got != "漢字漢…" {
		t.Errorf("cut runes: %q", got)
	}
	if got := cut("short", 10); got != "short" {
		t.Errorf("no cut: %q", got)
	}
	long := strings.Repeat("<", 100)
	got := escCut(long, 10)
	if utf8.RuneCountInString(got) > 10 || strings.HasSuffix(strings.TrimSuffix(got, "…"), "&") || strings.Contains(got, "&l…") {
		t.Errorf("escCut split an entity: %q", got)
	}
}
