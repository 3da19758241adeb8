package automation

import (
	"fmt"
	"strings"
)

// Action kinds.
const (
	ActSetField    = "set_field"
	ActSetPriority = "set_priority"
	ActAssign      = "assign"
	ActApplySLA    = "apply_sla"
	ActAddTag      = "add_tag"
	ActRemoveTag   = "remove_tag"
	ActSetStatus   = "set_status"
	ActPost        = "post"  // a message in a channel
	ActDM          = "dm"    // a direct message
	ActEmail       = "email" // a mail, queued for the mail transport
	ActNote        = "note"  // an internal note on the ticket
	ActSetSeverity = "set_severity"
	// ActSetDue sets the due date: Value as domain.ParseDue reads it
	// ("+2d", "fri 17:00"), counted from when the rule runs, in UTC;
	// Public shows it to the customer.
	ActSetDue = "set_due"
)

// actionKinds lists every action.
var actionKinds = []string{ActSetField, ActSetPriority, ActAssign, ActApplySLA, ActAddTag, ActRemoveTag,
	ActSetStatus, ActPost, ActDM, ActEmail, ActNote, ActSetSeverity, ActSetDue}

// How assign picks someone.
const (
	AssignUser        = "user"
	AssignRoundRobin  = "round_robin"  // the next member of Group, in turn
	AssignLeastLoaded = "least_loaded" // the member of Group with the fewest open tickets
)

// Who a dm (assignee or requester) or an email (requester) goes to,
// besides a fixed user or address.
const (
	ToAssignee  = "assignee"
	ToRequester = "requester"
)

// Action is one compiled action.
type Action struct {
	Kind string
	// Field and Value: set_field sets Field to Value. Value is also the
	// priority, the policy, the tag, the status, the channel ID (post) or
	// the user ID (assign).
	Field, Value string
	// Assign is how assign picks; Group and Members when it picks in a group.
	Assign  string
	Group   string
	Members []string
	// To is who a dm or email goes to: a user ID or address, ToAssignee or ToRequester.
	To string
	// Public: set_due shows the due date to the customer.
	Public bool
	// Text is the message (post, dm, email, note); Subject the mail's.
	Text, Subject string
	Line          int
}

// String describes the action in plain words for listings and the history.
func (a *Action) String() string {
	switch a.Kind {
	case ActSetField:
		return fmt.Sprintf("set %s to %s", a.Field, a.Value)
	case ActSetPriority:
		return "set priority " + a.Value
	case ActSetSeverity:
		return "set severity " + a.Value
	case ActSetDue:
		if a.Public {
			return "set due " + a.Value + " (shown to the customer)"
		}
		return "set due " + a.Value
	case ActAssign:
		switch a.Assign {
		case AssignRoundRobin:
			return "assign round-robin in " + a.Group
		case AssignLeastLoaded:
			return "assign the least loaded in " + a.Group
		}
		return "assign " + a.Value
	case ActApplySLA:
		return "apply SLA policy " + a.Value
	case ActAddTag:
		return "tag " + a.Value
	case ActRemoveTag:
		return "untag " + a.Value
	case ActSetStatus:
		return "move to " + a.Value
	case ActPost:
		return "post in " + a.Value
	case ActDM:
		return "DM " + a.To
	case ActEmail:
		return "email " + a.To
	case ActNote:
		return "note " + quoteCut(a.Text, 40)
	}
	return a.Kind
}

func quoteCut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		s = strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return `"` + s + `"`
}
