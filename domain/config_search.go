package domain

import (
	"regexp"

	"gopkg.in/yaml.v3"
)

// SearchConfig shapes full-text search (the `search:` section).
type SearchConfig struct {
	// Language is the PostgreSQL text search configuration the index
	// and the searches use: simple (the default) matches words as written,
	// english, german, french … also match their other forms. SQLite's
	// index has no language. A change rebuilds the index at the next start.
	Language string `yaml:"language"`
	Line     int    `yaml:"-"`
}

// DefaultSearchLanguage matches words as they are written, in any language.
const DefaultSearchLanguage = "simple"

func (s *SearchConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain SearchConfig
	s.Line = n.Line
	return decodeStrict(n, (*plain)(s))
}

// searchLangRE: the shape of a text search configuration's name; whether
// PostgreSQL has it is checked when the database opens.
var searchLangRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

func (c *Config) validateSearch(p *problems) {
	if c.Search.Language == "" {
		c.Search.Language = DefaultSearchLanguage
	}
	if !searchLangRE.MatchString(c.Search.Language) {
		p.add(c.Search.Line, "search.language %q is not a text search configuration name (simple, english, german …)", c.Search.Language)
	}
}
