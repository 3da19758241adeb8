// Package query is deskbot's one filter language, shared by slash commands,
// saved views, digests and App Home so that a query typed anywhere means the
// same everywhere. It is a pure parser: Parse validates and normalizes text
// into a Query; Query.Resolve turns the relative parts (dates, "me") into
// concrete values for a given Env; storage translates the Resolved form to
// SQL. Nothing here reads the clock or the database.
//
// # Syntax
//
//	status:open priority:high,urgent customer:acme assignee:me|none type:bug
//	version:4.2.* sla:at-risk|breached|paused due:<2d created:>2026-11-01
//	blocked:yes text:"login fails" sort:due group:assignee as:cards
//
// Terms are separated by whitespace and ANDed. A term is key:value, a bare
// word, or a bare "quoted phrase". A leading "-" negates a term
// (-status:closed); a lone "-" is ignored. Values separated by "," or "|" are
// ORed (both mean the same; String writes ","). A value in double quotes may
// hold spaces and the other special characters, with \" and \\ as escapes; a
// quoted value is literal, so "<2d", "4.2.*" or "a,b" inside quotes are plain
// text. Keys are case-insensitive; a word of the form x:y is a key term
// unless x starts with a non-letter (10:30) or y starts with "//" (URLs).
// People are their user ids (U123): Slack's <@U123|alice> is read in bot.
//
// Bare words are free text: each word (or quoted phrase) must occur in the
// ticket, in any order, so `login fails` matches "fails at login" while
// `"login fails"` needs the phrase. They are kept in Query.Text. A negated
// bare word -foo becomes the filter -text:foo. text:a,b is a single term
// meaning "contains a or b".
//
// # Keys
//
//	status (s)            configured statuses (Vocabulary.Statuses)
//	priority (p, prio)    configured priorities
//	severity              configured severities, or none
//	customer (c, customer) configured customer keys, or none
//	assignee (a, assigned) user ids, me, none (unassigned)
//	requester (r)         user ids, me
//	type (t)              configured types
//	version (v)           release names; 4.2.* (prefix); <, <=, >, >= or a..b on semver
//	sla                   on-track, at-risk, breached, paused, met
//	due created updated resolved   dates, see below; due and resolved also take none
//	blocked               yes, no
//	tag                   any value, or none (untagged)
//	source                slash, modal, shortcut, reaction, channel, email
//	text                  substrings
//	key                   ticket keys like ACME-42 (upper-cased)
//	field.<name>          custom field (Vocabulary.Fields), any value, or none
//	sort                  due, created, updated, priority, key; "-" prefix descends; a list sorts by several
//	group                 assignee, customer, status, priority, version, type, none
//	as                    list (default), cards, tree, calendar, timeline
//	limit                 1..500
//
// sort, group, as and limit may appear once each and cannot be negated.
// Comparisons (<, <=, >, >=) and ranges (a..b) apply to dates and versions
// only, and take a single value. A version list is all exact values or all
// wildcards.
//
// # Dates
//
// Dates resolve in the user's zone (Env.Loc) against Env.Now into UTC
// instants, as a half-open Range From <= field < To where a zero bound is
// open. Absolute dates and calendar words name a span of whole local days
// (weeks start on Monday; a day across a DST change is 23 or 25 hours):
//
//	2026-11-01, today, yesterday, tomorrow, this-week, last-week, next-week,
//	this-month, last-month, next-month
//	x        within the span          [start, end)
//	<x       before it starts         [-, start)
//	<=x      before it ends           [-, end)
//	>x       after it ends            [end, -)
//	>=x      from its start           [start, -)
//	x..y     from x's start to y's end (both inclusive; y before x is an error)
//
// Relative values 3h, 2d, 1w measure distance from now in the field's own
// direction: age for created, updated and resolved; time left for due.
// Hours are exact; days and weeks are calendar days (same local clock time).
//
//	created:<7d  created:7d  younger than 7 days: created >= now-7d
//	created:>7d              older than 7 days:   created <  now-7d
//	due:<2d                  due before now+2d, overdue included
//	due:2d                   due within the next 2 days: now <= due < now+2d
//	due:>2d                  due after that: due >= now+2d
//
// <= and >= behave like < and > for relative values (instants have no
// width). overdue (due only) means due < now; none means the date is unset.
package query
