package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runSLA(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"sla"}, args...), envOf(nil), &out, &errOut)
	return code, out.String(), errOut.String()
}

// Christmas on the built-in standard policy (business: Mon-Fri 09:00-17:00
// London, holidays 12-25 and 12-26): a normal ticket opened at closing time
// on Christmas Eve uses nothing until Monday, and its 8h first response
// runs out at closing time on Monday: it is due then, not Tuesday 09:00.
func TestSLASimulateText(t *testing.T) {
	code, out, errOut := runSLA(t, "simulate", "--policy", "standard", "--priority", "normal", "--created", "2026-12-24 17:00")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Policy standard (calendar business, Europe/London), priority normal\n",
		"Created Thu 2026-12-24 17:00:00 GMT\n",
		"First response: 8h of business time\n  due      Mon 2026-12-28 17:00:00 GMT\n",
		"  warning  75% at Mon 2026-12-28 15:00:00 GMT\n  warning  30m at Mon 2026-12-28 16:30:00 GMT\n",
		"  closed   Thu 2026-12-24 17:00:00 GMT → Fri 2026-12-25 00:00:00 GMT  7h  (outside hours)\n",
		"  holiday  Fri 2026-12-25 00:00:00 GMT → Sat 2026-12-26 00:00:00 GMT  24h  (12-25)\n",
		"  holiday  Sat 2026-12-26 00:00:00 GMT → Sun 2026-12-27 00:00:00 GMT  24h  (12-26)\n",
		"  counted  Mon 2026-12-28 09:00:00 GMT → 17:00:00 GMT  8h\n",
		"Resolution: 40h of business time\n  due      Mon 2027-01-04 17:00:00 GMT\n",
		"  holiday  Fri 2027-01-01 00:00:00 GMT → Sat 2027-01-02 00:00:00 GMT  24h  (01-01)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSLASimulateJSONWithPause(t *testing.T) {
	code, out, errOut := runSLA(t, "simulate", "--json", "--created", "2026-12-24T16:00:00Z",
		"--pause", "2026-12-28 09:00/2026-12-28 12:00", "--pause", "2026-12-28 10:00/2026-12-28 11:00")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	var res struct {
		Policy, Priority string
		Pauses           []struct{ From, To string }
		Targets          []struct {
			Target, Budget, Due string
			Warnings            []struct{ Threshold, At string }
			Segments            []struct {
				Kind, From, To, Note string
				Seconds              int64
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if res.Policy != "standard" || res.Priority != "normal" || len(res.Pauses) != 1 || len(res.Targets) != 2 {
		t.Fatalf("%+v", res)
	}
	fr := res.Targets[0]
	// Monday 09:00-12:00 paused: 5h that day, 2h more on Tuesday.
	if fr.Target != "first_response" || fr.Budget != "8h" || fr.Due != "2026-12-29T11:00:00Z" {
		t.Errorf("first response %+v", fr)
	}
	var paused, counted int64
	for _, s := range fr.Segments {
		switch s.Kind {
		case "paused":
			paused += s.Seconds
		case "counted":
			counted += s.Seconds
		}
	}
	if paused != 3*3600 || counted != 8*3600 {
		t.Errorf("paused %ds counted %ds: %+v", paused, counted, fr.Segments)
	}
}

func TestSLASimulateErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"simulated"}, `deskbot sla: unknown command "simulated"`},
		{[]string{"simulate", "--policy", "platinum"}, `no SLA policy "platinum"; policies: gold, silver, standard`},
		{[]string{"simulate", "--priority", "asap"}, `no priority "asap"`},
		{[]string{"simulate", "--created", "tomorrow"}, `--created: "tomorrow" is not a time`},
		{[]string{"simulate", "--pause", "2026-12-28 09:00"}, `--pause "2026-12-28 09:00": write FROM/TO`},
		{[]string{"simulate", "--created", "2026-12-24 16:00", "--pause", "2026-12-28 12:00/2026-12-28 09:00"}, "it must end after it starts"},
		{[]string{"simulate", "--bogus"}, "flag provided but not defined: -bogus"},
	} {
		code, _, errOut := runSLA(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d, stderr:\n%s\nwant %q", c.args, code, errOut, c.want)
		}
	}
	if code, out, errOut := runSLA(t, "simulate", "-h"); code != 0 || !strings.Contains(out, "-pause") || errOut != "" {
		t.Errorf("help: %d %s %s", code, out, errOut)
	}
	if code, out, _ := runSLA(t); code != 0 || !strings.Contains(out, "deskbot sla simulate") {
		t.Errorf("sla alone lists its subcommands: %d %s", code, out)
	}
}
