package bot

import (
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// treeLines: customer → tickets → child tickets (parent links), each
// with its blocked/blocking marks. A child on the page shows under its
// parent only; children off the page show too, marked as such.
func treeLines(cfg *domain.Config, r *commands.ViewResult, f face) []string {
	byID := map[int64]*domain.Ticket{}
	onPage := map[int64]bool{}
	for id, t := range r.Related {
		byID[id] = t
	}
	for _, t := range r.Tickets {
		byID[t.ID], onPage[t.ID] = t, true
	}
	children, blocks, blockedBy := map[int64][]int64{}, map[int64][]int64{}, map[int64][]int64{}
	hasParent := map[int64]bool{}
	for _, l := range r.Links {
		switch l.Kind {
		case domain.LinkParent:
			children[l.FromID] = append(children[l.FromID], l.ToID)
			if onPage[l.FromID] {
				hasParent[l.ToID] = true
			}
		case domain.LinkBlocks:
			blocks[l.FromID] = append(blocks[l.FromID], l.ToID)
			blockedBy[l.ToID] = append(blockedBy[l.ToID], l.FromID)
		}
	}
	keys := func(ids []int64) string {
		var out []string
		for _, id := range ids {
			if t := byID[id]; t != nil {
				out = append(out, t.Key())
			} else {
				// Not read for this reader: another customer's ticket.
				out = append(out, commands.InternalTask)
			}
		}
		return strings.Join(out, ", ")
	}
	var lines []string
	seen := map[int64]bool{}
	var walk func(t *domain.Ticket, depth int)
	walk = func(t *domain.Ticket, depth int) {
		if seen[t.ID] || depth > 3 {
			return
		}
		seen[t.ID] = true
		bullet := "•"
		if depth > 0 {
			bullet = "◦"
		}
		s := fmt.Sprintf("%s%s `%s` %s · %s", strings.Repeat("      ", depth), bullet, t.Key(), escCut(t.Title, 80), esc(f.status(cfg, t.Status)))
		if !onPage[t.ID] {
			s += " _(not in this view)_"
		}
		if b := blockedBy[t.ID]; len(b) > 0 {
			mark := ":no_entry: blocked by "
			if !r.Blocked[t.ID] && onPage[t.ID] {
				mark = ":white_check_mark: was blocked by "
			}
			s += " · " + mark + keys(b)
		}
		if b := blocks[t.ID]; len(b) > 0 {
			s += " · :link: blocks " + keys(b)
		}
		lines = append(lines, s)
		for _, c := range children[t.ID] {
			if ct := byID[c]; ct != nil {
				walk(ct, depth+1)
			}
		}
	}
	customer := ""
	for _, t := range r.Tickets {
		if hasParent[t.ID] {
			continue
		}
		if t.CustomerKey != customer {
			customer = t.CustomerKey
			lines = append(lines, "*"+esc(customer)+"*")
		}
		walk(t, 0)
	}
	return lines
}

const calendarDayMax = 20

// calendarLines: tickets by the day they are due — their due date, else
// their next SLA deadline, never a warning time; each line says which —
// in the reader's zone; today stands out. A week shows every day; a month
// only the days with something due.
func calendarLines(cfg *domain.Config, r *commands.ViewResult, f face) []string {
	byDay := map[string][]*domain.Ticket{}
	for _, t := range r.Tickets {
		if due, _ := t.Due(); !due.IsZero() {
			d := due.In(r.Loc).Format("2006-01-02")
			byDay[d] = append(byDay[d], t)
		}
	}
	today := r.Now.In(r.Loc).Format("2006-01-02")
	from := r.From.In(r.Loc)
	days := 0
	for d := from; d.Before(r.To); d = d.AddDate(0, 0, 1) {
		days++
	}
	var lines []string
	for i := 0; i < days; i++ {
		day := from.AddDate(0, 0, i)
		key := day.Format("2006-01-02")
		ts := byDay[key]
		if len(ts) == 0 && days > 7 && key != today {
			continue
		}
		head := "*" + day.Format("Mon 2 Jan") + "*"
		if key == today {
			head = ":round_pushpin: *Today · " + day.Format("Mon 2 Jan") + "*"
		}
		lines = append(lines, head)
		if len(ts) == 0 {
			lines = append(lines, "      _nothing due_")
		}
		for j, t := range ts {
			if j == calendarDayMax {
				lines = append(lines, fmt.Sprintf("      …and %d more", len(ts)-j))
				break
			}
			due, which := t.Due()
			lines = append(lines, fmt.Sprintf("      %s `%s` %s · %s · %s · _%s_", due.In(r.Loc).Format("15:04"), t.Key(),
				escCut(t.Title, 80), esc(t.Priority), f.person(t.AssigneeID), which))
		}
	}
	return lines
}
