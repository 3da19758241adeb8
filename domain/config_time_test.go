package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
)

func TestTimeConfig(t *testing.T) {
	c, err := domain.ParseOwnConfig("deskbot.yaml", []byte(validYAML+`slack:
  leads: [ULEAD1]
time:
  remind_after: 90m
  hard_cap: 10h
  currency: EUR
  rates:
    engineers: {USENIOR: 180, UJUNIOR: "95.5"}
    types: {bug: 200.25}
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Time.RemindAfterOrDefault() != 90*time.Minute || c.Time.HardCap.Duration != 10*time.Hour || c.Time.Currency != "EUR" {
		t.Errorf("time %+v", c.Time)
	}
	if c.Time.Rates.Engineers["USENIOR"] != 18000 || c.Time.Rates.Engineers["UJUNIOR"] != 9550 || c.Time.Rates.Types["bug"] != 20025 {
		t.Errorf("rates %+v", c.Time.Rates)
	}
	if !c.IsLead("ULEAD1") || c.IsLead("USENIOR") || c.IsLead("") {
		t.Error("leads")
	}
	if d := domain.DefaultConfig(); d.Time.RemindAfterOrDefault() != 2*time.Hour || d.Time.HardCap.Duration != 0 {
		t.Errorf("defaults %+v", d.Time)
	}
	if c, _ := domain.ParseOwnConfig("x.yaml", []byte(validYAML)); c.Time.RemindAfterOrDefault() != domain.DefaultRemindAfter {
		t.Error("no time section: the default threshold")
	}

	for name, c := range map[string]struct{ yaml, want string }{
		"unknown key":   {"time:\n  remind_afer: 1h\n", `unknown key "remind_afer" (did you mean "remind_after"?)`},
		"bad money":     {"time:\n  rates:\n    types: {bug: 12.345}\n", `"12.345" is not an amount like 150 or 150.50`},
		"negative":      {"time:\n  rates:\n    types: {bug: -5}\n", `"-5" is not an amount`},
		"unknown type":  {"time:\n  rates:\n    types: {bugs: 100}\n", `type "bugs" is not defined (did you mean "bug"?)`},
		"engineer id":   {"time:\n  rates:\n    engineers: {ana: 100}\n", `"ana" is not a Slack user ID`},
		"cap too short": {"time:\n  remind_after: 3h\n  hard_cap: 2h\n", "must be longer than time.remind_after"},
		"cap too long":  {"time:\n  hard_cap: 30h\n", "at most 24h"},
		"lead id":       {"slack:\n  leads: [bob]\n", `slack.leads: "bob" is not a Slack user ID`},
	} {
		_, err := domain.ParseOwnConfig("deskbot.yaml", []byte(validYAML+c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", name, err, c.want)
		}
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]domain.Money{"150": 15000, "150.5": 15050, "150.05": 15005, "0": 0, " 7.10 ": 710} {
		if got, ok := domain.ParseMoney(in); !ok || got != want {
			t.Errorf("ParseMoney(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "1.234", "1,5", "abc", "1e3"} {
		if _, ok := domain.ParseMoney(in); ok {
			t.Errorf("ParseMoney(%q) accepted", in)
		}
	}
	for c, want := range map[int64]string{0: "0.00", 5: "0.05", 15050: "150.50", -250: "-2.50"} {
		if got := domain.FormatCents(c); got != want {
			t.Errorf("FormatCents(%d) = %s, want %s", c, got, want)
		}
	}
}
