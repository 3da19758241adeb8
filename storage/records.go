package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/lib/pq"

	"github.com/deskbot/deskbot/domain"
)

// TicketRecords reads many tickets' cards in seven queries instead of
// seven per ticket: the outbox posts cards by the batch, and on
// PostgreSQL each query is a round trip.
func (tx *Tx) TicketRecords(ctx context.Context, ids []int64) ([]*domain.TicketRecord, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	recs, byID, err := tx.recordTickets(ctx, ids)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	if tx.scope.Customer {
		// Only the tickets the scope let through: what hangs off the others stays unread.
		ids = make([]int64, 0, len(recs))
		for _, r := range recs {
			ids = append(ids, r.Ticket.ID)
		}
	}
	if err := tx.recordCustomers(ctx, recs, ids); err != nil {
		return nil, err
	}
	in, arg := tx.idsIn("ticket_id", ids)
	var entries []*domain.TimeEntry
	if err := tx.selectAll(ctx, &entries, `SELECT `+timeCols+` FROM time_entries WHERE deleted_at IS NULL AND `+in+` ORDER BY started_at, id`, arg); err != nil {
		return nil, fmt.Errorf("store: unable to list time entries: %w", err)
	}
	for _, e := range entries {
		byID[e.TicketID].Entries = append(byID[e.TicketID].Entries, e)
	}
	var events []*domain.Event
	if err := tx.selectAll(ctx, &events, `SELECT id, ticket_id, actor, channel, kind, field, old_value, new_value, at
		FROM events WHERE `+in+` ORDER BY id`, arg); err != nil {
		return nil, fmt.Errorf("store: unable to list events: %w", err)
	}
	for _, e := range events {
		byID[e.TicketID].Events = append(byID[e.TicketID].Events, e)
	}
	var comments []*domain.Comment
	if err := tx.selectAll(ctx, &comments, `SELECT `+commentCols+` FROM comments WHERE `+in+tx.publicOnly()+` ORDER BY created_at, id`, arg); err != nil {
		return nil, fmt.Errorf("store: unable to list comments: %w", err)
	}
	for _, c := range comments {
		byID[c.TicketID].Comments = append(byID[c.TicketID].Comments, c)
	}
	var alerts []*domain.SLAAlert
	if err := tx.selectAll(ctx, &alerts, `SELECT `+slaAlertCols+` FROM sla_alerts WHERE `+in+` ORDER BY id`, arg); err != nil {
		return nil, fmt.Errorf("store: unable to list SLA alerts: %w", err)
	}
	for _, a := range alerts {
		byID[a.TicketID].Alerts = append(byID[a.TicketID].Alerts, a)
	}
	if err := tx.recordLinks(ctx, byID, ids); err != nil {
		return nil, err
	}
	if err := tx.recordTagsAndCc(ctx, byID, ids); err != nil {
		return nil, err
	}
	return recs, nil
}

// recordTagsAndCc reads the tickets' tags and CC lists (the participants
// but the requester).
func (tx *Tx) recordTagsAndCc(ctx context.Context, byID map[int64]*domain.TicketRecord, ids []int64) error {
	in, arg := tx.idsIn("ticket_id", ids)
	var rows []struct {
		TicketID int64  `db:"ticket_id"`
		Value    string `db:"value"`
	}
	if err := tx.selectAll(ctx, &rows, `SELECT ticket_id, tag AS value FROM ticket_tags WHERE `+in+` ORDER BY tag`, arg); err != nil {
		return fmt.Errorf("store: unable to list tags: %w", err)
	}
	for _, r := range rows {
		byID[r.TicketID].Tags = append(byID[r.TicketID].Tags, r.Value)
	}
	rows = rows[:0]
	if err := tx.selectAll(ctx, &rows, `SELECT ticket_id, email AS value FROM ticket_participants WHERE `+in+`
		AND role <> 'requester' ORDER BY created_at, email`, arg); err != nil {
		return fmt.Errorf("store: unable to list participants: %w", err)
	}
	for _, r := range rows {
		byID[r.TicketID].Cc = append(byID[r.TicketID].Cc, r.Value)
	}
	return nil
}

// recordTickets reads the tickets, in the order of ids.
func (tx *Tx) recordTickets(ctx context.Context, ids []int64) ([]*domain.TicketRecord, map[int64]*domain.TicketRecord, error) {
	in, arg := tx.idsIn("t.id", ids)
	scope, sargs := tx.scoped("t.customer_id")
	tickets, err := tx.selectTickets(ctx, "read tickets", `SELECT `+ticketCols+ticketFrom+` WHERE `+in+scope, append([]any{arg}, sargs...)...)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[int64]*domain.TicketRecord, len(tickets))
	for _, t := range tickets {
		byID[t.ID] = &domain.TicketRecord{Ticket: t}
	}
	recs := make([]*domain.TicketRecord, 0, len(byID))
	seen := make(map[int64]bool, len(byID))
	for _, id := range ids {
		if r, ok := byID[id]; ok && !seen[id] {
			recs, seen[id] = append(recs, r), true
		}
	}
	return recs, byID, nil
}

func (tx *Tx) recordCustomers(ctx context.Context, recs []*domain.TicketRecord, ids []int64) error {
	in, arg := tx.idsIn("id", ids)
	var ps []*domain.Customer
	if err := tx.selectAll(ctx, &ps, `SELECT `+customerCols+` FROM customers
		WHERE id IN (SELECT customer_id FROM tickets WHERE `+in+`)`, arg); err != nil {
		return fmt.Errorf("store: unable to read customers: %w", err)
	}
	byID := make(map[int64]*domain.Customer, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	for _, r := range recs {
		p, ok := byID[r.Ticket.CustomerID]
		if !ok {
			return fmt.Errorf("store: customer %d of ticket %s vanished", r.Ticket.CustomerID, r.Ticket.Key())
		}
		c := *p // each record its own copy, as Customer returns
		r.Customer = &c
	}
	return nil
}

// recordLinks reads the links with the key of the ticket at each end.
func (tx *Tx) recordLinks(ctx context.Context, byID map[int64]*domain.TicketRecord, ids []int64) error {
	from, arg := tx.idsIn("l.from_id", ids)
	to, _ := tx.idsIn("l.to_id", ids)
	var rows []struct {
		domain.Link
		FromKey    string `db:"from_key"`
		FromNumber int64  `db:"from_number"`
		ToKey      string `db:"to_key"`
		ToNumber   int64  `db:"to_number"`
	}
	// A customer reads only that a link to another customer's ticket
	// exists: its key comes back empty.
	err := tx.selectAll(ctx, &rows, `SELECT l.from_id, l.to_id, l.kind, l.created_at,
			`+tx.visibleKey("pf", "tf", "from_key", "from_number")+`, `+tx.visibleKey("pt", "tt", "to_key", "to_number")+`
		FROM ticket_links l
		JOIN tickets tf ON tf.id = l.from_id JOIN customers pf ON pf.id = tf.customer_id
		JOIN tickets tt ON tt.id = l.to_id JOIN customers pt ON pt.id = tt.customer_id
		WHERE `+from+` OR `+to+` ORDER BY l.created_at, l.from_id, l.to_id`, arg, arg)
	if err != nil {
		return fmt.Errorf("store: unable to list links: %w", err)
	}
	for _, row := range rows {
		l := row.Link
		keys := map[int64]string{l.FromID: linkedKey(row.FromKey, row.FromNumber), l.ToID: linkedKey(row.ToKey, row.ToNumber)}
		for id, other := range map[int64]int64{l.FromID: l.ToID, l.ToID: l.FromID} {
			r, ok := byID[id]
			if !ok {
				continue
			}
			r.Links = append(r.Links, &l)
			if r.LinkedKeys == nil {
				r.LinkedKeys = map[int64]string{}
			}
			r.LinkedKeys[other] = keys[other]
		}
	}
	return nil
}

// idsIn is "col IN ids" as one statement text whatever the number of ids,
// so the statement is prepared once: an array on PostgreSQL, a JSON array
// on SQLite.
func (tx *Tx) idsIn(col string, ids []int64) (string, any) {
	if tx.d.dialect == Postgres {
		return col + " = ANY(?)", pq.Array(ids)
	}
	b, _ := json.Marshal(ids) // []int64 always encodes
	return col + " IN (SELECT value FROM json_each(?))", string(b)
}

// visibleKey selects a linked ticket's customer key and number, or ” and
// 0 when the scope may not see it.
func (tx *Tx) visibleKey(p, t, keyAs, numberAs string) string {
	// A moved ticket keeps the key it had (key_prefix, key_number).
	key := "CASE WHEN " + t + ".key_prefix <> '' THEN " + t + ".key_prefix ELSE " + p + ".key END"
	number := "CASE WHEN " + t + ".key_prefix <> '' THEN " + t + ".key_number ELSE " + t + ".number END"
	var same string
	switch {
	case tx.scope.Customer:
		same = t + ".customer_id = " + strconv.FormatInt(tx.scope.CustomerID, 10)
	case tx.scope.Public:
		same = "tf.customer_id = tt.customer_id"
	default:
		return key + " AS " + keyAs + ", " + number + " AS " + numberAs
	}
	return "CASE WHEN " + same + " THEN " + key + " ELSE '' END AS " + keyAs +
		", CASE WHEN " + same + " THEN " + number + " ELSE 0 END AS " + numberAs
}

// linkedKey is a linked ticket's key, "" when hidden from the reader.
func linkedKey(customer string, number int64) string {
	if customer == "" {
		return ""
	}
	return domain.FormatKey(customer, number)
}

// publicOnly leaves internal notes out for a customer.
func (tx *Tx) publicOnly() string {
	if tx.scope.Customer || tx.scope.Public {
		return " AND public = TRUE"
	}
	return ""
}
