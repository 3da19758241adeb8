package domain_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
)

func TestParseTagArgs(t *testing.T) {
	for _, c := range []struct {
		in          string
		add, remove []string
		err         string
	}{
		{in: "+billing -urgent", add: []string{"billing"}, remove: []string{"urgent"}},
		{in: "billing", add: []string{"billing"}},
		{in: "+Billing,#VIP  -old_one", add: []string{"billing", "vip"}, remove: []string{"old_one"}},
		{in: "+a +a", add: []string{"a"}},
		{in: "", err: "Name the tags"},
		{in: "+bad!tag", err: `"bad!tag" may hold only`},
		{in: "+" + strings.Repeat("x", 33), err: "keep tags to 32"},
		{in: "+-x", err: `"-x" may hold only`},
		{in: "+a -a", err: "both added and removed"},
		{in: "+ -", err: "cannot be empty"},
	} {
		got, err := domain.ParseTagArgs(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(domain.ErrorMessage(err), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got.Add, c.add) || !reflect.DeepEqual(got.Remove, c.remove) {
			t.Errorf("%q: %+v %v, want +%v -%v", c.in, got, err, c.add, c.remove)
		}
	}
}

func TestParseTagList(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"billing, vip billing", []string{"billing", "vip"}, true},
		{"", nil, true},
		{"a b\nc", []string{"a", "b", "c"}, true},
		{"no way!", nil, false},
	} {
		got, err := domain.ParseTagList(c.in)
		if (err == nil) != c.ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %v %v, want %v ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}
