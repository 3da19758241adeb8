package domain

import (
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
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return &lineError{n.Line, fmt.Sprintf("expected a mapping of keys, found %s", nodeKind(n))}
	}
	known := yamlKeys(reflect.TypeOf(v).Elem())
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key %q; known keys: %s", k.Value, strings.Join(known, ", "))
			if s, ok := query.Suggest(k.Value, known); ok {
				msg = fmt.Sprintf("unknown key %q (did you mean %q?)", k.Value, s)
			}
			return &lineError{k.Line, msg}
		}
	}
	return n.Decode(v)
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
	return &lineError{n.Line, "expected a status or a list of statuses"}
}
