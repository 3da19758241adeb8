package bot

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
)

// mergeNotes are a card's merge pointers. On the customer's face
// (customer set) another customer's key is not named.
func mergeNotes(v *commands.CardView, customer bool) []slack.MixedElement {
	own := func(k string) bool { return !customer || strings.HasPrefix(k, v.Ticket.CustomerKey+"-") }
	var notes []slack.MixedElement
	switch {
	case v.MergedInto != "" && own(v.MergedInto):
		notes = append(notes, mrkdwn(":twisted_rightwards_arrows: Merged into *"+esc(v.MergedInto)+"*"))
	case v.MergedInto != "":
		notes = append(notes, mrkdwn(":twisted_rightwards_arrows: Merged into a related ticket"))
	}
	var from []string
	for _, k := range v.MergedFrom {
		if own(k) {
			from = append(from, "*"+esc(k)+"*")
		}
	}
	switch len(from) {
	case 0:
	case 1:
		notes = append(notes, mrkdwn(":twisted_rightwards_arrows: "+from[0]+" was merged here"))
	default:
		notes = append(notes, mrkdwn(":twisted_rightwards_arrows: "+strings.Join(from, ", ")+" were merged here"))
	}
	return notes
}
