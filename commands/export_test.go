package commands

import "slices"

// WithoutGroupCommit makes every creation and ingestion run in its own
// transaction: the baseline group commit is measured against.
func WithoutGroupCommit(s *Service) {
	s.creates, s.ingests, s.cards = newGroupCommit(1, false), newGroupCommit(1, false), newGroupCommit(1, false)
}

// KeyFrom is the customer key made from an organisation's name.
var KeyFrom = keyFrom

// The date rules, pure, for table tests on a fixed clock.
var (
	LocalDateOf     = localDate
	TimesheetWeek   = timesheetWeek
	ClockTimeBefore = clockTimeBefore
	StopTime        = stopTime
)

// CSVHeader is ReportCSV's header row.
func CSVHeader() []string { return slices.Clone(csvHeader) }
