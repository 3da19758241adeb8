package query

import (
	"fmt"
	"strings"
)

// VersionKey encodes a version so that byte order (SQLite's BINARY,
// PostgreSQL's COLLATE "C") is CompareVersions order: storage keeps it
// beside the version and translates version comparisons into comparisons
// of keys, so they run in SQL on both databases and can use an index.
//
// A semver value becomes its three numbers, each as a two-digit length
// then the digits (longer numbers are larger), then "~" for a release or
// "!" and the pre-release identifiers for a pre-release, which sorts it
// before its release ("!" < "~"). Identifiers are "0"+length+digits when
// numeric and "1"+text otherwise (numeric ones first, as semver says),
// each followed by "!", the list closed by " ", which is lower than any
// identifier byte so that a shorter list of equal identifiers comes first.
// Other values sort after every semver value as "~" + the text; "" stays "".
func VersionKey(v string) string {
	if v == "" {
		return ""
	}
	sv, ok := parseSemver(v)
	if !ok || len(sv.nums[0]) > 99 || len(sv.nums[1]) > 99 || len(sv.nums[2]) > 99 {
		return "~" + v
	}
	var b strings.Builder
	for _, n := range sv.nums {
		fmt.Fprintf(&b, "%02d%s", len(n), n)
	}
	if sv.pre == nil {
		b.WriteByte('~')
		return b.String()
	}
	b.WriteByte('!')
	for _, id := range sv.pre {
		if strings.Trim(id, "0123456789") == "" {
			n := strings.TrimLeft(id, "0")
			if n == "" {
				n = "0"
			}
			fmt.Fprintf(&b, "0%02d%s!", len(n), n)
		} else {
			b.WriteString("1" + id + "!")
		}
	}
	b.WriteByte(' ')
	return b.String()
}
