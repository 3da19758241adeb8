package domain

import (
	"context"
	"time"
)

// Event kinds of a merge. The source's event has Field "merged_into", the
// target's "merged_from"; NewValue is the other ticket's key.
const (
	EventMerged   = "merged"
	EventUnmerged = "unmerged"
)

// MergeUndoWindow is how long a merge can be undone.
const MergeUndoWindow = 10 * time.Minute

// Merge records a duplicate (Source) merged into the ticket that goes on
// (Target), and exactly which rows moved, for the undo.
type Merge struct {
	ID       int64      `db:"id"`
	SourceID int64      `db:"source_id"`
	TargetID int64      `db:"target_id"`
	MergedBy string     `db:"merged_by"`
	MergedAt time.Time  `db:"merged_at"`
	Moved    MergeMoved `db:"-"`
	UndoneAt *time.Time `db:"undone_at"`
	UndoneBy string     `db:"undone_by"`
}

// Undoable reports whether the merge may still be undone at now.
func (m *Merge) Undoable(now time.Time) bool {
	return m.UndoneAt == nil && now.Sub(m.MergedAt) <= MergeUndoWindow
}

// MergeMoved names what a merge moved from the source to the target, and
// the source as it was before it was closed as merged.
type MergeMoved struct {
	Comments     []int64      `json:"comments,omitempty"`
	TimeEntries  []int64      `json:"time_entries,omitempty"`
	Attachments  []int64      `json:"attachments,omitempty"`
	Messages     []int64      `json:"messages,omitempty"` // ticket_messages: the mail threading
	Participants []string     `json:"participants,omitempty"`
	Links        []MovedLink  `json:"links,omitempty"`
	Tags         []string     `json:"tags,omitempty"`   // tags the target lacked
	Issues       []int64      `json:"issues,omitempty"` // engineering issues the target lacked
	Source       SourceBefore `json:"source"`
}

// MovedLink is a link of the source re-pointed to the target: From/To
// as it was, NewFrom/NewTo as it is.
type MovedLink struct {
	From    int64  `json:"from"`
	To      int64  `json:"to"`
	Kind    string `json:"kind"`
	NewFrom int64  `json:"new_from"`
	NewTo   int64  `json:"new_to"`
}

// SourceBefore is what closing the source as merged changed on it.
type SourceBefore struct {
	Status      string     `json:"status"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	SLAPolicy   string     `json:"sla_policy,omitempty"`
	SLADueAt    *time.Time `json:"sla_due_at,omitempty"`
	SLADeadline *time.Time `json:"sla_deadline_at,omitempty"`
}

// MergeStore moves a ticket's rows into another and back.
type MergeStore interface {
	// MergeTickets moves the source's comments, time entries (to the
	// target's customer), attachments, mail threading, participants the
	// target lacks, tags and engineering issues the target lacks, and
	// links into the target, and records m with what
	// moved (m.Moved.Source is the caller's). Rows that cannot move
	// without a duplicate stay with the source.
	MergeTickets(ctx context.Context, m *Merge, targetCustomerID int64) error
	// UndoMerge moves back exactly what m moved and marks it undone.
	UndoMerge(ctx context.Context, m *Merge, by string) error
	// LiveMerge is the merge in force of a source ticket, or ENOTFOUND.
	LiveMerge(ctx context.Context, sourceID int64) (*Merge, error)
}
