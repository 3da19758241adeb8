package domain

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	hmRE      = regexp.MustCompile(`^(\d{1,3})h(?:(\d{1,3})m?)?$`) // 1h, 1h30, 1h30m
	colonRE   = regexp.MustCompile(`^(\d{1,3}):([0-5]\d)$`)        // 0:45, 1:30
	decimalRE = regexp.MustCompile(`^(\d{1,3}(?:[.,]\d{1,3})?)\s*(h|hr|hrs|hour|hours|m|min|mins|minute|minutes)?$`)
)

// ParseWorkDuration reads the ways people write time spent: 1h30, 1h30m,
// 90m, 1.5h, 1,5h, 0:45, "2 hours", "45 min". A bare number is minutes.
// The result is rounded to the minute.
func ParseWorkDuration(s string) (time.Duration, error) {
	v := strings.ToLower(strings.Join(strings.Fields(s), ""))
	bad := func() (time.Duration, error) {
		return 0, FieldErrorf("duration", "%q is not a duration: write it like 1h30, 90m, 1.5h or 0:45.", strings.TrimSpace(s))
	}
	if v == "" {
		return bad()
	}
	var d time.Duration
	if m := hmRE.FindStringSubmatch(v); m != nil {
		h, _ := strconv.Atoi(m[1])
		mins, _ := strconv.Atoi(m[2])
		if m[2] != "" && mins >= 60 {
			return bad()
		}
		d = time.Duration(h)*time.Hour + time.Duration(mins)*time.Minute
	} else if m := colonRE.FindStringSubmatch(v); m != nil {
		h, _ := strconv.Atoi(m[1])
		mins, _ := strconv.Atoi(m[2])
		d = time.Duration(h)*time.Hour + time.Duration(mins)*time.Minute
	} else if m := decimalRE.FindStringSubmatch(v); m != nil {
		n, err := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
		if err != nil {
			return bad()
		}
		unit := time.Minute
		if strings.HasPrefix(m[2], "h") {
			unit = time.Hour
		}
		d = time.Duration(n * float64(unit)).Round(time.Minute)
	} else {
		return bad()
	}
	if d <= 0 {
		return 0, FieldErrorf("duration", "A duration must be more than zero.")
	}
	return d, nil
}

// FormatDuration writes a duration the short way people read it: 1h30, 45m, 2h.
func FormatDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return strconv.Itoa(m) + "m"
	case m == 0:
		return strconv.Itoa(h) + "h"
	}
	return strconv.Itoa(h) + "h" + strconv.Itoa(m/10) + strconv.Itoa(m%10)
}
