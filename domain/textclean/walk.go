package textclean

import "reflect"

// maxDepth bounds the walk: decoded JSON is a tree, and a payload nested
// deeper than this is not one a transport would build.
const maxDepth = 64

// Strings applies clean to every string reachable from ptr (a pointer to a
// decoded payload: structs, pointers, slices, arrays, maps and interfaces,
// however nested), in place. Map keys and byte slices are left alone, as
// are unexported fields. It is how a transport cleans a whole Slack
// payload in one call, whatever field a use case later reads.
func Strings(ptr any, clean func(string) string) {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	walk(v.Elem(), clean, 0)
}

// walk cleans v, which must be settable for a change to stick; values
// that are not (map entries, interface contents) are copied, cleaned and
// put back by the caller.
func walk(v reflect.Value, clean func(string) string, depth int) {
	if depth > maxDepth {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); s != "" {
				if c := clean(s); c != s {
					v.SetString(c)
				}
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), clean, depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				walk(f, clean, depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, such as json.RawMessage
		}
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), clean, depth+1)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), clean, depth+1)
		}
	case reflect.Map:
		if v.IsNil() || !hasStrings(v.Type().Elem(), 0) {
			return
		}
		iter := v.MapRange()
		type entry struct{ k, v reflect.Value }
		var changed []entry
		for iter.Next() {
			cp := reflect.New(iter.Value().Type()).Elem()
			cp.Set(iter.Value())
			walk(cp, clean, depth+1)
			changed = append(changed, entry{iter.Key(), cp})
		}
		for _, e := range changed {
			v.SetMapIndex(e.k, e.v)
		}
	case reflect.Interface:
		if v.IsNil() || !v.CanSet() {
			return
		}
		inner := v.Elem()
		if inner.Kind() == reflect.Pointer {
			walk(inner, clean, depth+1)
			return
		}
		cp := reflect.New(inner.Type()).Elem()
		cp.Set(inner)
		walk(cp, clean, depth+1)
		v.Set(cp)
	}
}

// hasStrings says whether a value of type t can hold a string, so maps of
// numbers or bools are not copied for nothing.
func hasStrings(t reflect.Type, depth int) bool {
	if depth > 8 {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return hasStrings(t.Elem(), depth+1)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() && hasStrings(t.Field(i).Type, depth+1) {
				return true
			}
		}
	}
	return false
}
