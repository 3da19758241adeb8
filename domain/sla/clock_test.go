package sla

import (
	"slices"
	"testing"
	"time"
)

// The clock tests use policy "std" on calendar "office": UTC, weekdays 09-17.
// urgent: first response 1h, resolution 4h, next response 2h;
// high: 2h / 8h / 4h; normal: 4h / 16h / none; low: none. Warnings 75% and 30m.
// June 2026: Mon 1 … Fri 5, Sat 6, Sun 7, Mon 8.

func d(s string) time.Time { return at(utc, "2026-"+s) }

// tk builds a History fluently: statuses "waiting" pause, "solved"/"closed" resolve.
type tk struct{ History }

func ticket(created, prio string) tk {
	c := d(created)
	return tk{History{Created: c, Priority: []PriorityChange{{c, prio}}, Statuses: []StatusChange{{At: c, Status: "new"}}}}
}

func (t tk) status(at, name string) tk {
	t.Statuses = append(slices.Clone(t.Statuses), StatusChange{At: d(at), Status: name,
		Paused: name == "waiting", Resolved: name == "solved" || name == "closed"})
	return t
}

func (t tk) prio(at, p string) tk {
	t.Priority = append(slices.Clone(t.Priority), PriorityChange{d(at), p})
	return t
}

func (t tk) reply(at string) tk {
	r := d(at)
	if t.FirstResponse == nil || r.Before(*t.FirstResponse) {
		t.FirstResponse = &r
	}
	t.AgentReplies = append(slices.Clone(t.AgentReplies), r)
	return t
}

func (t tk) msg(at string) tk {
	t.CustomerMessages = append(slices.Clone(t.CustomerMessages), d(at))
	return t
}

type want struct {
	status                  Status
	target, used, remaining time.Duration
	due, metAt              string // "" = zero / nil
	warnings                []string
}

func TestCompute(t *testing.T) {
	h, m := time.Hour, time.Minute
	for _, tc := range []struct {
		name   string
		policy string
		t      tk
		now    string
		clock  string // fr, res, nr
		want   want
	}{
		// First response.
		{"first response met", "std", ticket("06-01 10:00", "urgent").reply("06-01 10:40"), "06-01 12:00", "fr",
			want{Met, h, 40 * m, 20 * m, "06-01 11:00", "06-01 10:40", []string{"06-01 10:30"}}},
		{"first response late", "std", ticket("06-01 10:00", "urgent").reply("06-01 11:30"), "06-01 12:00", "fr",
			want{Breached, h, 90 * m, 0, "06-01 11:00", "06-01 11:30", []string{"06-01 10:30", "06-01 10:45"}}},
		{"reply exactly at the deadline is in time", "std", ticket("06-01 10:00", "urgent").reply("06-01 11:00"), "06-01 12:00", "fr",
			want{Met, h, h, 0, "06-01 11:00", "06-01 11:00", []string{"06-01 10:30", "06-01 10:45"}}},
		{"running, on track", "std", ticket("06-01 10:00", "normal"), "06-01 11:00", "fr",
			want{OnTrack, 4 * h, h, 3 * h, "06-01 14:00", "", []string{"06-01 13:00", "06-01 13:30"}}},
		{"75% warning passed: at risk", "std", ticket("06-01 10:00", "normal"), "06-01 13:10", "fr",
			want{AtRisk, 4 * h, 3*h + 10*m, 50 * m, "06-01 14:00", "", []string{"06-01 13:00", "06-01 13:30"}}},
		{"one second before due", "std", ticket("06-01 10:00", "normal"), "06-01 13:59:59", "fr",
			want{AtRisk, 4 * h, 4*h - time.Second, time.Second, "06-01 14:00", "", []string{"06-01 13:00", "06-01 13:30"}}},
		{"breached when now reaches due", "std", ticket("06-01 10:00", "normal"), "06-01 14:00", "fr",
			want{Breached, 4 * h, 4 * h, 0, "06-01 14:00", "", []string{"06-01 13:00", "06-01 13:30"}}},
		{"created on saturday: starts monday", "std", ticket("06-06 10:00", "urgent"), "06-08 09:20", "fr",
			want{OnTrack, h, 20 * m, 40 * m, "06-08 10:00", "", []string{"06-08 09:30", "06-08 09:45"}}},
		{"created after closing: starts next morning", "std", ticket("06-01 18:30", "urgent"), "06-02 08:00", "fr",
			want{OnTrack, h, 0, h, "06-02 10:00", "", []string{"06-02 09:30", "06-02 09:45"}}},
		{"due at closing, breached after it", "std", ticket("06-01 16:00", "urgent"), "06-01 18:00", "fr",
			want{Breached, h, h, 0, "06-01 17:00", "", []string{"06-01 16:30", "06-01 16:45"}}},
		{"reply at next opening is late", "std", ticket("06-01 16:00", "urgent").reply("06-02 09:00"), "06-02 12:00", "fr",
			want{Breached, h, h, 0, "06-01 17:00", "06-02 09:00", []string{"06-01 16:30", "06-01 16:45"}}},
		{"first response waits while resolved", "std", ticket("06-01 09:00", "urgent").status("06-01 09:30", "solved"), "06-01 12:00", "fr",
			want{Paused, h, 30 * m, 30 * m, "", "", []string{"06-01 09:30"}}},
		{"budget ran out as the pause began", "std", ticket("06-05 14:00", "high").status("06-05 16:00", "waiting").status("06-08 11:00", "open"), "06-08 12:00", "fr",
			want{Breached, 2 * h, 3 * h, 0, "06-05 16:00", "", []string{"06-05 15:30"}}},
		{"short target skips the 30m warning", "short", ticket("06-01 10:00", "urgent"), "06-01 10:05", "fr",
			want{OnTrack, 20 * m, 5 * m, 15 * m, "06-01 10:20", "", nil}},

		// Resolution.
		{"target spanning days", "std", ticket("06-01 10:00", "normal"), "06-02 12:00", "res",
			want{OnTrack, 16 * h, 10 * h, 6 * h, "06-03 10:00", "", []string{"06-02 14:00", "06-03 09:30"}}},
		{"pause spanning a weekend", "std", ticket("06-05 14:00", "high").status("06-05 16:00", "waiting").status("06-08 11:00", "open"), "06-08 12:00", "res",
			want{OnTrack, 8 * h, 3 * h, 5 * h, "06-08 17:00", "", []string{"06-08 15:00", "06-08 16:30"}}},
		{"several pauses", "std", ticket("06-01 09:00", "urgent").status("06-01 10:00", "waiting").status("06-01 11:00", "open").
			status("06-01 13:00", "waiting").status("06-01 14:30", "open"), "06-01 15:00", "res",
			want{AtRisk, 4 * h, 3*h + 30*m, 30 * m, "06-01 15:30", "", []string{"06-01 13:00", "06-01 15:00"}}},
		{"pause while closed costs nothing", "std", ticket("06-01 15:00", "urgent").status("06-01 17:30", "waiting").status("06-02 08:30", "open"), "06-02 09:45", "res",
			want{OnTrack, 4 * h, 2*h + 45*m, h + 15*m, "06-02 11:00", "", []string{"06-02 10:00", "06-02 10:30"}}},
		{"paused now: due unknown", "std", ticket("06-01 09:00", "high").status("06-01 11:00", "waiting"), "06-01 14:00", "res",
			want{Paused, 8 * h, 2 * h, 6 * h, "", "", nil}},
		{"breached, then paused: stays breached", "std", ticket("06-01 09:00", "urgent").status("06-01 14:00", "waiting"), "06-01 15:00", "res",
			want{Breached, 4 * h, 5 * h, 0, "06-01 13:00", "", []string{"06-01 12:00", "06-01 12:30"}}},
		{"priority raised mid-way: breached at once", "std", ticket("06-01 09:00", "normal").prio("06-01 14:00", "urgent"), "06-01 14:00", "res",
			want{Breached, 4 * h, 5 * h, 0, "06-01 13:00", "", []string{"06-01 12:00", "06-01 12:30"}}},
		{"priority raised early: shorter deadline", "std", ticket("06-01 09:00", "normal").prio("06-01 10:00", "urgent"), "06-01 10:30", "res",
			want{OnTrack, 4 * h, 90 * m, 150 * m, "06-01 13:00", "", []string{"06-01 12:00", "06-01 12:30"}}},
		{"priority lowered: later deadline", "std", ticket("06-01 09:00", "urgent").prio("06-01 11:00", "normal"), "06-01 12:00", "res",
			want{OnTrack, 16 * h, 3 * h, 13 * h, "06-02 17:00", "", []string{"06-02 13:00", "06-02 16:30"}}},
		{"resolved in time", "std", ticket("06-01 09:00", "urgent").reply("06-01 09:30").status("06-01 11:00", "solved"), "06-01 15:00", "res",
			want{Met, 4 * h, 2 * h, 2 * h, "06-01 13:00", "06-01 11:00", nil}},
		{"resolved exactly at due", "std", ticket("06-01 09:00", "urgent").status("06-01 13:00", "solved"), "06-01 15:00", "res",
			want{Met, 4 * h, 4 * h, 0, "06-01 13:00", "06-01 13:00", []string{"06-01 12:00", "06-01 12:30"}}},
		{"resolved late", "std", ticket("06-01 09:00", "urgent").status("06-01 14:00", "solved"), "06-01 15:00", "res",
			want{Breached, 4 * h, 5 * h, 0, "06-01 13:00", "06-01 14:00", []string{"06-01 12:00", "06-01 12:30"}}},
		{"solved then closed: met when first resolved", "std", ticket("06-01 09:00", "urgent").status("06-01 11:00", "solved").status("06-01 12:00", "closed"), "06-01 15:00", "res",
			want{Met, 4 * h, 2 * h, 2 * h, "06-01 13:00", "06-01 11:00", nil}},
		{"reopened after resolve: resumes", "std", ticket("06-01 09:00", "urgent").status("06-01 11:00", "solved").status("06-02 10:00", "open"), "06-02 10:30", "res",
			want{OnTrack, 4 * h, 150 * m, 90 * m, "06-02 12:00", "", []string{"06-02 11:00", "06-02 11:30"}}},
		{"history after now is ignored", "std", ticket("06-01 10:00", "normal").status("06-01 12:00", "solved").prio("06-01 11:30", "urgent").reply("06-01 12:00"), "06-01 11:00", "res",
			want{OnTrack, 16 * h, h, 15 * h, "06-03 10:00", "", []string{"06-02 14:00", "06-03 09:30"}}}, // Mon 7h + Tue 8h + Wed 1h
		{"no target for the priority", "std", ticket("06-01 10:00", "low"), "06-01 11:00", "res", want{}},

		// Next response.
		{"next response running", "std", ticket("06-01 09:00", "urgent").msg("06-01 09:10").reply("06-01 09:30").msg("06-01 10:00").msg("06-01 10:30"), "06-01 11:00", "nr",
			want{OnTrack, 2 * h, h, h, "06-01 12:00", "", []string{"06-01 11:30"}}}, // 75% and 30m-before coincide
		{"next response met", "std", ticket("06-01 09:00", "urgent").reply("06-01 09:30").msg("06-01 10:00").reply("06-01 11:45"), "06-01 12:00", "nr",
			want{Met, 2 * h, 105 * m, 15 * m, "06-01 12:00", "06-01 11:45", []string{"06-01 11:30"}}},
		{"next response across the night", "std", ticket("06-01 09:00", "urgent").reply("06-01 16:00").msg("06-01 16:30"), "06-02 10:00", "nr",
			want{AtRisk, 2 * h, 90 * m, 30 * m, "06-02 10:30", "", []string{"06-02 10:00"}}},
		{"latest cycle wins", "std", ticket("06-01 09:00", "urgent").reply("06-01 09:30").msg("06-01 10:00").reply("06-01 10:10").msg("06-01 14:00"), "06-01 14:30", "nr",
			want{OnTrack, 2 * h, 30 * m, 90 * m, "06-01 16:00", "", []string{"06-01 15:30"}}},
		{"no next response before any reply", "std", ticket("06-01 09:00", "urgent").msg("06-01 09:10"), "06-01 12:00", "nr", want{}},
		{"no next-response target for normal", "std", ticket("06-01 09:00", "normal").reply("06-01 09:30").msg("06-01 10:00"), "06-01 12:00", "nr", want{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := Compute(policy(t, tc.policy), tc.t.History, d(tc.now))
			got := map[string]Clock{"fr": st.FirstResponse, "res": st.Resolution, "nr": st.NextResponse}[tc.clock]
			w := tc.want
			if got.Status != w.status || got.Target != w.target || got.Used != w.used || got.Remaining != w.remaining {
				t.Errorf("status/target/used/remaining = %v/%v/%v/%v, want %v/%v/%v/%v",
					got.Status, got.Target, got.Used, got.Remaining, w.status, w.target, w.used, w.remaining)
			}
			if wd := opt(w.due); !got.Due.Equal(wd) {
				t.Errorf("Due = %v, want %v", got.Due, wd)
			}
			if (got.MetAt == nil) != (w.metAt == "") || got.MetAt != nil && !got.MetAt.Equal(d(w.metAt)) {
				t.Errorf("MetAt = %v, want %q", got.MetAt, w.metAt)
			}
			var ww []time.Time
			for _, s := range w.warnings {
				ww = append(ww, d(s))
			}
			if !slices.EqualFunc(got.Warnings, ww, time.Time.Equal) {
				t.Errorf("Warnings = %v, want %v", got.Warnings, ww)
			}
			// Explain agrees with Used: the counted segments add up.
			var counted time.Duration
			for _, s := range got.Explain {
				if s.Kind == SegmentCounted {
					counted += s.To.Sub(s.From)
				}
			}
			if counted != got.Used {
				t.Errorf("Explain counts %v, Used is %v", counted, got.Used)
			}
		})
	}
}

func opt(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	return d(s)
}

func TestComputeExplain(t *testing.T) {
	tick := ticket("06-05 14:00", "high").status("06-05 16:00", "waiting").status("06-08 11:00", "open")
	got := Compute(policy(t, "std"), tick.History, d("06-08 12:00")).Resolution.Explain
	want := []Segment{
		{d("06-05 14:00"), d("06-05 16:00"), SegmentCounted, ""},
		{d("06-05 16:00"), d("06-05 17:00"), SegmentPaused, `status "waiting"`},
		{d("06-05 17:00"), d("06-08 09:00"), SegmentClosed, "outside hours"},
		{d("06-08 09:00"), d("06-08 11:00"), SegmentPaused, `status "waiting"`},
		{d("06-08 11:00"), d("06-08 12:00"), SegmentCounted, ""},
	}
	if diff := diffSegments(got, want); diff != "" {
		t.Fatal(diff)
	}

	tick = ticket("06-01 09:00", "urgent").status("06-01 10:00", "solved").status("06-01 11:00", "open")
	got = Compute(policy(t, "std"), tick.History, d("06-01 11:30")).Resolution.Explain
	want = []Segment{
		{d("06-01 09:00"), d("06-01 10:00"), SegmentCounted, ""},
		{d("06-01 10:00"), d("06-01 11:00"), SegmentPaused, `status "solved" (resolved)`},
		{d("06-01 11:00"), d("06-01 11:30"), SegmentCounted, ""},
	}
	if diff := diffSegments(got, want); diff != "" {
		t.Fatal(diff)
	}
}

func TestComputeState(t *testing.T) {
	p := policy(t, "std")
	st := Compute(p, ticket("06-01 09:00", "normal").prio("06-01 10:00", "urgent").History, d("06-01 10:30"))
	if st.Priority != "urgent" {
		t.Errorf("Priority = %q", st.Priority)
	}
	if st.NextResponse.Status != NotApplicable {
		t.Errorf("next response = %v with no reply yet", st.NextResponse.Status)
	}
	// Next is the earliest upcoming change: first response (urgent, 1h from 09:00) is
	// already breached at 10:00, so it is the resolution's 75% warning at 12:00.
	if st.FirstResponse.Status != Breached {
		t.Fatalf("first response = %v, want breached", st.FirstResponse.Status)
	}
	if next, ok := st.Next(d("06-01 10:30")); !ok || !next.Equal(d("06-01 12:00")) {
		t.Errorf("Next = %v, %v; want 12:00", next, ok)
	}
	// Running first response: its 30m-before warning at 09:30 comes first.
	st = Compute(p, ticket("06-01 09:00", "urgent").History, d("06-01 09:10"))
	if next, ok := st.Next(d("06-01 09:10")); !ok || !next.Equal(d("06-01 09:30")) {
		t.Errorf("Next = %v, %v; want 09:30", next, ok)
	}
	// Recomputing at that instant moves on to the next event, never the same one.
	st = Compute(p, ticket("06-01 09:00", "urgent").History, d("06-01 10:00"))
	if next, _ := st.Next(d("06-01 10:00")); !next.Equal(d("06-01 12:00")) {
		t.Errorf("after the first-response deadline, Next = %v, want the resolution warning at 12:00", next)
	}
	// Nothing runs: no next event.
	st = Compute(p, ticket("06-01 09:00", "low").History, d("06-01 10:00"))
	if _, ok := st.Next(d("06-01 10:00")); ok {
		t.Error("no targets, yet Next reports an event")
	}
	if st := Compute(nil, History{}, d("06-01 10:00")); st.Resolution.Status != NotApplicable || st.FirstResponse.Target != 0 {
		t.Error("nil policy must give an empty state")
	}
	if Paused.String() != "paused" || Status(42).String() != "Status(42)" || SegmentHoliday.String() != "holiday" {
		t.Error("String")
	}
}
