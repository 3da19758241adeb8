package api

import (
	"encoding/base64"
	"encoding/json"
)

// cursor is where a ticket list goes on: the query that ran, the page
// size and the next page. It is opaque to callers (base64 of JSON) and
// carries the query, so a page can never be read with another filter.
// Pages are offsets over the query's order: a ticket that changes
// between two calls may show twice or be missed, as in Slack's list.
type cursor struct {
	Query string `json:"q"`
	Size  int    `json:"n"`
	Page  int    `json:"p"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, bool) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.Size < 1 || c.Size > maxPage || c.Page < 1 {
		return cursor{}, false
	}
	return c, true
}
