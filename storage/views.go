package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
)

// QueryTickets runs a view query: one statement for the counts (grouped
// when the query is) and one for the page, each a single SQL query over
// tickets joined to their customer. Nothing is filtered in Go.
func (tx *Tx) QueryTickets(ctx context.Context, q *domain.ViewQuery) (*domain.ViewPage, error) {
	if tx.scope.Customer {
		// Whatever the query asks, a customer's own company only.
		c := *q
		c.CustomerID, c.Customer = tx.scope.CustomerID, true
		q = &c
	}
	if searches(q.Q) && tx.d.dialect == Postgres && tx.stx == nil {
		// searchLang's settings are SET LOCAL: they hold for the statements
		// of one transaction, not for a View's reads from the pool.
		var page *domain.ViewPage
		err := tx.readTx(ctx, func(rt *Tx) (err error) {
			page, err = rt.QueryTickets(ctx, q)
			return err
		})
		return page, err
	}
	b := &viewSQL{dialect: tx.d.dialect, q: q, publicOnly: tx.scope.Customer || tx.scope.Public}
	if searches(q.Q) {
		var err error
		if b.lang, err = tx.searchLang(ctx); err != nil {
			return nil, err
		}
	}
	where, err := b.where()
	if err != nil {
		return nil, err
	}
	page := &domain.ViewPage{Blocked: map[int64]bool{}, Breached: map[int64]bool{}}
	if g := b.group(); g != nil {
		err = tx.selectAll(ctx, &page.Groups, `SELECT `+g.key+` AS g, COUNT(*) AS n`+ticketFrom+where+
			` GROUP BY `+g.by+` ORDER BY `+g.order, b.args...)
		for _, gr := range page.Groups {
			page.Total += gr.Count
		}
	} else {
		err = tx.get(ctx, &page.Total, `SELECT COUNT(*)`+ticketFrom+where, b.args...)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to count view: %w", err)
	}
	if q.CountOnly || page.Total == 0 || q.Limit <= 0 {
		return page, nil
	}
	var rows []*viewRow
	join, args := b.rankJoin()
	sel := `SELECT ` + ticketCols + `, ` + b.blockedExists() + ` AS blocked, ` + b.breachExists() + ` AS breached` +
		ticketFrom + join + where + ` ORDER BY ` + b.orderBy() + ` LIMIT ? OFFSET ?`
	args = append(append(args, b.args...), q.Limit, max(q.Offset, 0))
	if err := tx.selectAll(ctx, &rows, sel, args...); err != nil {
		return nil, fmt.Errorf("store: unable to run view: %w", err)
	}
	for _, r := range rows {
		t, err := r.ticket()
		if err != nil {
			return nil, err
		}
		page.Tickets = append(page.Tickets, t)
		if r.Blocked {
			page.Blocked[t.ID] = true
		}
		if r.Breached {
			page.Breached[t.ID] = true
		}
	}
	ids := make([]int64, len(page.Tickets))
	for i, t := range page.Tickets {
		ids[i] = t.ID
	}
	if page.Snippets, err = tx.snippets(ctx, b, ids); err != nil {
		return nil, err
	}
	return page, nil
}

type viewRow struct {
	ticketRow
	Blocked  bool `db:"blocked"`
	Breached bool `db:"breached"`
}

// viewSQL translates a query.Resolved into SQL. args follow the
// placeholders of where() in order; values from the config (statuses,
// priorities) are written as literals, so the select list and ORDER BY
// take no arguments.
type viewSQL struct {
	dialect string
	q       *domain.ViewQuery
	args    []any
	// publicOnly: the reader sees public comments only (customers, cards).
	publicOnly bool
	// ranked: the searched terms (not negated), to rank and quote by.
	ranked []query.SearchTerm
	// lang: the text search configuration, an SQL constant (PostgreSQL).
	lang string
}

func (b *viewSQL) arg(v any) string { b.args = append(b.args, v); return "?" }

// collate makes text order byte order on PostgreSQL, whatever the
// database's locale, so both databases sort alike; SQLite's default
// (BINARY) already is.
func (b *viewSQL) collate() string {
	if b.dialect == Postgres {
		return ` COLLATE "C"`
	}
	return ""
}

func (b *viewSQL) where() (string, error) {
	var conds []string
	if b.q.CustomerID != 0 || b.q.Customer {
		conds = append(conds, "t.customer_id = "+b.arg(b.q.CustomerID))
	}
	for _, c := range b.q.Q.Conds {
		ranked := len(b.ranked)
		s, err := b.cond(c)
		if err != nil {
			return "", err
		}
		if c.Negate {
			s = "NOT COALESCE((" + s + "), 1=0)"
			b.ranked = b.ranked[:ranked] // what must not be there ranks nothing
		}
		conds = append(conds, s)
	}
	for _, t := range b.q.Q.Text {
		conds = append(conds, b.textMatch(t))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), nil
}

// in is col = v or col IN (…); none adds the "unset" test.
func (b *viewSQL) in(col string, vals []string, none string) string {
	var parts []string
	if none != "" {
		parts = append(parts, none)
	}
	switch len(vals) {
	case 0:
	case 1:
		parts = append(parts, col+" = "+b.arg(vals[0]))
	default:
		in, a := inList(vals)
		b.args = append(b.args, a...)
		parts = append(parts, col+" IN "+in)
	}
	switch len(parts) {
	case 0:
		return "1=0"
	case 1:
		return parts[0]
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// inConst tests col against values from the config, as literals.
func inConst(col string, vals []string) string {
	if len(vals) == 0 {
		return "1=0"
	}
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = sqlString(v)
	}
	return col + " IN (" + strings.Join(q, ",") + ")"
}

func (b *viewSQL) cond(c query.Cond) (string, error) {
	none := func(test string) string {
		if c.Null {
			return test
		}
		return ""
	}
	switch c.Field {
	case "status":
		return b.in("t.status", c.Values, ""), nil
	case "priority":
		return b.in("t.priority", c.Values, ""), nil
	case "severity":
		return b.in("t.severity", c.Values, none("t.severity = ''")), nil
	case "type":
		return b.in("t.type", c.Values, ""), nil
	case "source":
		return b.in("t.source", c.Values, ""), nil
	case "assignee":
		return b.in("t.assignee_id", c.Values, none("t.assignee_id = ''")), nil
	case "customer":
		vals := c.Values
		if c.Null {
			vals = append(vals[:len(vals):len(vals)], b.q.NoCustomerKey)
		}
		return b.in("p.key", vals, ""), nil
	case "requester":
		if len(c.Values) == 0 {
			return "1=0", nil
		}
		id := b.in("t.requester_id", c.Values, "")
		return "(" + id + " OR " + b.in("t.requester_email", c.Values, "") + ")", nil
	case "version":
		return b.version(c), nil
	case "created", "updated", "resolved", "due":
		return b.date(c), nil
	case "sla":
		return b.sla(c.Values), nil
	case "blocked":
		yes, no := false, false
		for _, v := range c.Values {
			yes, no = yes || v == "yes", no || v == "no"
		}
		switch {
		case yes && no:
			return "1=1", nil
		case yes:
			return b.blockedExists(), nil
		}
		return "NOT " + b.blockedExists(), nil
	case "text":
		var parts []string
		for _, v := range c.Values {
			parts = append(parts, b.textMatch(v))
		}
		if len(parts) == 0 {
			return "1=0", nil
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	case "key":
		var parts []string
		for _, k := range c.Values {
			proj, num, err := domain.ParseKey(k)
			if err != nil {
				return "", err
			}
			parts = append(parts, "((t.key_prefix = '' AND p.key = "+b.arg(proj)+" AND t.number = "+b.arg(num)+
				") OR (t.key_prefix = "+b.arg(proj)+" AND t.key_number = "+b.arg(num)+"))")
		}
		if len(parts) == 0 {
			return "1=0", nil
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	case "tag":
		return b.tags(c.Values, c.Null), nil
	}
	if name, ok := strings.CutPrefix(c.Field, "field."); ok {
		expr, err := b.field(name)
		if err != nil {
			return "", err
		}
		return b.in(expr, c.Values, none("("+expr+" IS NULL OR "+expr+" = '')")), nil
	}
	return "", domain.FieldErrorf("query", "%s: cannot be searched.", c.Field)
}

// field extracts a custom field from the JSON text in tickets.fields. The
// name becomes part of the SQL text, so only plain names pass.
func (b *viewSQL) field(name string) (string, error) {
	if name == "" || strings.Trim(strings.ToLower(name), "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
		return "", domain.FieldErrorf("query", "There is no field %q.", name)
	}
	if b.dialect == Postgres {
		return "(t.fields::jsonb ->> '" + name + "')", nil
	}
	return `json_extract(t.fields, '$."` + name + `"')`, nil
}

// version: names match exactly, 4.2.* by prefix, and comparisons by the
// sort key (query.VersionKey) of semver values only.
func (b *viewSQL) version(c query.Cond) string {
	key := "t.version_key" + b.collate()
	semver := "(t.version_key <> '' AND substr(t.version_key, 1, 1) <> '~')"
	switch c.Op {
	case query.Prefix:
		var parts []string
		for _, v := range c.Values {
			parts = append(parts, fmt.Sprintf("substr(t.version, 1, %d) = %s", len([]rune(v)), b.arg(v)))
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	case query.Lt, query.Le, query.Gt, query.Ge:
		op := map[query.Op]string{query.Lt: "<", query.Le: "<=", query.Gt: ">", query.Ge: ">="}[c.Op]
		return "(" + semver + " AND " + key + " " + op + " " + b.arg(query.VersionKey(c.Values[0])) + ")"
	case query.Between:
		return "(" + semver + " AND " + key + " >= " + b.arg(query.VersionKey(c.Values[0])) +
			" AND " + key + " <= " + b.arg(query.VersionKey(c.Values[1])) + ")"
	}
	none := ""
	if c.Null {
		none = "t.version = ''"
	}
	return b.in("t.version", c.Values, none)
}

// dateCols: due: (and sort:due, the calendar) read the due date, else
// the next SLA deadline — never sla_due_at, the scheduler's next look,
// which may be a warning threshold.
var dateCols = map[string]string{"created": "t.created_at", "updated": "t.updated_at", "resolved": "t.resolved_at", "due": dueExpr}

// dueExpr is when a ticket is due: its due date, else its next SLA
// deadline (domain.Ticket.Due), through the index tickets_due.
const dueExpr = "COALESCE(t.due_at, t.sla_deadline_at)"

// customerDueExpr is when a ticket is due for its customer: a due date we
// keep to ourselves neither filters nor orders what they read.
const customerDueExpr = "COALESCE(CASE WHEN t.due_public THEN t.due_at END, t.sla_deadline_at)"

// col is the column of a date field for this query's reader.
func (b *viewSQL) col(field string) string {
	if field == "due" && b.q.Customer {
		return customerDueExpr
	}
	return dateCols[field]
}

// date tests a range; an unset date never lies in one, so negations
// include it.
func (b *viewSQL) date(c query.Cond) string {
	col := b.col(c.Field)
	if c.Null {
		return col + " IS NULL"
	}
	parts := []string{col + " IS NOT NULL"}
	if !c.From.IsZero() {
		parts = append(parts, col+" >= "+b.arg(ts(c.From)))
	}
	if !c.To.IsZero() {
		parts = append(parts, col+" < "+b.arg(ts(c.To)))
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// sla reads what the SLA clock leaves in the database: the policy on the
// ticket, and the alerts the scanner recorded (a breach, or a warning of
// a clock still running). States:
//
//	breached  an SLA target breached (even if met late or done since)
//	at-risk   not done, not paused, not breached, a warning alerted on a
//	          clock still running (first response not given yet; a next
//	          response not answered by a public agent comment since)
//	paused    not done, in a status that pauses SLA clocks
//	met       done without a breach
//	on-track  not done, not paused, no breach and no warning
//
// A ticket without a policy is in none of them. Alerts lag their instant
// by at most one scan.
func (b *viewSQL) sla(vals []string) string {
	var parts []string
	for _, v := range vals {
		done := inConst("t.status", b.q.DoneStatuses)
		paused := inConst("t.status", b.q.PausedStatuses)
		breach := b.breachExists()
		var s string
		switch v {
		case "breached":
			s = breach
		case "at-risk":
			s = "NOT " + done + " AND NOT " + paused + " AND NOT " + breach + " AND " + b.warnExists()
		case "paused":
			s = "NOT " + done + " AND " + paused
		case "met":
			s = done + " AND NOT " + breach
		case "on-track":
			s = "NOT " + done + " AND NOT " + paused + " AND NOT " + breach + " AND NOT " + b.warnExists()
		default:
			s = "1=0"
		}
		parts = append(parts, "(t.sla_policy <> '' AND "+s+")")
	}
	if len(parts) == 0 {
		return "1=0"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

func (b *viewSQL) breachExists() string {
	return "EXISTS (SELECT 1 FROM sla_alerts sa WHERE sa.ticket_id = t.id AND sa.threshold = '" + domain.ThresholdBreach + "')"
}

func (b *viewSQL) warnExists() string {
	return "EXISTS (SELECT 1 FROM sla_alerts sw WHERE sw.ticket_id = t.id AND sw.threshold <> '" + domain.ThresholdBreach + "'" +
		" AND (sw.target <> '" + domain.TargetFirstResponse + "' OR t.first_response_at IS NULL)" +
		" AND (sw.target <> '" + domain.TargetNextResponse + "' OR NOT EXISTS (SELECT 1 FROM comments c" +
		" WHERE c.ticket_id = t.id AND c.public AND c.merged_from IS NULL AND c.author_role = '" + domain.RoleAgent + "' AND c.created_at > sw.cycle_start)))"
}

// blockedExists: a blocker that is not done.
func (b *viewSQL) blockedExists() string {
	done := inConst("bl.status", b.q.DoneStatuses)
	return "EXISTS (SELECT 1 FROM ticket_links lk JOIN tickets bl ON bl.id = lk.from_id WHERE lk.to_id = t.id AND lk.kind = '" +
		domain.LinkBlocks + "' AND NOT " + done + ")"
}

// sqlString quotes a config value as an SQL literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

type groupSQL struct{ key, by, order string }

// group returns the group expression: its key as text, what to GROUP BY
// and how groups are ordered (the same order as the page's rows).
func (b *viewSQL) group() *groupSQL {
	c := b.collate()
	switch b.q.Q.Group {
	case "assignee":
		return &groupSQL{"t.assignee_id", "t.assignee_id", "t.assignee_id" + c}
	case "customer":
		return &groupSQL{"p.key", "p.key", "p.key" + c}
	case "status":
		return &groupSQL{"t.status", "t.status", rankCase("t.status", b.q.Statuses, false) + ", t.status" + c}
	case "priority":
		return &groupSQL{"t.priority", "t.priority", rankCase("t.priority", b.q.Priorities, true) + ", t.priority" + c}
	case "version":
		return &groupSQL{"t.version", "t.version_key, t.version", "t.version_key" + c + ", t.version" + c}
	case "type":
		return &groupSQL{"t.type", "t.type", "t.type" + c}
	}
	return nil
}

// rankCase orders values by their place in a config list (reversed for
// priorities: most urgent first); unknown values go last.
func rankCase(col string, vals []string, reverse bool) string {
	if len(vals) == 0 {
		return "0"
	}
	var s strings.Builder
	s.WriteString("CASE " + col)
	for i, v := range vals {
		r := i
		if reverse {
			r = len(vals) - 1 - i
		}
		fmt.Fprintf(&s, " WHEN %s THEN %d", sqlString(v), r)
	}
	fmt.Fprintf(&s, " ELSE %d END", len(vals))
	return s.String()
}

// orderBy: the group first, then the query's sort keys, then newest
// first, so that pages never overlap and both databases agree.
func (b *viewSQL) orderBy() string {
	var parts []string
	if g := b.group(); g != nil {
		parts = append(parts, g.order)
	}
	c := b.collate()
	if len(b.q.Q.Sort) == 0 && len(b.ranked) > 0 {
		r := b.rankExpr()
		parts = append(parts, r) // best match first, unless a sort is asked for
	}
	seenKey := false
	for _, s := range b.q.Q.Sort {
		desc := ""
		if s.Desc {
			desc = " DESC"
		}
		switch s.Field {
		case "due":
			// Unset due dates last either way.
			due := b.col("due")
			parts = append(parts, "("+due+" IS NULL)", due+desc)
		case "created":
			parts = append(parts, "t.created_at"+desc)
		case "updated":
			parts = append(parts, "t.updated_at"+desc)
		case "priority":
			// sort:priority puts the most urgent first, as sort:due puts the soonest.
			parts = append(parts, rankCase("t.priority", b.q.Priorities, !s.Desc))
		case "key":
			parts = append(parts, "p.key"+c+desc, "t.number"+desc)
			seenKey = true
		}
	}
	if !seenKey {
		parts = append(parts, "t.id DESC")
	}
	return strings.Join(parts, ", ")
}

// TicketLinks lists the links touching any of ids.
func (tx *Tx) TicketLinks(ctx context.Context, ids []int64) ([]*domain.Link, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if tx.scope.Customer {
		// Links of the customer's own tickets only; the other end may be
		// anyone's, and TicketsByID will not read it unless it is theirs.
		seen, err := tx.TicketsByID(ctx, ids)
		if err != nil {
			return nil, err
		}
		ids = ids[:0:0]
		for _, t := range seen {
			ids = append(ids, t.ID)
		}
		if len(ids) == 0 {
			return nil, nil
		}
	}
	in, args := inList(ids)
	var ls []*domain.Link
	if err := tx.selectAll(ctx, &ls, `SELECT from_id, to_id, kind, created_at FROM ticket_links
		WHERE from_id IN `+in+` OR to_id IN `+in+` ORDER BY created_at, from_id, to_id`, append(args, args...)...); err != nil {
		return nil, fmt.Errorf("store: unable to list links: %w", err)
	}
	return ls, nil
}

// TicketsByID reads tickets by ID, in ID order.
func (tx *Tx) TicketsByID(ctx context.Context, ids []int64) ([]*domain.Ticket, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := inList(ids)
	scope, sargs := tx.scoped("t.customer_id")
	return tx.selectTickets(ctx, "read tickets", `SELECT `+ticketCols+ticketFrom+` WHERE t.id IN `+in+scope+` ORDER BY t.id`, append(args, sargs...)...)
}

// fillVersionKeys computes the version sort key of tickets written before
// migration 00004 (or by a binary that predates it): one UPDATE per
// distinct version, found through a partial index, so a start-up with
// nothing to do costs one index probe.
func (d *DB) fillVersionKeys(ctx context.Context) error {
	var versions []string
	if err := d.db.SelectContext(ctx, &versions, `SELECT DISTINCT version FROM tickets WHERE version_key IS NULL`); err != nil {
		return fmt.Errorf("store: unable to read versions to index: %w", err)
	}
	for _, v := range versions {
		if _, err := d.db.ExecContext(ctx, d.db.Rebind(`UPDATE tickets SET version_key = ? WHERE version = ? AND version_key IS NULL`),
			query.VersionKey(v), v); err != nil {
			return fmt.Errorf("store: unable to index version %q: %w", v, err)
		}
	}
	return nil
}

// tags matches tickets carrying any of vals (case-insensitive), or, for
// tag:none, tickets with no tag at all.
func (b *viewSQL) tags(vals []string, none bool) string {
	var parts []string
	if len(vals) > 0 {
		lower := make([]string, len(vals))
		for i, v := range vals {
			lower[i] = strings.ToLower(v)
		}
		parts = append(parts, "EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND "+b.in("LOWER(tt.tag)", lower, "")+")")
	}
	if none {
		parts = append(parts, "NOT EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id)")
	}
	if len(parts) == 0 {
		return "1=0"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}
