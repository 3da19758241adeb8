package domain

// ParseOwnConfig parses a file that is the whole config, as
// `defaults: none` does: the tests of validation use small complete files.
func ParseOwnConfig(name string, data []byte) (*Config, error) {
	return parseConfig(name, data, false)
}
