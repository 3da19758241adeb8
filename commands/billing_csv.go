package commands

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/billing"
)

// csvHeader names ReportCSV's columns: the ones an accountant asks for
// first, then what reconciles them (billed hours after rounding and
// minimums, the ticket type, the engineer's ID, the entry's ID).
var csvHeader = []string{"date", "ticket", "title", "engineer", "hours", "billable", "rate", "amount", "note",
	"billed_hours", "type", "engineer_id", "entry_id"}

// ReportCSV writes one line per entry: dates in the customer's time zone,
// hours as decimals, money with two decimals and no currency sign, so a
// spreadsheet or an accounting tool imports it as numbers. The amounts
// add up to the report's total to the cent.
func ReportCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("commands: unable to write CSV: %w", err)
	}
	for i := range r.Lines {
		l := &r.Lines[i]
		billable := "no"
		if l.Billable {
			billable = "yes"
		}
		rec := []string{
			l.Start.In(r.Location).Format("2006-01-02"), l.Ticket, cell(l.Title), cell(r.EngineerName(l.User)),
			billing.Hours(l.Seconds), billable, domain.FormatCents(l.Rate), domain.FormatCents(l.Amount), cell(l.Note),
			billing.Hours(l.BilledSeconds), l.Type, l.User, strconv.FormatInt(l.ID, 10),
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("commands: unable to write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("commands: unable to write CSV: %w", err)
	}
	return nil
}

// cell keeps free text (titles come from customers' mail) from running as
// a formula when the file is opened in a spreadsheet.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
