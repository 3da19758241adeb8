package sla

import (
	"bytes"
	"os"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// fixture is testdata/deskbot.yaml compiled once: it also proves the yaml tags.
var fixture = sync.OnceValues(func() (map[string]*Calendar, map[string]*Policy) {
	raw, err := os.ReadFile("testdata/deskbot.yaml")
	if err != nil {
		panic(err)
	}
	var cfg struct {
		Calendars map[string]CalendarSpec `yaml:"calendars"`
		Policies  map[string]PolicySpec   `yaml:"sla_policies"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		panic(err)
	}
	cals := map[string]*Calendar{}
	for name, spec := range cfg.Calendars {
		c, err := spec.Compile(name)
		if err != nil {
			panic(err)
		}
		cals[name] = c
	}
	pols := map[string]*Policy{}
	for name, spec := range cfg.Policies {
		p, err := spec.Compile(name, cals, []string{"low", "normal", "high", "urgent"})
		if err != nil {
			panic(err)
		}
		pols[name] = p
	}
	return cals, pols
})

func cal(t testing.TB, name string) *Calendar {
	t.Helper()
	cals, _ := fixture()
	c := cals[name]
	if c == nil {
		t.Fatalf("no fixture calendar %q", name)
	}
	return c
}

func policy(t testing.TB, name string) *Policy {
	t.Helper()
	_, pols := fixture()
	p := pols[name]
	if p == nil {
		t.Fatalf("no fixture policy %q", name)
	}
	return p
}

// at reads "2006-01-02 15:04[:05]" as wall time in zone; zone "UTC" for
// instants that are ambiguous on a fall-back night.
func at(zone, s string) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout += ":05"
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		panic(err)
	}
	return t
}
