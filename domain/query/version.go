package query

import (
	"cmp"
	"strconv"
	"strings"
)

// parseVersion handles version: values. Plain values are release names and
// are kept as typed; 4.2.* is a prefix; <, <=, >, >= and a..b need semver
// because they compare by semver precedence, not text.
func parseVersion(d *keyDef, parts []part) (Op, []string, error) {
	if pt := parts[0]; len(parts) == 1 && !pt.quoted {
		bad := func() (Op, []string, error) {
			return "", nil, errPart(pt, "bad version "+strconv.Quote(pt.text)+" for "+d.name, "want semver like 4.2.0")
		}
		if op, rest := cmpPrefix(pt.text); op != Eq {
			v, ok := canonicalSemver(rest)
			if !ok {
				return bad()
			}
			return op, []string{v}, nil
		}
		if lo, hi, ok := strings.Cut(pt.text, ".."); ok {
			a, okA := canonicalSemver(lo)
			b, okB := canonicalSemver(hi)
			if !okA || !okB {
				return bad()
			}
			if CompareVersions(a, b) > 0 {
				return "", nil, errPart(pt, "reversed range "+strconv.Quote(pt.text)+" for "+d.name, "start must not be after end")
			}
			return Between, []string{a, b}, nil
		}
	}
	var vals []string
	wild, exact := 0, 0
	for _, pt := range parts {
		v := pt.text
		switch {
		case strings.EqualFold(v, "none"):
			v = "none"
			exact++
		case pt.quoted:
			exact++
		case v[0] == '<' || v[0] == '>' || strings.Contains(v, ".."):
			return "", nil, errPart(pt, "bad version "+strconv.Quote(v)+" for "+d.name, "comparisons and ranges take a single value")
		case strings.HasSuffix(v, "*") && len(v) > 1 && strings.Count(v, "*") == 1:
			v = v[:len(v)-1]
			wild++
		case strings.Contains(v, "*"):
			return "", nil, errPart(pt, "bad version "+strconv.Quote(v)+" for "+d.name, "* goes at the end, e.g. 4.2.*")
		default:
			exact++
		}
		if wild > 0 && exact > 0 {
			// One Filter has one Op; an OR across two ops would need a tree.
			return "", nil, errPart(pt, "cannot mix wildcard and exact versions", "use two queries, or wildcards only")
		}
		vals = append(vals, v)
	}
	if wild > 0 {
		return Prefix, vals, nil
	}
	return Eq, vals, nil
}

type semver struct {
	nums [3]string // decimal, no leading zeros, so longer means larger
	pre  []string
}

// parseSemver accepts MAJOR[.MINOR[.PATCH]][-PRERELEASE] with an optional
// leading v; missing parts are zero, so >=4.2 means >=4.2.0.
func parseSemver(s string) (semver, bool) {
	var v semver
	s = strings.TrimPrefix(s, "v")
	core, pre, hasPre := strings.Cut(s, "-")
	if hasPre {
		v.pre = strings.Split(pre, ".")
		for _, id := range v.pre {
			if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
				return v, false
			}
		}
	}
	nums := strings.Split(core, ".")
	if len(nums) > 3 {
		return v, false
	}
	v.nums = [3]string{"0", "0", "0"}
	for i, n := range nums {
		if n == "" || strings.Trim(n, "0123456789") != "" {
			return v, false
		}
		if n = strings.TrimLeft(n, "0"); n != "" {
			v.nums[i] = n
		}
	}
	return v, true
}

func canonicalSemver(s string) (string, bool) {
	v, ok := parseSemver(s)
	if !ok {
		return "", false
	}
	out := strings.Join(v.nums[:], ".")
	if v.pre != nil {
		out += "-" + strings.Join(v.pre, ".")
	}
	return out, true
}

// CompareVersions orders versions by semver precedence (4.10.0 > 4.9.0,
// 4.2.0-rc.1 < 4.2.0) and returns -1, 0 or +1. Values that are not semver
// compare as plain text, after all semver values. Storage and in-memory
// filters use it for version comparisons.
func CompareVersions(a, b string) int {
	va, okA := parseSemver(a)
	vb, okB := parseSemver(b)
	switch {
	case !okA && !okB:
		return strings.Compare(a, b)
	case !okA:
		return 1
	case !okB:
		return -1
	}
	for i := range va.nums {
		if c := cmpNum(va.nums[i], vb.nums[i]); c != 0 {
			return c
		}
	}
	switch {
	case va.pre == nil && vb.pre == nil:
		return 0
	case va.pre == nil:
		return 1
	case vb.pre == nil:
		return -1
	}
	for i := 0; i < len(va.pre) && i < len(vb.pre); i++ {
		x, y := va.pre[i], vb.pre[i]
		xn, yn := strings.Trim(x, "0123456789") == "", strings.Trim(y, "0123456789") == ""
		var c int
		switch {
		case xn && yn:
			c = cmpNum(strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0"))
		case xn: // numeric identifiers sort before alphanumeric ones
			c = -1
		case yn:
			c = 1
		default:
			c = strings.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(va.pre), len(vb.pre))
}

func cmpNum(a, b string) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}
