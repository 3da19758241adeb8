package backup

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is how a column's values are written: the same kind on both
// databases, whatever each calls its type.
type Kind int

const (
	KindText  Kind = iota // a JSON string
	KindInt               // a JSON number, an integer
	KindFloat             // a JSON number
	KindBool              // true or false
	KindTime              // a string, RFC 3339 in UTC with microseconds (TimeLayout)
	KindBytes             // a string, standard base64
)

// TimeLayout writes every time the same way, whichever database kept it:
// UTC and microseconds, what PostgreSQL keeps and deskbot stores on both.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// KindOf reads a column type as PostgreSQL (information_schema) or
// SQLite (the declared type) names it.
func KindOf(sqlType string) (Kind, error) {
	t := strings.ToLower(strings.TrimSpace(sqlType))
	switch {
	case strings.HasPrefix(t, "timestamp"), t == "datetime", t == "date":
		return KindTime, nil
	case strings.Contains(t, "int"):
		return KindInt, nil
	case strings.HasPrefix(t, "bool"):
		return KindBool, nil
	case t == "bytea", t == "blob":
		return KindBytes, nil
	case t == "text", strings.Contains(t, "char"), t == "json", t == "jsonb", t == "clob":
		return KindText, nil
	case t == "real", t == "double precision", t == "double", t == "float", t == "numeric", strings.HasPrefix(t, "numeric("):
		return KindFloat, nil
	}
	return 0, fmt.Errorf("column type %q has no export kind", sqlType)
}

// Encode turns a value read from a database into its JSON value.
func Encode(k Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case KindText:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case KindInt:
		switch x := v.(type) {
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), nil
		case int:
			return json.Number(strconv.Itoa(x)), nil
		case []byte: // numeric text from a driver
			return Encode(k, string(x))
		case string:
			if _, err := strconv.ParseInt(x, 10, 64); err == nil {
				return json.Number(x), nil
			}
		}
	case KindFloat:
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("%v has no JSON number", x)
			}
			return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), nil
		case []byte:
			f, err := strconv.ParseFloat(string(x), 64)
			if err == nil {
				return Encode(k, f)
			}
		}
	case KindBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64: // SQLite keeps booleans as 0 and 1
			return x != 0, nil
		}
	case KindTime:
		switch x := v.(type) {
		case time.Time:
			return x.UTC().Truncate(time.Microsecond).Format(TimeLayout), nil
		case string:
			if t, err := ParseTime(x); err == nil {
				return Encode(k, t)
			}
		}
	case KindBytes:
		switch x := v.(type) {
		case []byte:
			return base64.StdEncoding.EncodeToString(x), nil
		case string:
			return base64.StdEncoding.EncodeToString([]byte(x)), nil
		}
	}
	return nil, fmt.Errorf("unexpected %T for a %s column", v, k)
}

// Decode turns a JSON value of the file into what a database takes.
func Decode(k Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case KindText:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case KindInt:
		if n, ok := v.(json.Number); ok {
			i, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s is not an integer", n)
			}
			return i, nil
		}
	case KindFloat:
		if n, ok := v.(json.Number); ok {
			f, err := strconv.ParseFloat(string(n), 64)
			if err != nil {
				return nil, fmt.Errorf("%s is not a number", n)
			}
			return f, nil
		}
	case KindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case KindTime:
		if s, ok := v.(string); ok {
			t, err := ParseTime(s)
			if err != nil {
				return nil, err
			}
			return t, nil
		}
	case KindBytes:
		if s, ok := v.(string); ok {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("not base64: %v", err)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("wants %s, not %s", k.jsonType(), describe(v))
}

// ParseTime reads a time as RFC 3339, or as SQLite's text of a time.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Microsecond), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339, like 2026-03-10T09:38:00.000000Z)", s)
}

func (k Kind) String() string {
	return [...]string{"text", "integer", "number", "boolean", "time", "bytes"}[k]
}

func (k Kind) jsonType() string {
	return [...]string{"a string", "an integer", "a number", "true or false", "a time string", "a base64 string"}[k]
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + string(x)
	}
	return fmt.Sprintf("%T", v)
}
