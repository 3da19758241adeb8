package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// eventCursor is where a ticket's history goes on: the ticket, the page
// size and the id the next page reads below. Keyset, not offset: events
// recorded between two calls do not shift the pages.
type eventCursor struct {
	Key    string `json:"k"`
	Size   int    `json:"n"`
	Before int64  `json:"b"`
}

func (c eventCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeEventCursor(s string) (eventCursor, bool) {
	var c eventCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.Size < 1 || c.Size > maxPage || c.Before < 1 || c.Key == "" {
		return eventCursor{}, false
	}
	return c, true
}

type eventJSON struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"`
	Field    string    `json:"field,omitempty"`
	OldValue string    `json:"old_value,omitempty"`
	NewValue string    `json:"new_value,omitempty"`
	Actor    string    `json:"actor"`
	Channel  string    `json:"channel"`
	At       time.Time `json:"at"`
}

type eventPage struct {
	Events     []eventJSON `json:"events"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// listEvents pages a ticket's history, newest first: the first page from
// limit, the next ones from cursor alone. A customer's token reads their
// face of it (commands.CustomerVisible).
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	v, key := r.URL.Query(), strings.ToUpper(r.PathValue("key"))
	c := eventCursor{Key: key, Size: defaultPage}
	if raw := v.Get("cursor"); raw != "" {
		var ok bool
		if c, ok = decodeEventCursor(raw); !ok || c.Key != key {
			problem(w, http.StatusBadRequest, "The cursor is not one this API returned for "+key+"'s events.", "cursor")
			return
		}
		if v.Has("limit") {
			problem(w, http.StatusBadRequest, "A cursor carries its page size: send it alone.", "cursor")
			return
		}
	} else if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPage {
			problem(w, http.StatusBadRequest, "limit is a number from 1 to 200.", "limit")
			return
		}
		c.Size = n
	}
	_, es, err := s.svc.TicketEvents(r.Context(), actor(r), key)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, more := commands.EventsBefore(es, c.Before, c.Size)
	out := eventPage{Events: make([]eventJSON, 0, len(page))}
	for _, e := range page {
		out.Events = append(out.Events, newEvent(e))
	}
	if more && len(page) > 0 {
		out.NextCursor = eventCursor{Key: key, Size: c.Size, Before: page[len(page)-1].ID}.encode()
	}
	reply(w, http.StatusOK, out)
}

func newEvent(e *domain.Event) eventJSON {
	return eventJSON{ID: e.ID, Kind: e.Kind, Field: e.Field, OldValue: e.OldValue, NewValue: e.NewValue, Actor: e.Actor, Channel: e.Channel, At: e.At.UTC()}
}
