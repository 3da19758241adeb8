package query

import "testing"

func TestSuggest(t *testing.T) {
	opts := []string{"status", "priority", "assignee", "assigned", "created", "s"}
	for _, tc := range []struct {
		word, want string
	}{
		{"statu", "status"},
		{"stauts", "status"}, // adjacent swap is one edit
		{"Priorty", "priority"},
		{"assig", "assignee"}, // prefix of two: the earlier option wins
		{"crea", "created"},
		{"st", "s"},
		{"x", ""}, // one letter is not a typo of another
		{"zzzzzz", ""},
		{"", ""},
	} {
		got, ok := Suggest(tc.word, opts)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Suggest(%q) = %q, %v; want %q", tc.word, got, ok, tc.want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	ordered := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11",
		"1.0.0-rc.1", "1.0.0", "1.2", "v1.2.1", "1.10.0", "2024.1-x_y"}
	for i := range ordered {
		for j := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := CompareVersions(ordered[i], ordered[j]); got != want {
				t.Errorf("CompareVersions(%q, %q) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}
