// Package sla holds business calendars and the SLA clock as pure functions
// over values: no I/O and no time.Now, every function takes the instants it
// needs, so a deadline can always be recomputed and explained from history.
//
// # Calendars
//
// Hours are wall-clock times in the calendar's IANA zone. The calendar is
// open at an instant when the clock on the wall there reads a time inside the
// hours of a date that is no holiday. So business time is real elapsed time:
// a spring-forward day has an hour less, a fall-back day an hour more if the
// hours cover the repeated hour, and always_open counts real elapsed time
// across DST changes. Hours of a weekday may hold several ranges (a lunch
// break); an overnight range like "22:00-06:00" runs into the next day, and
// the part after midnight belongs to that next date.
//
// A holiday closes its whole date in the calendar's zone, 00:00 to 24:00 wall
// clock, including the after-midnight part of an overnight shift that began the
// evening before. Holidays apply to always_open calendars too: the admin wrote
// them, and "24x7 except Christmas day" is a real contract.
//
// A calendar that is never open is rejected by Compile, so Add always
// terminates; Add and Between work per open range per day, never per minute.
//
// # The clock
//
//   - Deadline = start + target, counted only in open hours, exactly (no
//     rounding). The deadline is the instant the budget runs out: a budget that
//     ends exactly at closing time is due AT closing time, not at the next
//     opening. Zendesk and Jira Service Management instead report the next
//     business instant (the next opening) in that case; deskbot reports the
//     closing time, which is when the budget really was used up.
//   - A ticket created outside open hours starts using its budget at the next opening.
//   - The clocks run only while the ticket is active: a status the workflow
//     marks as pausing (waiting on customer) or resolved stops them, and
//     leaving it resumes them. Pauses are derived from the status history.
//   - First response starts at creation and stops at the first public agent
//     reply (the earliest of History.FirstResponse and History.AgentReplies).
//   - Resolution starts at creation and stops when the ticket enters a
//     resolved status; reopening resumes it with the time used so far.
//   - Next response starts at the first customer message after an agent reply
//     and stops at the next agent reply; State shows the latest such cycle.
//   - A priority change is applied from the history: the budget is the target
//     of the priority in force at now (or when the clock stopped), and the time
//     used so far still counts. Raising the priority can therefore breach a
//     ticket at once, with Due in the past; that is intended. Lowering it
//     moves Due later.
//   - A running clock is Breached once now reaches Due; an event at Due itself
//     (a reply, a resolution) is in time, so the clock is Met. A stopped clock
//     keeps Breached or Met; MetAt is when it stopped either way.
//   - While a clock is not running (paused, or the ticket is resolved with no
//     reply yet) its Status is Paused and Due is zero: the deadline depends on
//     when it resumes. Used and Remaining are still exact. A clock whose budget
//     ran out before the pause stays Breached.
//   - Warnings: "75%" fires when 75% of the budget is used; "30m" fires when
//     30 minutes of business time are left, i.e. at Add(…, target-30m) along
//     the clock. Business time, because what matters is the open time agents
//     still have: a Monday 09:10 deadline warns on Friday at 16:40, not at
//     08:40 on Monday before anyone is in. A "30m" warning is skipped for
//     targets of 30m or less.
//   - Target durations are Go durations in business time ("30m", "4h",
//     "1h30m"). Days ("2d") are refused: a business "day" is either 24 open
//     hours (three working days on a 9-17 calendar) or one working day of
//     varying length, and either guess moves deadlines by days. Write "16h".
package sla
