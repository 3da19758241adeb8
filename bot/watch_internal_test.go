package bot

import (
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// A watcher's DM words tag renames and engineering links as such.
func TestWatchLineWordsRenamesAndIssues(t *testing.T) {
	cfg := domaintest.ConfigWith(t)
	for _, tc := range []struct {
		n    domain.WatchNote
		want string
	}{
		{domain.WatchNote{Event: domain.Event{Kind: domain.EventTag, Field: "tag", OldValue: "billing", NewValue: "invoices", Actor: "U1"}}, "<@U1> renamed the tag `billing` to `invoices`"},
		{domain.WatchNote{Event: domain.Event{Kind: domain.EventTag, Field: "tag", NewValue: "vip", Actor: "U1"}}, "<@U1> tagged it `vip`"},
		{domain.WatchNote{Event: domain.Event{Kind: domain.EventEscalated, Field: "issue", NewValue: "acme/app#3", Actor: "U1"}}, "<@U1> escalated it to engineering: acme/app#3"},
		{domain.WatchNote{Event: domain.Event{Kind: domain.EventIssueLinked, Field: "issue", NewValue: "acme/app#<4>", Actor: "U1"}}, "<@U1> linked it to acme/app#&lt;4&gt;"},
	} {
		if got := watchLine(cfg, &tc.n); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.n.Kind, got, tc.want)
		}
	}
}
