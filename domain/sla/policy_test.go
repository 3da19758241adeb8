package sla

import (
	"slices"
	"testing"
	"time"
)

var prios = []string{"low", "normal", "high", "urgent"}

func TestPolicyCompile(t *testing.T) {
	cals := map[string]*Calendar{"office": cal(t, "office"), "paris": cal(t, "paris")}
	p, err := PolicySpec{
		Calendar: "paris",
		Targets: map[string]TargetSpec{
			"urgent": {FirstResponse: "30m", Resolution: "4h", NextResponse: "1h30m"},
			"low":    {Resolution: "40h"},
		},
		Warnings: []string{"75%", "87.5%", " 30m "},
	}.Compile("std", cals, prios)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "std" || p.Calendar != cals["paris"] {
		t.Errorf("name/calendar = %q/%v", p.Name, p.Calendar.Name())
	}
	if got, want := p.Targets["urgent"], (Target{30 * time.Minute, 4 * time.Hour, 90 * time.Minute}); got != want {
		t.Errorf("urgent = %+v, want %+v", got, want)
	}
	if got, want := p.Targets["low"], (Target{Resolution: 40 * time.Hour}); got != want {
		t.Errorf("low = %+v, want %+v (missing = no target)", got, want)
	}
	if _, ok := p.Targets["normal"]; ok {
		t.Error("normal has no targets in the spec")
	}
	if want := []Warning{{Percent: 75}, {Percent: 87.5}, {Before: 30 * time.Minute}}; !slices.Equal(p.Warnings, want) {
		t.Errorf("warnings = %v, want %v", p.Warnings, want)
	}
	if got := p.Warnings[1].String() + "," + p.Warnings[2].String(); got != "87.5%,30m0s before" {
		t.Errorf("String = %q", got)
	}
}

func TestPolicyCompileErrors(t *testing.T) {
	cals := map[string]*Calendar{"office": cal(t, "office"), "paris": cal(t, "paris")}
	target := func(prio string, ts TargetSpec) PolicySpec {
		return PolicySpec{Calendar: "office", Targets: map[string]TargetSpec{prio: ts}}
	}
	warn := func(w ...string) PolicySpec { return PolicySpec{Calendar: "office", Warnings: w} }
	for _, tc := range []struct {
		name string
		spec PolicySpec
		want string
	}{
		{"no calendar", PolicySpec{}, `policy "std": calendar is required`},
		{"unknown calendar", PolicySpec{Calendar: "eu"}, `policy "std": unknown calendar "eu" (known: office, paris)`},
		{"unknown priority", target("critical", TargetSpec{Resolution: "4h"}), `policy "std": unknown priority "critical" (known: low, normal, high, urgent)`},
		{"bad duration", target("urgent", TargetSpec{Resolution: "4 hours"}), `policy "std": priority "urgent": resolution "4 hours" is not a duration like "30m" or "4h"`},
		{"days refused", target("urgent", TargetSpec{Resolution: "2d"}), `policy "std": priority "urgent": resolution "2d": days and weeks are ambiguous in business time; write business hours, like "16h"`},
		{"days in a compound", target("high", TargetSpec{NextResponse: "1d12h"}), `policy "std": priority "high": next_response "1d12h": days and weeks are ambiguous in business time; write business hours, like "16h"`},
		{"weeks refused", target("low", TargetSpec{Resolution: "1w"}), `policy "std": priority "low": resolution "1w": days and weeks are ambiguous in business time; write business hours, like "16h"`},
		{"zero", target("urgent", TargetSpec{FirstResponse: "0s"}), `policy "std": priority "urgent": first_response "0s" must be positive (leave it out for no target)`},
		{"negative", target("urgent", TargetSpec{FirstResponse: "-5m"}), `policy "std": priority "urgent": first_response "-5m" must be positive (leave it out for no target)`},
		{"sub-second", target("urgent", TargetSpec{FirstResponse: "1.5s"}), `policy "std": priority "urgent": first_response "1.5s" must be whole seconds`},
		{"warning 100%", warn("100%"), `policy "std": warning "100%" must be between 0% and 100%, exclusive`},
		{"warning over 100%", warn("150%"), `policy "std": warning "150%" must be between 0% and 100%, exclusive`},
		{"warning 0%", warn("0%"), `policy "std": warning "0%" must be between 0% and 100%, exclusive`},
		{"warning NaN", warn("NaN%"), `policy "std": warning "NaN%" is not a percentage like "75%" or a duration like "30m"`},
		{"warning words", warn("soon"), `policy "std": warning "soon" is not a percentage like "75%" or a duration like "30m"`},
		{"warning days", warn("1d"), `policy "std": warning "1d": days and weeks are ambiguous in business time; write business hours, like "16h"`},
		{"warning negative", warn("-30m"), `policy "std": warning "-30m" must be positive`},
		{"warning twice", warn("75%", "30m", "75.0%"), `policy "std": warning "75.0%" is listed twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.spec.Compile("std", cals, prios)
			if err == nil {
				t.Fatalf("Compile = %+v, want error %q", p, tc.want)
			}
			if err.Error() != tc.want {
				t.Fatalf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}
