package domain

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// A deskbot.yaml names only what it changes: it is merged over the
// built-in defaults. Mappings merge key by key, at every depth (one SLA
// target of one policy can change alone); a list, or any other value,
// replaces what the defaults have under that key. `defaults: none` at the
// top of a file turns the merging off: the file is the whole config.

// defaultsKey is the top-level key that says what a file is merged over.
const defaultsKey = "defaults"

// defaultsLine offsets the lines of the built-in defaults in a merged
// tree, so a problem found in a value that came from them is reported
// against defaults.yaml and never against a line of the admin's file.
const defaultsLine = 1_000_000

// DefaultsName is how problems and `config show` name the built-in file.
const DefaultsName = "defaults.yaml"

// mergedConfig is a config file's tree over the defaults' tree.
type mergedConfig struct {
	root *yaml.Node // the mapping that is decoded
	// own reports whether the file said `defaults: none`.
	own bool
}

// mergeOverDefaults reads the file's top-level mapping and merges it over
// the defaults unless it opts out. doc is nil for an empty file (only
// comments): the defaults as they are.
func mergeOverDefaults(doc *yaml.Node) (*mergedConfig, []string) {
	var problems []string
	own := false
	if doc != nil && doc.Kind == yaml.MappingNode {
		kept := doc.Content[:0:0]
		for i := 0; i+1 < len(doc.Content); i += 2 {
			k, v := doc.Content[i], doc.Content[i+1]
			if k.Value != defaultsKey {
				kept = append(kept, k, v)
				continue
			}
			if v.Kind == yaml.ScalarNode && v.Value == "none" {
				own = true
			} else {
				problems = append(problems, fmt.Sprintf("%d: defaults: only `defaults: none` is understood (the file is then the whole config); leave the key out to merge over the built-in defaults", v.Line))
			}
		}
		doc.Content = kept
	}
	if own {
		if doc == nil || len(doc.Content) == 0 {
			problems = append(problems, " the file says `defaults: none` and defines nothing")
		}
		return &mergedConfig{root: doc, own: true}, problems
	}
	base := defaultsTree()
	if doc == nil {
		return &mergedConfig{root: base}, problems
	}
	if doc.Kind != yaml.MappingNode {
		problems = append(problems, fmt.Sprintf("%d: expected a mapping of keys, found %s", doc.Line, nodeKind(doc)))
		return &mergedConfig{root: base}, problems
	}
	// A default that names an item of a list the file replaced is the
	// file's to choose: left out, it is derived again (the first type,
	// the middle priority), so a file with one type of its own is valid.
	for list, dflt := range map[string]string{"types": "default_type", "priorities": "default_priority"} {
		if mappingIndex(doc, list) >= 0 && mappingIndex(doc, dflt) < 0 {
			if i := mappingIndex(base, dflt); i >= 0 {
				base.Content = append(base.Content[:i:i], base.Content[i+2:]...)
			}
		}
	}
	return &mergedConfig{root: mergeNodes(base, doc)}, problems
}

// defaultsTree parses the built-in defaults with their lines offset.
func defaultsTree() *yaml.Node {
	var root yaml.Node
	if err := yaml.Unmarshal(defaultYAML, &root); err != nil {
		panic(err) // the defaults ship in the binary and are tested
	}
	doc := root.Content[0]
	walk(doc, func(n *yaml.Node) { n.Line += defaultsLine })
	return doc
}

func walk(n *yaml.Node, fn func(*yaml.Node)) {
	fn(n)
	for _, c := range n.Content {
		walk(c, fn)
	}
}

// mergeNodes lays over on base: mappings merge by key, anything else in
// over replaces what base has.
func mergeNodes(base, over *yaml.Node) *yaml.Node {
	if base == nil || base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := *base
	// The file names this mapping: problems in it point at the file.
	out.Line, out.Column, out.Style = over.Line, over.Column, over.Style
	out.Content = append([]*yaml.Node(nil), base.Content...)
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		j := mappingIndex(&out, k.Value)
		if j < 0 {
			out.Content = append(out.Content, k, v)
			continue
		}
		// The file's key stands, so its line is the one reported.
		out.Content[j], out.Content[j+1] = k, mergeNodes(out.Content[j+1], v)
	}
	return &out
}

func mappingIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

var problemLineRE = regexp.MustCompile(`^(\d+): `)

// defaultsHint follows problems found in values from the defaults.
const defaultsHint = " the problems at defaults.yaml are built-in defaults that no longer fit what your file changed: set those sections in your file too, or start it with `defaults: none`"

// placeProblem turns a problem at an offset line into one naming the
// built-in defaults, where that value came from.
func placeProblem(p string) string {
	m := problemLineRE.FindStringSubmatch(p)
	if m == nil {
		return p
	}
	n, _ := strconv.Atoi(m[1])
	if n < defaultsLine {
		return p
	}
	return fmt.Sprintf(" %s:%d: %s", DefaultsName, n-defaultsLine, p[len(m[0]):])
}

// ShowConfig prints the effective configuration of a file (nil data: no
// file, the defaults alone) as YAML that, used as a file, gives the same
// configuration. Each value the file set carries a comment naming its line.
func ShowConfig(name string, data []byte) ([]byte, error) {
	if _, err := ParseConfig(name, data); err != nil {
		return nil, err
	}
	var doc *yaml.Node
	if data != nil {
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			return nil, err
		}
		if len(root.Content) > 0 {
			doc = root.Content[0]
		}
	}
	m, _ := mergeOverDefaults(doc)
	tree := m.root
	if tree == nil {
		tree = &yaml.Node{Kind: yaml.MappingNode}
	}
	walk(tree, func(n *yaml.Node) {
		n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	})
	for i := 0; i+1 < len(tree.Content); i += 2 {
		markFromFile(tree.Content[i], tree.Content[i+1], name)
	}
	if m.own {
		tree.Content = append([]*yaml.Node{
			{Kind: yaml.ScalarNode, Value: defaultsKey, LineComment: "from " + name},
			{Kind: yaml.ScalarNode, Value: "none"},
		}, tree.Content...)
	}
	var b bytes.Buffer
	b.WriteString("# The configuration deskbot runs with: the built-in defaults")
	if data != nil {
		fmt.Fprintf(&b, " with %s over them", name)
	}
	b.WriteString(".\n# Values marked \"from FILE:LINE\" come from that file; the rest are defaults.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(tree); err != nil {
		return nil, fmt.Errorf("config: unable to print: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("config: unable to print: %w", err)
	}
	return b.Bytes(), nil
}

// markFromFile comments the values the file set: a scalar or a list on
// its key's line, a mapping's own keys one by one.
func markFromFile(k, v *yaml.Node, name string) {
	if v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 {
		for i := 0; i+1 < len(v.Content); i += 2 {
			markFromFile(v.Content[i], v.Content[i+1], name)
		}
		return
	}
	if k.Line > 0 && k.Line < defaultsLine {
		// On the value: yaml.v3 misplaces a key's comment when the value
		// is a flow collection.
		v.LineComment = fmt.Sprintf("from %s:%d", name, k.Line)
	}
}

// StarterConfig is the commented file `deskbot config init` writes: it
// changes nothing until a line is uncommented, and each example is valid
// on its own.
func StarterConfig() []byte { return []byte(starterConfig) }

const starterConfig = `# deskbot.yaml — name only what you change; everything else keeps the
# built-in defaults. Mappings merge key by key; a list replaces the list it
# names. ` + "`deskbot config show`" + ` prints the configuration that results and
# ` + "`deskbot config check`" + ` validates this file. Every section is documented in
# domain/defaults.yaml. A first line ` + "`defaults: none`" + ` makes this file the whole
# configuration instead.
#
# Uncomment what you need.

# One SLA target of one policy (the others stay as they are):
# sla_policies:
#   standard:
#     targets:
#       urgent: {first_response: 1h, resolution: 8h}

# Your office hours and holidays (IANA time zone):
# calendars:
#   business:
#     time_zone: America/New_York
#     hours:
#       mon-fri: ["08:00-18:00"]
#     holidays: ["01-01", "07-04", "12-25"]

# Who counts as an agent (user IDs or a user group), leads and admins:
# slack:
#   agent_group: S0123ABCD
#   leads: [U0123ABCD]
#   admins: [U0123ABCD]

# Where breaches are announced:
# sla:
#   escalation_channel: C0123ABCD

# Billing currency and rates:
# time:
#   currency: EUR
#   rates:
#     types: {incident: 200}
`
