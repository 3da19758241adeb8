package storage

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
)

// Full-text search (migration 00029): on PostgreSQL a tsvector per ticket
// (title weighted over description) and per comment, each behind a GIN
// index and computed by a trigger; on SQLite FTS5 tables over the same
// text, kept by triggers. Both are written in the writing transaction.
// A ticket matches a term when its title, description or a comment the
// reader may see (not deleted; public only, for customers and cards)
// contains it.

// Snippet markers around the matched words in ViewPage.Snippets: private
// use characters, so that nothing a person writes is taken for one.
const (
	HitStart = domain.HitStart
	HitEnd   = domain.HitEnd
)

// searchLang reads the text search configuration the index was built
// with (search_settings), to write into the query as a constant, and
// has this transaction plan its statements for their arguments: with a
// known tsquery the planner reads how often the words occur and goes
// through the full-text indexes; with a generic plan (a statement
// prepared once, stmts.go) it guesses, and may scan every ticket. JIT is
// off for the same transaction: the planner's guesses at how many
// comments hold a word (a tsvector column's statistics know only its
// commonest words) run far past jit_above_cost, and compiling took 130 ms
// of a search that reads a few hundred rows; so are parallel workers,
// whose start cost more than the rows they share out.
func (tx *Tx) searchLang(ctx context.Context) (string, error) {
	if tx.d.dialect != Postgres {
		return "", nil
	}
	var lang string
	if err := tx.get(ctx, &lang, `SELECT s.lang FROM search_settings s, set_config('plan_cache_mode', 'force_custom_plan', true) AS p,
		set_config('jit', 'off', true) AS j, set_config('max_parallel_workers_per_gather', '0', true) AS w WHERE s.id = 1`); err != nil {
		return "", fmt.Errorf("store: unable to read search language: %w", err)
	}
	if !searchLangRE.MatchString(lang) {
		return "", fmt.Errorf("store: search language %q is not a configuration name", lang)
	}
	return sqlString(lang) + "::regconfig", nil
}

// searches tells a query with a text search in it.
func searches(q *query.Resolved) bool {
	if len(q.Text) > 0 {
		return true
	}
	for _, c := range q.Conds {
		if c.Field == "text" {
			return true
		}
	}
	return false
}

// textMatch is the condition "the ticket contains every term" of one
// text value; a value without a word matches nothing.
func (b *viewSQL) textMatch(value string) string {
	terms := query.ParseSearch(value)
	if len(terms) == 0 {
		return "1=0"
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = b.termMatch([]query.SearchTerm{t})
	}
	b.ranked = append(b.ranked, terms...)
	return "(" + strings.Join(parts, " AND ") + ")"
}

// termMatch: the ticket's own text or one of its visible comments holds
// the term. Written as a union of two full-text index lookups whose
// tickets are then read by their keys: on PostgreSQL as = ANY(ARRAY(…)),
// which the planner always runs that way, where for t.id IN (…) it
// guesses the words' frequency (the statistics of a tsvector column know
// only its commonest words) and may scan every ticket instead.
func (b *viewSQL) termMatch(t []query.SearchTerm) string {
	vis := " AND c.deleted_at IS NULL"
	if b.publicOnly {
		vis += " AND c.public = TRUE"
	}
	if b.dialect == Postgres {
		q := func() string { return "to_tsquery(" + b.lang + ", " + b.arg(query.TSQuery(t, "&")) + ")" }
		q2 := q()
		q1 := q()
		return "t.id = ANY(ARRAY(SELECT st.id FROM tickets st WHERE st.search @@ " + q1 +
			" UNION SELECT c.ticket_id FROM comments c WHERE c.search @@ " + q2 + vis + "))"
	}
	m := query.FTS5Match(t, "AND")
	return "t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH " + b.arg(m) +
		" UNION SELECT c.ticket_id FROM comments_fts JOIN comments c ON c.id = comments_fts.rowid WHERE comments_fts MATCH " +
		b.arg(m) + vis + ")"
}

// rankExpr scores a ticket against every searched term (any of them),
// higher better: its own text (title weighted over description) plus its
// best visible comment. "" when the query searches no text.
func (b *viewSQL) rankExpr() string {
	if len(b.ranked) == 0 {
		return ""
	}
	vis := " AND c.deleted_at IS NULL"
	if b.publicOnly {
		vis += " AND c.public = TRUE"
	}
	if b.dialect == Postgres {
		// sr: rankJoin's best comment per ticket.
		return "(COALESCE(ts_rank(t.search, to_tsquery(" + b.lang + ", " + b.arg(query.TSQuery(b.ranked, "|")) + "), 1), 0) + COALESCE(sr.r, 0)) DESC"
	}
	m := query.FTS5Match(b.ranked, "OR")
	// bm25 is lower for better matches; FTS5 refuses it under an
	// aggregate, hence ORDER BY … LIMIT 1 for the best comment.
	return "(COALESCE((SELECT bm25(tickets_fts, 4.0, 1.0) FROM tickets_fts WHERE tickets_fts MATCH " + b.arg(m) +
		" AND rowid = t.id), 0) + COALESCE((SELECT bm25(comments_fts) AS r FROM comments_fts WHERE comments_fts MATCH " + b.arg(m) +
		" AND rowid IN (SELECT c.id FROM comments c WHERE c.ticket_id = t.id" + vis + ") ORDER BY r LIMIT 1), 0))"
}

// rankJoin (PostgreSQL) joins the page's select to the best rank of each
// ticket's matching visible comments, sr.r, read through the index the
// matching itself just used, so from the same (now cached) pages, where
// a subquery per ticket would read all of its comments again. Its
// arguments come before the WHERE's; "" when the page is not ranked.
func (b *viewSQL) rankJoin() (string, []any) {
	if b.dialect != Postgres || len(b.ranked) == 0 || len(b.q.Q.Sort) > 0 {
		return "", nil
	}
	vis := " AND c.deleted_at IS NULL"
	if b.publicOnly {
		vis += " AND c.public = TRUE"
	}
	q := "to_tsquery(" + b.lang + ", ?)"
	tsq := query.TSQuery(b.ranked, "|")
	return " LEFT JOIN (SELECT c.ticket_id, MAX(ts_rank(c.search, " + q + ", 1)) AS r FROM comments c WHERE c.search @@ " + q + vis +
		" GROUP BY c.ticket_id) sr ON sr.ticket_id = t.id", []any{tsq, tsq}
}

type snippetRow struct {
	TicketID int64  `db:"ticket_id"`
	Snippet  string `db:"snippet"`
}

// snippets finds, for each ticket of the page, the line that matches best
// among its description and the comments the reader may see, with the
// matched words between HitStart and HitEnd. A ticket that matched by its
// title alone has none: the list shows the title already.
func (tx *Tx) snippets(ctx context.Context, b *viewSQL, ids []int64) (map[int64]string, error) {
	if len(b.ranked) == 0 || len(ids) == 0 {
		return nil, nil
	}
	in, idArgs := inList(ids)
	vis := " AND c.deleted_at IS NULL"
	if b.publicOnly {
		vis += " AND c.public = TRUE"
	}
	var sel string
	var args []any
	if tx.d.dialect == Postgres {
		q := "to_tsquery(" + b.lang + ", ?)"
		tsq := query.TSQuery(b.ranked, "|")
		// A fragment around the match for long text; short text whole (a
		// fragment of it would be the matched word alone).
		marks := `StartSel="` + HitStart + `", StopSel="` + HitEnd + `", `
		sel = `SELECT ticket_id, CASE WHEN length(body) <= 160
				THEN ts_headline(` + b.lang + `, body, ` + q + `, '` + marks + `MaxWords=40, MinWords=20')
				ELSE ts_headline(` + b.lang + `, body, ` + q + `, '` + marks + `MaxWords=18, MinWords=6, MaxFragments=1') END AS snippet
			FROM (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY r DESC, src, id) AS n FROM (
				SELECT st.id AS ticket_id, 0 AS src, 0 AS id, st.description AS body, ts_rank(st.search, ` + q + `) AS r
				FROM tickets st WHERE st.id IN ` + in + ` AND to_tsvector(` + b.lang + `, st.description) @@ ` + q + `
				UNION ALL
				SELECT c.ticket_id, 1, c.id, c.body, ts_rank(c.search, ` + q + `)
				FROM comments c WHERE c.ticket_id IN ` + in + vis + ` AND c.search @@ ` + q + `) x) y WHERE n = 1`
		args = append(append([]any{tsq, tsq, tsq}, idArgs...), tsq, tsq)
		args = append(append(args, idArgs...), tsq)
	} else {
		m := query.FTS5Match(b.ranked, "OR")
		mark := "'" + HitStart + "', '" + HitEnd + "', '…', 12"
		sel = `SELECT ticket_id, snippet FROM (
				SELECT rowid AS ticket_id, 0 AS src, 0 AS id, bm25(tickets_fts, 4.0, 1.0) AS r, snippet(tickets_fts, 1, ` + mark + `) AS snippet
				FROM tickets_fts WHERE tickets_fts MATCH ? AND rowid IN ` + in + `
				UNION ALL
				SELECT c.ticket_id, 1, c.id, bm25(comments_fts), snippet(comments_fts, 0, ` + mark + `)
				FROM comments_fts JOIN comments c ON c.id = comments_fts.rowid
				WHERE comments_fts MATCH ? AND c.ticket_id IN ` + in + vis + `)
			WHERE snippet LIKE '%` + HitStart + `%' ORDER BY ticket_id, r, src, id`
		args = append(append(append([]any{m}, idArgs...), m), idArgs...)
	}
	var rows []snippetRow
	if err := tx.selectAll(ctx, &rows, sel, args...); err != nil {
		return nil, fmt.Errorf("store: unable to read search snippets: %w", err)
	}
	out := map[int64]string{}
	for _, r := range rows {
		if _, ok := out[r.TicketID]; !ok && strings.Contains(r.Snippet, HitStart) {
			out[r.TicketID] = r.Snippet
		}
	}
	return out, nil
}

// searchLangRE: a text search configuration's name, as search.language
// allows it (domain.Config validates the same).
var searchLangRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// SetSearchLanguage makes lang the text search configuration of the
// PostgreSQL index, rebuilding it when it changes (one transaction; the
// triggers then index new text alike). SQLite's FTS5 index has no
// language: it splits words by Unicode classes and folds case alike.
func (d *DB) SetSearchLanguage(ctx context.Context, lang string) error {
	if d.dialect != Postgres {
		return nil
	}
	if !searchLangRE.MatchString(lang) {
		return domain.FieldErrorf("search.language", "%q is not a text search configuration name.", lang)
	}
	var known bool
	if err := d.db.GetContext(ctx, &known, `SELECT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = $1)`, lang); err != nil {
		return fmt.Errorf("store: unable to read text search configurations: %w", err)
	}
	if !known {
		return domain.FieldErrorf("search.language", "PostgreSQL has no text search configuration %q (see \\dF in psql).", lang)
	}
	tx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to set search language: %w", err)
	}
	defer tx.Rollback()
	var cur string
	if err := tx.GetContext(ctx, &cur, `SELECT lang FROM search_settings WHERE id = 1 FOR UPDATE`); err != nil {
		return fmt.Errorf("store: unable to read search language: %w", err)
	}
	if cur == lang {
		return nil
	}
	for _, s := range []string{`UPDATE search_settings SET lang = $1 WHERE id = 1`,
		`UPDATE tickets SET title = title WHERE $1 <> ''`, `UPDATE comments SET body = body WHERE $1 <> ''`} {
		if _, err := tx.ExecContext(ctx, s, lang); err != nil {
			return fmt.Errorf("store: unable to rebuild search index: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: unable to rebuild search index: %w", err)
	}
	d.log.Info("search index rebuilt", "language", lang, "was", cur)
	return nil
}
