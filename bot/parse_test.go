package bot

import (
	"testing"
)

func TestParseQuickTicket(t *testing.T) {
	cases := []struct {
		in   string
		want quickTicket
	}{
		{"Login fails !high #acme", quickTicket{Title: "Login fails", Priority: "high", CustomerKey: "ACME"}},
		{"!urgent Export broken <@U123ABC|ana> type:bug v:4.2.1", quickTicket{Title: "Export broken", Priority: "urgent", AssigneeID: "U123ABC", Type: "bug", Version: "4.2.1"}},
		{"Crash in <#C0ACME|acme-support> on save", quickTicket{Title: "Crash in on save", ChannelRef: "C0ACME", CustomerKey: "ACME-SUPPORT"}},
		{"<!channel> everyone look", quickTicket{Title: "<!channel> everyone look"}},
		{"C# compiler fails version:5.0", quickTicket{Title: "C# compiler fails", Version: "5.0"}},
		{"Wow! it works", quickTicket{Title: "Wow! it works"}},
		{"", quickTicket{}},
	}
	for _, c := range cases {
		if got := parseQuickTicket(c.in); got != c.want {
			t.Errorf("parseQuickTicket(%q) =\n %+v\nwant\n %+v", c.in, got, c.want)
		}
	}
}
