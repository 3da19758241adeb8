package api

import (
	"net/http"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// listComments lists a ticket's comments, oldest first; a customer's
// token reads the public ones only (History).
func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	cs, _, err := s.svc.History(r.Context(), actor(r), r.PathValue("key"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]commentJSON, 0, len(cs))
	for _, c := range cs {
		if c.DeletedAt == nil {
			out = append(out, newComment(c))
		}
	}
	reply(w, http.StatusOK, map[string]any{"comments": out})
}

type commentIn struct {
	Body string `json:"body"`
	// Public is required: an API caller says which it means, since a note
	// meant to stay internal must never reach a customer by default.
	Public *bool `json:"public"`
	// IdempotencyKey makes a retried comment land once.
	IdempotencyKey string `json:"idempotency_key"`
}

// addComment writes a public reply or an internal note (Comment).
func (s *Server) addComment(w http.ResponseWriter, r *http.Request) {
	var in commentIn
	if !decode(w, r, &in) {
		return
	}
	if in.Public == nil {
		problem(w, http.StatusUnprocessableEntity, "Say whether the comment is public (reaches the customer) or an internal note: \"public\": true or false.", "public")
		return
	}
	a := actor(r)
	ci := commands.CommentInput{Body: in.Body, Public: *in.Public}
	if in.IdempotencyKey != "" {
		ci.SourceRef = a.UserID + ":" + in.IdempotencyKey
	}
	c, err := s.svc.Comment(r.Context(), a, r.PathValue("key"), ci)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reply(w, http.StatusCreated, newComment(c))
}

// listTime lists the time logged on a ticket. Agents' tokens only.
func (s *Server) listTime(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	t, err := s.svc.Ticket(r.Context(), a, r.PathValue("key"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	es, err := s.svc.TimeEntries(r.Context(), a, domain.TimeFilter{TicketID: t.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]timeJSON, 0, len(es))
	for _, e := range es {
		out = append(out, newTime(e))
	}
	reply(w, http.StatusOK, map[string]any{"time_entries": out})
}

type timeIn struct {
	Duration string `json:"duration"`
	Date     string `json:"date"` // YYYY-MM-DD, UTC; empty: today
	Note     string `json:"note"`
	Billable *bool  `json:"billable"`
	// IdempotencyKey makes a retried log land once.
	IdempotencyKey string `json:"idempotency_key"`
}

// logTime logs time on a ticket as /time log does (LogTime); the entry
// is the token's ("api:NAME").
func (s *Server) logTime(w http.ResponseWriter, r *http.Request) {
	var in timeIn
	if !decode(w, r, &in) {
		return
	}
	a := actor(r)
	li := commands.LogTimeInput{Key: r.PathValue("key"), Duration: in.Duration, Note: in.Note, Billable: in.Billable}
	if in.Date != "" {
		d, err := time.Parse(time.DateOnly, in.Date)
		if err != nil {
			problem(w, http.StatusUnprocessableEntity, "The date is a day like 2026-11-02.", "date")
			return
		}
		li.Date = d
	}
	if in.IdempotencyKey != "" {
		li.DedupID = a.UserID + ":" + in.IdempotencyKey
	}
	e, err := s.svc.LogTime(r.Context(), a, li)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reply(w, http.StatusCreated, newTime(e))
}
