package query

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris even on machines without a zone database
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestResolveDates(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Paris leaves summer time on Sunday 2026-10-25 (03:00 CEST -> 02:00 CET)
	// and enters it on Sunday 2026-03-29.
	satAutumn := utc("2026-10-24T08:00:00Z")   // Saturday 10:00 CEST
	satMidnight := utc("2026-10-23T22:30:00Z") // Saturday 00:30 CEST, still Friday in UTC
	satSpring := utc("2026-03-28T11:00:00Z")   // Saturday 12:00 CET
	midNovember := utc("2026-11-15T12:00:00Z") // Sunday 13:00 CET
	cases := []struct {
		in       string
		now      time.Time
		loc      *time.Location
		from, to string // RFC 3339 UTC, "" for an open end
	}{
		// Calendar days are 2 local days, 49 hours across the autumn change.
		{"due:<2d", satAutumn, paris, "", "2026-10-26T09:00:00Z"},
		{"due:2d", satAutumn, paris, "2026-10-24T08:00:00Z", "2026-10-26T09:00:00Z"},
		{"due:>2d", satAutumn, paris, "2026-10-26T09:00:00Z", ""},
		{"due:<48h", satAutumn, paris, "", "2026-10-26T08:00:00Z"},
		{"due:overdue", satAutumn, paris, "", "2026-10-24T08:00:00Z"},
		{"created:<7d", satAutumn, paris, "2026-10-17T08:00:00Z", ""},
		{"created:7d", satAutumn, paris, "2026-10-17T08:00:00Z", ""},
		{"created:>1w", satAutumn, paris, "", "2026-10-17T08:00:00Z"},
		{"updated:<3h", satAutumn, paris, "2026-10-24T05:00:00Z", ""},
		{"resolved:<=2d", midNovember, paris, "2026-11-13T12:00:00Z", ""},
		// The day of the change is 25 hours long.
		{"created:2026-10-25", satAutumn, paris, "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"},
		{"created:tomorrow", satAutumn, paris, "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"},
		{"created:this-week", satAutumn, paris, "2026-10-18T22:00:00Z", "2026-10-25T23:00:00Z"},
		{"created:next-week", satAutumn, paris, "2026-10-25T23:00:00Z", "2026-11-01T23:00:00Z"},
		{"created:last-week", satAutumn, paris, "2026-10-11T22:00:00Z", "2026-10-18T22:00:00Z"},
		// "today" is the user's day, not UTC's.
		{"updated:today", satMidnight, paris, "2026-10-23T22:00:00Z", "2026-10-24T22:00:00Z"},
		{"updated:yesterday", satMidnight, paris, "2026-10-22T22:00:00Z", "2026-10-23T22:00:00Z"},
		{"updated:today", satMidnight, nil, "2026-10-23T00:00:00Z", "2026-10-24T00:00:00Z"},
		// Comparisons use the edges of the day.
		{"created:<2026-11-01", satAutumn, paris, "", "2026-10-31T23:00:00Z"},
		{"created:<=2026-11-01", satAutumn, paris, "", "2026-11-01T23:00:00Z"},
		{"created:>2026-11-01", satAutumn, paris, "2026-11-01T23:00:00Z", ""},
		{"created:>=2026-11-01", satAutumn, paris, "2026-10-31T23:00:00Z", ""},
		{"created:2026-11-01..2026-11-30", satAutumn, paris, "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z"},
		{"created:2026-10-01..2026-10-31", satAutumn, paris, "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z"},
		{"created:last-week..today", satAutumn, paris, "2026-10-11T22:00:00Z", "2026-10-24T22:00:00Z"},
		{"created:last-month", midNovember, paris, "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z"},
		{"created:this-month", midNovember, paris, "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z"},
		{"due:next-month", midNovember, paris, "2026-11-30T23:00:00Z", "2026-12-31T23:00:00Z"},
		// Spring: 1 calendar day is 23 hours, and the day of the change too.
		{"due:<1d", satSpring, paris, "", "2026-03-29T10:00:00Z"},
		{"due:<24h", satSpring, paris, "", "2026-03-29T11:00:00Z"},
		{"created:2026-03-29", satSpring, paris, "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"},
	}
	for _, tc := range cases {
		q, err := Parse(tc.in, nil)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.in, err)
		}
		r, err := q.Resolve(Env{Now: tc.now, Loc: tc.loc})
		if err != nil {
			t.Fatalf("Resolve(%q): %v", tc.in, err)
		}
		c := r.Conds[0]
		got := func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			if t.Location() != time.UTC {
				return "not UTC: " + t.String()
			}
			return t.Format(time.RFC3339)
		}
		if c.Op != Range || got(c.From) != tc.from || got(c.To) != tc.to {
			t.Errorf("%s at %s: got %s [%s, %s), want [%s, %s)", tc.in, tc.now.In(paris).Format(time.RFC3339),
				c.Op, got(c.From), got(c.To), tc.from, tc.to)
		}
	}
}

func TestResolveValues(t *testing.T) {
	q, err := Parse("assignee:me,none,U2 -customer:none resolved:none version:4.2.*,4.3.* tag:x requester:me", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := q.Resolve(Env{Me: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Cond{
		{Field: "assignee", Op: Eq, Values: []string{"U1", "U2"}, Null: true},
		{Field: "customer", Op: Eq, Null: true, Negate: true},
		{Field: "resolved", Op: Eq, Null: true},
		{Field: "version", Op: Prefix, Values: []string{"4.2.", "4.3."}},
		{Field: "tag", Op: Eq, Values: []string{"x"}},
		{Field: "requester", Op: Eq, Values: []string{"U1"}},
	}
	if !slices.EqualFunc(r.Conds, want, func(a, b Cond) bool {
		return a.Field == b.Field && a.Op == b.Op && slices.Equal(a.Values, b.Values) && a.Null == b.Null && a.Negate == b.Negate
	}) {
		t.Errorf("got  %+v\nwant %+v", r.Conds, want)
	}
	if r.Layout != "list" {
		t.Errorf("layout %q", r.Layout)
	}
}

func TestResolveErrors(t *testing.T) {
	for in, want := range map[string]string{
		"status:open assignee:me":  `"me" needs a current user at 13 (use a user id instead)`,
		"created:today..yesterday": `reversed range "today..yesterday" for created at 1 (start must not be after end)`,
	} {
		q, err := Parse(in, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = q.Resolve(Env{Now: utc("2026-10-24T08:00:00Z")})
		if err == nil || err.Error() != want {
			t.Errorf("Resolve(%q) = %v, want %s", in, err, want)
		}
	}
}
