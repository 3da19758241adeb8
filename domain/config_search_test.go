package domain_test

import (
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
)

func TestConfigSearchLanguage(t *testing.T) {
	c, err := domain.ParseOwnConfig("deskbot.yaml", []byte(validYAML))
	if err != nil {
		t.Fatal(err)
	}
	if c.Search.Language != "simple" {
		t.Errorf("default language %q", c.Search.Language)
	}
	c, err = domain.ParseOwnConfig("deskbot.yaml", []byte(validYAML+"search:\n  language: english\n"))
	if err != nil || c.Search.Language != "english" {
		t.Fatalf("english: %v %v", c, err)
	}
	for in, want := range map[string]string{
		"search:\n  language: \"english; DROP\"\n": `deskbot.yaml:15: search.language "english; DROP" is not a text search configuration name`,
		"search:\n  langauge: english\n":           `deskbot.yaml:15: unknown key "langauge" (did you mean "language"?)`,
	} {
		_, err := domain.ParseOwnConfig("deskbot.yaml", []byte(validYAML+in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %s", in, err, want)
		}
	}
}
