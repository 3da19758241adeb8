package bot

import (
	"testing"

	"github.com/deskbot/deskbot/domain"
)

const hs, he = domain.HitStart, domain.HitEnd

func TestSnippetText(t *testing.T) {
	for in, want := range map[string]string{
		"we sent the " + hs + "refund" + he + "\nyesterday": "we sent the *refund* yesterday",
		"<!channel> & " + hs + "<b>" + he + " >":            "&lt;!channel&gt; &amp; *&lt;b&gt;* &gt;",
		hs + "a*b" + he + " and " + hs + "*" + he + " end":  "*ab* and * end",
		"cut " + hs + "refu":                                "cut *refu*",
		"stray " + he + "end " + hs + " " + he:              "stray end  ",
		"a " + hs + "two words" + he + ".":                  "a *two words*.",
		"plain":                                             "plain",
	} {
		if got := snippetText(in); got != want {
			t.Errorf("snippetText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearchQuery(t *testing.T) {
	for in, want := range map[string]string{
		"refund invoice":       `text:"refund" text:"invoice" all`,
		`"bank transfer" ref*`: `text:"\"bank transfer\" ref*" all`,
		`open status:closed`:   `text:"open" text:"status:closed" all`,
		`back\slash`:           `text:"back\\slash" all`,
	} {
		if got := searchQuery(in); got != want {
			t.Errorf("searchQuery(%q) = %s, want %s", in, got, want)
		}
	}
}
