package domain

import (
	"errors"
	"fmt"
	"github.com/deskbot/deskbot/domain/query"
	"reflect"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeStrict decodes a mapping node into a struct pointer, refusing keys
// the struct does not have. yaml.v3's KnownFields does not reach into types
// with their own UnmarshalYAML, so every config type checks keys this way.
//
// Unknown keys are reported and left out, and the rest is decoded all the
// same: the problems come back as one *yaml.TypeError, which yaml.v3
// collects from nested decoders while it goes on, so a file's every
// problem is reported at once.
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return lineErr(n.Line, fmt.Sprintf("expected a mapping of keys, found %s", nodeKind(n)))
	}
	known := yamlKeys(reflect.TypeOf(v).Elem())
	var errs []string
	clean := *n
	clean.Content = make([]*yaml.Node, 0, len(n.Content))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key %q; known keys: %s", k.Value, strings.Join(known, ", "))
			if s, ok := query.Suggest(k.Value, known); ok {
				msg = fmt.Sprintf("unknown key %q (did you mean %q?)", k.Value, s)
			}
			errs = append(errs, fmt.Sprintf("line %d: %s", k.Line, msg))
			continue
		}
		clean.Content = append(clean.Content, k, n.Content[i+1])
	}
	if err := collect(&errs, clean.Decode(v)); err != nil {
		return err
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

// lineErr is a problem at a line of the file, as a *yaml.TypeError so
// that decoding goes on past it (see decodeStrict).
func lineErr(line int, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", line, msg)}}
}

// collect appends the problems of a *yaml.TypeError to errs and returns
// any other error, which stops decoding.
func collect(errs *[]string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		*errs = append(*errs, te.Errors...)
		return nil
	}
	return err
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func yamlKeys(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	sort.Strings(out)
	return out
}

// The item types record their line so validation can point at them.

func (c *Config) UnmarshalYAML(n *yaml.Node) error {
	type plain Config
	return decodeStrict(n, (*plain)(c))
}

func (s *StatusDef) UnmarshalYAML(n *yaml.Node) error {
	type plain StatusDef
	s.Line = n.Line
	return decodeStrict(n, (*plain)(s))
}

func (t *TypeDef) UnmarshalYAML(n *yaml.Node) error {
	type plain TypeDef
	t.Line = n.Line
	return decodeStrict(n, (*plain)(t))
}

func (f *FieldDef) UnmarshalYAML(n *yaml.Node) error {
	type plain FieldDef
	f.Line = n.Line
	return decodeStrict(n, (*plain)(f))
}

func (w *Workflow) UnmarshalYAML(n *yaml.Node) error {
	type plain Workflow
	w.Line = n.Line
	return decodeStrict(n, (*plain)(w))
}

func (t *Transition) UnmarshalYAML(n *yaml.Node) error {
	type plain Transition
	t.Line = n.Line
	return decodeStrict(n, (*plain)(t))
}

func (s *SlackConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain SlackConfig
	s.Line = n.Line
	return decodeStrict(n, (*plain)(s))
}

func (l *StringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = StringList{n.Value}
		return nil
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*l = s
		return nil
	}
	return lineErr(n.Line, "expected a status or a list of statuses")
}
