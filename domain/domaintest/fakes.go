package domaintest

import (
	"context"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// The fakes below stand in for one area of domain.Tx each. A method calls
// its function field; a test sets the fields of the calls it expects, so
// an unexpected call panics on the nil field and names itself in the trace.
// FakeTx assembles them into a whole domain.Tx, FakeStore runs a use case
// on it.

// FakeStore is a domain.Store whose transactions all run on Tx: no
// isolation, no rollback, for tests of what a use case does in one.
type FakeStore struct{ Tx domain.Tx }

var _ domain.Store = (*FakeStore)(nil)

func (s *FakeStore) Update(_ context.Context, fn func(domain.Tx) error) error { return fn(s.Tx) }
func (s *FakeStore) View(_ context.Context, fn func(domain.Tx) error) error   { return fn(s.Tx) }
func (s *FakeStore) ViewAs(_ context.Context, _ domain.Scope, fn func(domain.Tx) error) error {
	return fn(s.Tx)
}

// FakeTx is a domain.Tx made of the area fakes; an area left nil panics
// when called. Now is At.
type FakeTx struct {
	At time.Time
	*FakeCustomers
	*FakeTickets
	*FakeComments
	*FakeEvents
	*FakeLinks
	*FakeTimeEntries
	*FakeBilling
	*FakeSLA
	*FakeViews
	*FakeEmail
	*FakePortal
	*FakeAutomation
	*FakeReleases
	*FakeSurveys
	*FakeOutbox
	*FakeInputs
	*FakeAPITokens
	*FakeWebhooks
	*FakeReplies
	*FakeTags
	*FakeWatch
	*FakeMerges
	*FakeTrackers
}

var _ domain.Tx = (*FakeTx)(nil)

func (tx *FakeTx) Now() time.Time { return tx.At }

// FakeCustomers is a domain.CustomerStore over function fields (customers).
type FakeCustomers struct {
	CreateCustomerFn    func(ctx context.Context, p *domain.Customer) error
	UpdateCustomerFn    func(ctx context.Context, p *domain.Customer) error
	CustomerFn          func(ctx context.Context, id int64) (*domain.Customer, error)
	CustomerByKeyFn     func(ctx context.Context, key string) (*domain.Customer, error)
	CustomerByChannelFn func(ctx context.Context, channelID string) (*domain.Customer, error)
	CustomerByDomainFn  func(ctx context.Context, name string) (*domain.Customer, error)
	CustomersFn         func(ctx context.Context) ([]*domain.Customer, error)
	EnsureCustomerFn    func(ctx context.Context, p *domain.Customer) (*domain.Customer, error)
	CustomerByTeamFn    func(ctx context.Context, teamID string) (*domain.Customer, error)
	LinkTeamFn          func(ctx context.Context, teamID, name string, customerID int64) (*domain.Customer, error)
	MoveTicketFn        func(ctx context.Context, t *domain.Ticket, to *domain.Customer) error
	AddVersionChangeFn  func(ctx context.Context, v *domain.VersionChange) error
	VersionChangesFn    func(ctx context.Context, customerID int64) ([]*domain.VersionChange, error)
}

var _ domain.CustomerStore = (*FakeCustomers)(nil)

func (s *FakeCustomers) CreateCustomer(ctx context.Context, p *domain.Customer) error {
	return s.CreateCustomerFn(ctx, p)
}
func (s *FakeCustomers) UpdateCustomer(ctx context.Context, p *domain.Customer) error {
	return s.UpdateCustomerFn(ctx, p)
}
func (s *FakeCustomers) Customer(ctx context.Context, id int64) (*domain.Customer, error) {
	return s.CustomerFn(ctx, id)
}
func (s *FakeCustomers) CustomerByKey(ctx context.Context, key string) (*domain.Customer, error) {
	return s.CustomerByKeyFn(ctx, key)
}
func (s *FakeCustomers) CustomerByChannel(ctx context.Context, channelID string) (*domain.Customer, error) {
	return s.CustomerByChannelFn(ctx, channelID)
}
func (s *FakeCustomers) CustomerByDomain(ctx context.Context, name string) (*domain.Customer, error) {
	return s.CustomerByDomainFn(ctx, name)
}
func (s *FakeCustomers) Customers(ctx context.Context) ([]*domain.Customer, error) {
	return s.CustomersFn(ctx)
}
func (s *FakeCustomers) EnsureCustomer(ctx context.Context, p *domain.Customer) (*domain.Customer, error) {
	return s.EnsureCustomerFn(ctx, p)
}
func (s *FakeCustomers) CustomerByTeam(ctx context.Context, teamID string) (*domain.Customer, error) {
	return s.CustomerByTeamFn(ctx, teamID)
}
func (s *FakeCustomers) LinkTeam(ctx context.Context, teamID, name string, customerID int64) (*domain.Customer, error) {
	return s.LinkTeamFn(ctx, teamID, name, customerID)
}
func (s *FakeCustomers) MoveTicket(ctx context.Context, t *domain.Ticket, to *domain.Customer) error {
	return s.MoveTicketFn(ctx, t, to)
}
func (s *FakeCustomers) AddVersionChange(ctx context.Context, v *domain.VersionChange) error {
	return s.AddVersionChangeFn(ctx, v)
}
func (s *FakeCustomers) VersionChanges(ctx context.Context, customerID int64) ([]*domain.VersionChange, error) {
	return s.VersionChangesFn(ctx, customerID)
}

// FakeTickets is a domain.TicketStore over function fields (tickets).
type FakeTickets struct {
	CreateTicketFn   func(ctx context.Context, t *domain.Ticket) error
	UpdateTicketFn   func(ctx context.Context, t *domain.Ticket) error
	TicketFn         func(ctx context.Context, id int64) (*domain.Ticket, error)
	TicketByKeyFn    func(ctx context.Context, key string) (*domain.Ticket, error)
	TicketByCardFn   func(ctx context.Context, channel, ts string) (*domain.Ticket, error)
	TicketByThreadFn func(ctx context.Context, channel, threadTS string) (*domain.Ticket, error)
	FindTicketsFn    func(ctx context.Context, f domain.TicketFilter) ([]*domain.Ticket, error)
	TicketRecordsFn  func(ctx context.Context, ids []int64) ([]*domain.TicketRecord, error)
	CountTicketsFn   func(ctx context.Context, f domain.TicketFilter) (int, error)
}

var _ domain.TicketStore = (*FakeTickets)(nil)

func (s *FakeTickets) CreateTicket(ctx context.Context, t *domain.Ticket) error {
	return s.CreateTicketFn(ctx, t)
}
func (s *FakeTickets) UpdateTicket(ctx context.Context, t *domain.Ticket) error {
	return s.UpdateTicketFn(ctx, t)
}
func (s *FakeTickets) Ticket(ctx context.Context, id int64) (*domain.Ticket, error) {
	return s.TicketFn(ctx, id)
}
func (s *FakeTickets) TicketByKey(ctx context.Context, key string) (*domain.Ticket, error) {
	return s.TicketByKeyFn(ctx, key)
}
func (s *FakeTickets) TicketByCard(ctx context.Context, channel, ts string) (*domain.Ticket, error) {
	return s.TicketByCardFn(ctx, channel, ts)
}
func (s *FakeTickets) TicketByThread(ctx context.Context, channel, threadTS string) (*domain.Ticket, error) {
	return s.TicketByThreadFn(ctx, channel, threadTS)
}
func (s *FakeTickets) FindTickets(ctx context.Context, f domain.TicketFilter) ([]*domain.Ticket, error) {
	return s.FindTicketsFn(ctx, f)
}
func (s *FakeTickets) TicketRecords(ctx context.Context, ids []int64) ([]*domain.TicketRecord, error) {
	return s.TicketRecordsFn(ctx, ids)
}
func (s *FakeTickets) CountTickets(ctx context.Context, f domain.TicketFilter) (int, error) {
	return s.CountTicketsFn(ctx, f)
}

// FakeComments is a domain.CommentStore over function fields (comments).
type FakeComments struct {
	AddCommentFn      func(ctx context.Context, c *domain.Comment) error
	UpdateCommentFn   func(ctx context.Context, c *domain.Comment) error
	CommentBySourceFn func(ctx context.Context, ticketID int64, ref string) (*domain.Comment, error)
	CommentsFn        func(ctx context.Context, ticketID int64) ([]*domain.Comment, error)
}

var _ domain.CommentStore = (*FakeComments)(nil)

func (s *FakeComments) AddComment(ctx context.Context, c *domain.Comment) error {
	return s.AddCommentFn(ctx, c)
}
func (s *FakeComments) UpdateComment(ctx context.Context, c *domain.Comment) error {
	return s.UpdateCommentFn(ctx, c)
}
func (s *FakeComments) CommentBySource(ctx context.Context, ticketID int64, ref string) (*domain.Comment, error) {
	return s.CommentBySourceFn(ctx, ticketID, ref)
}
func (s *FakeComments) Comments(ctx context.Context, ticketID int64) ([]*domain.Comment, error) {
	return s.CommentsFn(ctx, ticketID)
}

// FakeEvents is a domain.EventStore over function fields (events).
type FakeEvents struct {
	AddEventFn func(ctx context.Context, e *domain.Event) error
	EventsFn   func(ctx context.Context, ticketID int64) ([]*domain.Event, error)
}

var _ domain.EventStore = (*FakeEvents)(nil)

func (s *FakeEvents) AddEvent(ctx context.Context, e *domain.Event) error {
	return s.AddEventFn(ctx, e)
}
func (s *FakeEvents) Events(ctx context.Context, ticketID int64) ([]*domain.Event, error) {
	return s.EventsFn(ctx, ticketID)
}

// FakeLinks is a domain.LinkStore over function fields (links).
type FakeLinks struct {
	AddLinkFn func(ctx context.Context, l *domain.Link) error
	LinksFn   func(ctx context.Context, ticketID int64) ([]*domain.Link, error)
}

var _ domain.LinkStore = (*FakeLinks)(nil)

func (s *FakeLinks) AddLink(ctx context.Context, l *domain.Link) error { return s.AddLinkFn(ctx, l) }
func (s *FakeLinks) Links(ctx context.Context, ticketID int64) ([]*domain.Link, error) {
	return s.LinksFn(ctx, ticketID)
}

// FakeTimeEntries is a domain.TimeStore over function fields (time entries).
type FakeTimeEntries struct {
	CreateTimeEntryFn   func(ctx context.Context, e *domain.TimeEntry) error
	UpdateTimeEntryFn   func(ctx context.Context, e *domain.TimeEntry) error
	TimeEntryFn         func(ctx context.Context, id int64) (*domain.TimeEntry, error)
	RunningTimerFn      func(ctx context.Context, userID string) (*domain.TimeEntry, error)
	TimeEntriesFn       func(ctx context.Context, f domain.TimeFilter) ([]*domain.TimeEntry, error)
	TimeRowsFn          func(ctx context.Context, f domain.TimeFilter) ([]*domain.TimeRow, error)
	DeleteTimeEntryFn   func(ctx context.Context, id int64, by string) error
	StaleTimersFn       func(ctx context.Context, startedBefore time.Time, limit int) ([]*domain.TimeEntry, error)
	DueTimerRemindersFn func(ctx context.Context, startedBefore time.Time, limit int) ([]*domain.TimeEntry, error)
	SetTimerReminderFn  func(ctx context.Context, id int64, remindedAt, remindAt *time.Time) error
}

var _ domain.TimeStore = (*FakeTimeEntries)(nil)

func (s *FakeTimeEntries) CreateTimeEntry(ctx context.Context, e *domain.TimeEntry) error {
	return s.CreateTimeEntryFn(ctx, e)
}
func (s *FakeTimeEntries) UpdateTimeEntry(ctx context.Context, e *domain.TimeEntry) error {
	return s.UpdateTimeEntryFn(ctx, e)
}
func (s *FakeTimeEntries) TimeEntry(ctx context.Context, id int64) (*domain.TimeEntry, error) {
	return s.TimeEntryFn(ctx, id)
}
func (s *FakeTimeEntries) RunningTimer(ctx context.Context, userID string) (*domain.TimeEntry, error) {
	return s.RunningTimerFn(ctx, userID)
}
func (s *FakeTimeEntries) TimeEntries(ctx context.Context, f domain.TimeFilter) ([]*domain.TimeEntry, error) {
	return s.TimeEntriesFn(ctx, f)
}
func (s *FakeTimeEntries) TimeRows(ctx context.Context, f domain.TimeFilter) ([]*domain.TimeRow, error) {
	return s.TimeRowsFn(ctx, f)
}
func (s *FakeTimeEntries) DeleteTimeEntry(ctx context.Context, id int64, by string) error {
	return s.DeleteTimeEntryFn(ctx, id, by)
}
func (s *FakeTimeEntries) StaleTimers(ctx context.Context, startedBefore time.Time, limit int) ([]*domain.TimeEntry, error) {
	return s.StaleTimersFn(ctx, startedBefore, limit)
}
func (s *FakeTimeEntries) DueTimerReminders(ctx context.Context, startedBefore time.Time, limit int) ([]*domain.TimeEntry, error) {
	return s.DueTimerRemindersFn(ctx, startedBefore, limit)
}
func (s *FakeTimeEntries) SetTimerReminder(ctx context.Context, id int64, remindedAt, remindAt *time.Time) error {
	return s.SetTimerReminderFn(ctx, id, remindedAt, remindAt)
}

// FakeBilling is a domain.BillingStore over function fields (billing locks).
type FakeBilling struct {
	AddBillingLockFn    func(ctx context.Context, l *domain.BillingLock) error
	DeleteBillingLockFn func(ctx context.Context, customerID int64, start time.Time) error
	BillingLockAtFn     func(ctx context.Context, customerID int64, at time.Time) (*domain.BillingLock, error)
	BillingLocksFn      func(ctx context.Context, customerID int64, from, to time.Time) ([]*domain.BillingLock, error)
}

var _ domain.BillingStore = (*FakeBilling)(nil)

func (s *FakeBilling) AddBillingLock(ctx context.Context, l *domain.BillingLock) error {
	return s.AddBillingLockFn(ctx, l)
}
func (s *FakeBilling) DeleteBillingLock(ctx context.Context, customerID int64, start time.Time) error {
	return s.DeleteBillingLockFn(ctx, customerID, start)
}
func (s *FakeBilling) BillingLockAt(ctx context.Context, customerID int64, at time.Time) (*domain.BillingLock, error) {
	return s.BillingLockAtFn(ctx, customerID, at)
}
func (s *FakeBilling) BillingLocks(ctx context.Context, customerID int64, from, to time.Time) ([]*domain.BillingLock, error) {
	return s.BillingLocksFn(ctx, customerID, from, to)
}

// FakeSLA is a domain.SLAStore over function fields (SLA bookkeeping).
type FakeSLA struct {
	DueSLATicketsFn  func(ctx context.Context, limit int) ([]int64, error)
	SetTicketSLAFn   func(ctx context.Context, ticketID int64, policy string, due, deadline *time.Time) error
	SLAAlertsFn      func(ctx context.Context, ticketID int64) ([]*domain.SLAAlert, error)
	AddSLAAlertFn    func(ctx context.Context, a *domain.SLAAlert) (bool, error)
	TicketsCreatedFn func(ctx context.Context, customerID int64, from, to time.Time) ([]*domain.Ticket, error)
}

var _ domain.SLAStore = (*FakeSLA)(nil)

func (s *FakeSLA) DueSLATickets(ctx context.Context, limit int) ([]int64, error) {
	return s.DueSLATicketsFn(ctx, limit)
}
func (s *FakeSLA) SetTicketSLA(ctx context.Context, ticketID int64, policy string, due, deadline *time.Time) error {
	return s.SetTicketSLAFn(ctx, ticketID, policy, due, deadline)
}
func (s *FakeSLA) SLAAlerts(ctx context.Context, ticketID int64) ([]*domain.SLAAlert, error) {
	return s.SLAAlertsFn(ctx, ticketID)
}
func (s *FakeSLA) AddSLAAlert(ctx context.Context, a *domain.SLAAlert) (bool, error) {
	return s.AddSLAAlertFn(ctx, a)
}
func (s *FakeSLA) TicketsCreated(ctx context.Context, customerID int64, from, to time.Time) ([]*domain.Ticket, error) {
	return s.TicketsCreatedFn(ctx, customerID, from, to)
}

// FakeViews is a domain.ViewStore over function fields (views).
type FakeViews struct {
	QueryTicketsFn    func(ctx context.Context, q *domain.ViewQuery) (*domain.ViewPage, error)
	TicketLinksFn     func(ctx context.Context, ids []int64) ([]*domain.Link, error)
	TicketsByIDFn     func(ctx context.Context, ids []int64) ([]*domain.Ticket, error)
	CreateSavedViewFn func(ctx context.Context, v *domain.SavedView) error
	UpdateSavedViewFn func(ctx context.Context, v *domain.SavedView) error
	DeleteSavedViewFn func(ctx context.Context, id int64) error
	SavedViewFn       func(ctx context.Context, id int64) (*domain.SavedView, error)
	SavedViewsFn      func(ctx context.Context, owner string) ([]*domain.SavedView, error)
	DigestViewsFn     func(ctx context.Context) ([]*domain.SavedView, error)
	ClaimDigestFn     func(ctx context.Context, viewID int64, slot time.Time) (bool, error)
}

var _ domain.ViewStore = (*FakeViews)(nil)

func (s *FakeViews) QueryTickets(ctx context.Context, q *domain.ViewQuery) (*domain.ViewPage, error) {
	return s.QueryTicketsFn(ctx, q)
}
func (s *FakeViews) TicketLinks(ctx context.Context, ids []int64) ([]*domain.Link, error) {
	return s.TicketLinksFn(ctx, ids)
}
func (s *FakeViews) TicketsByID(ctx context.Context, ids []int64) ([]*domain.Ticket, error) {
	return s.TicketsByIDFn(ctx, ids)
}
func (s *FakeViews) CreateSavedView(ctx context.Context, v *domain.SavedView) error {
	return s.CreateSavedViewFn(ctx, v)
}
func (s *FakeViews) UpdateSavedView(ctx context.Context, v *domain.SavedView) error {
	return s.UpdateSavedViewFn(ctx, v)
}
func (s *FakeViews) DeleteSavedView(ctx context.Context, id int64) error {
	return s.DeleteSavedViewFn(ctx, id)
}
func (s *FakeViews) SavedView(ctx context.Context, id int64) (*domain.SavedView, error) {
	return s.SavedViewFn(ctx, id)
}
func (s *FakeViews) SavedViews(ctx context.Context, owner string) ([]*domain.SavedView, error) {
	return s.SavedViewsFn(ctx, owner)
}
func (s *FakeViews) DigestViews(ctx context.Context) ([]*domain.SavedView, error) {
	return s.DigestViewsFn(ctx)
}
func (s *FakeViews) ClaimDigest(ctx context.Context, viewID int64, slot time.Time) (bool, error) {
	return s.ClaimDigestFn(ctx, viewID, slot)
}

// FakeEmail is a domain.EmailStore over function fields (mail).
type FakeEmail struct {
	AddTicketMessageFn  func(ctx context.Context, m *domain.TicketMessage) (bool, error)
	FindTicketMessageFn func(ctx context.Context, ids []string) (*domain.TicketMessage, error)
	TicketMessagesFn    func(ctx context.Context, ticketID int64) ([]*domain.TicketMessage, error)
	CountMailsToFn      func(ctx context.Context, address, kind string, since time.Time) (int, error)
	AddParticipantsFn   func(ctx context.Context, ps []*domain.Participant) error
	ParticipantsFn      func(ctx context.Context, ticketID int64) ([]*domain.Participant, error)
	AddAttachmentFn     func(ctx context.Context, a *domain.Attachment) error
	AttachmentFn        func(ctx context.Context, id int64) (*domain.Attachment, error)
	AttachmentsFn       func(ctx context.Context, ticketID int64) ([]*domain.Attachment, error)
}

var _ domain.EmailStore = (*FakeEmail)(nil)

func (s *FakeEmail) AddTicketMessage(ctx context.Context, m *domain.TicketMessage) (bool, error) {
	return s.AddTicketMessageFn(ctx, m)
}
func (s *FakeEmail) FindTicketMessage(ctx context.Context, ids []string) (*domain.TicketMessage, error) {
	return s.FindTicketMessageFn(ctx, ids)
}
func (s *FakeEmail) TicketMessages(ctx context.Context, ticketID int64) ([]*domain.TicketMessage, error) {
	return s.TicketMessagesFn(ctx, ticketID)
}
func (s *FakeEmail) CountMailsTo(ctx context.Context, address, kind string, since time.Time) (int, error) {
	return s.CountMailsToFn(ctx, address, kind, since)
}
func (s *FakeEmail) AddParticipants(ctx context.Context, ps []*domain.Participant) error {
	return s.AddParticipantsFn(ctx, ps)
}
func (s *FakeEmail) Participants(ctx context.Context, ticketID int64) ([]*domain.Participant, error) {
	return s.ParticipantsFn(ctx, ticketID)
}
func (s *FakeEmail) AddAttachment(ctx context.Context, a *domain.Attachment) error {
	return s.AddAttachmentFn(ctx, a)
}
func (s *FakeEmail) Attachment(ctx context.Context, id int64) (*domain.Attachment, error) {
	return s.AttachmentFn(ctx, id)
}
func (s *FakeEmail) Attachments(ctx context.Context, ticketID int64) ([]*domain.Attachment, error) {
	return s.AttachmentsFn(ctx, ticketID)
}

// FakePortal is a domain.PortalStore over function fields (the ticket page).
type FakePortal struct {
	PortalKeysFn         func(ctx context.Context) ([]*domain.PortalKey, error)
	AddPortalKeyFn       func(ctx context.Context, k *domain.PortalKey) error
	RetirePortalKeysFn   func(ctx context.Context) error
	RevokePortalLinksFn  func(ctx context.Context, ticketID int64) error
	PortalRevokedAtFn    func(ctx context.Context, ticketID int64) (time.Time, error)
	PortalRatingFn       func(ctx context.Context, ticketID int64, respondent string) (int, error)
	TicketsOfRequesterFn func(ctx context.Context, address string, limit int) ([]*domain.Ticket, error)
}

var _ domain.PortalStore = (*FakePortal)(nil)

func (s *FakePortal) PortalKeys(ctx context.Context) ([]*domain.PortalKey, error) {
	return s.PortalKeysFn(ctx)
}
func (s *FakePortal) AddPortalKey(ctx context.Context, k *domain.PortalKey) error {
	return s.AddPortalKeyFn(ctx, k)
}
func (s *FakePortal) RetirePortalKeys(ctx context.Context) error { return s.RetirePortalKeysFn(ctx) }
func (s *FakePortal) RevokePortalLinks(ctx context.Context, ticketID int64) error {
	return s.RevokePortalLinksFn(ctx, ticketID)
}
func (s *FakePortal) PortalRevokedAt(ctx context.Context, ticketID int64) (time.Time, error) {
	return s.PortalRevokedAtFn(ctx, ticketID)
}
func (s *FakePortal) PortalRating(ctx context.Context, ticketID int64, respondent string) (int, error) {
	return s.PortalRatingFn(ctx, ticketID, respondent)
}
func (s *FakePortal) TicketsOfRequester(ctx context.Context, address string, limit int) ([]*domain.Ticket, error) {
	return s.TicketsOfRequesterFn(ctx, address, limit)
}

// FakeAutomation is a domain.AutomationStore over function fields (automation).
type FakeAutomation struct {
	AddTagFn             func(ctx context.Context, ticketID int64, tag string) (bool, error)
	RemoveTagFn          func(ctx context.Context, ticketID int64, tag string) (bool, error)
	TagsFn               func(ctx context.Context, ticketID int64) ([]string, error)
	ClaimAutomationRunFn func(ctx context.Context, ticketID int64, rule, anchor string) (bool, error)
	NextCounterFn        func(ctx context.Context, name string) (int64, error)
	TicketActivityFn     func(ctx context.Context, statuses []string) ([]*domain.TicketActivity, error)
}

var _ domain.AutomationStore = (*FakeAutomation)(nil)

func (s *FakeAutomation) AddTag(ctx context.Context, ticketID int64, tag string) (bool, error) {
	return s.AddTagFn(ctx, ticketID, tag)
}
func (s *FakeAutomation) RemoveTag(ctx context.Context, ticketID int64, tag string) (bool, error) {
	return s.RemoveTagFn(ctx, ticketID, tag)
}
func (s *FakeAutomation) Tags(ctx context.Context, ticketID int64) ([]string, error) {
	return s.TagsFn(ctx, ticketID)
}
func (s *FakeAutomation) ClaimAutomationRun(ctx context.Context, ticketID int64, rule, anchor string) (bool, error) {
	return s.ClaimAutomationRunFn(ctx, ticketID, rule, anchor)
}
func (s *FakeAutomation) NextCounter(ctx context.Context, name string) (int64, error) {
	return s.NextCounterFn(ctx, name)
}
func (s *FakeAutomation) TicketActivity(ctx context.Context, statuses []string) ([]*domain.TicketActivity, error) {
	return s.TicketActivityFn(ctx, statuses)
}

// FakeReleases is a domain.ReleaseStore over function fields (releases).
type FakeReleases struct {
	AddReleaseFn     func(ctx context.Context, r *domain.Release) (bool, error)
	ReleasesFn       func(ctx context.Context) ([]*domain.Release, error)
	VersionTicketsFn func(ctx context.Context, from time.Time, statuses []string) ([]*domain.VersionTicket, error)
}

var _ domain.ReleaseStore = (*FakeReleases)(nil)

func (s *FakeReleases) AddRelease(ctx context.Context, r *domain.Release) (bool, error) {
	return s.AddReleaseFn(ctx, r)
}
func (s *FakeReleases) Releases(ctx context.Context) ([]*domain.Release, error) {
	return s.ReleasesFn(ctx)
}
func (s *FakeReleases) VersionTickets(ctx context.Context, from time.Time, statuses []string) ([]*domain.VersionTicket, error) {
	return s.VersionTicketsFn(ctx, from, statuses)
}

// FakeSurveys is a domain.SurveyStore over function fields (surveys).
type FakeSurveys struct {
	SaveSurveyAnswerFn func(ctx context.Context, a *domain.SurveyAnswer) error
	SurveySummaryFn    func(ctx context.Context, customerID int64) (domain.SurveySummary, error)
}

var _ domain.SurveyStore = (*FakeSurveys)(nil)

func (s *FakeSurveys) SaveSurveyAnswer(ctx context.Context, a *domain.SurveyAnswer) error {
	return s.SaveSurveyAnswerFn(ctx, a)
}
func (s *FakeSurveys) SurveySummary(ctx context.Context, customerID int64) (domain.SurveySummary, error) {
	return s.SurveySummaryFn(ctx, customerID)
}

// FakeOutbox is a domain.OutboxStore over function fields (the outbox).
type FakeOutbox struct {
	EnqueueFn       func(ctx context.Context, m *domain.OutboxMessage) error
	MarkDeliveredFn func(ctx context.Context, id int64) error
	SetTicketCardFn func(ctx context.Context, ticketID int64, channel, ts, threadTS string) error
}

var _ domain.OutboxStore = (*FakeOutbox)(nil)

func (s *FakeOutbox) Enqueue(ctx context.Context, m *domain.OutboxMessage) error {
	return s.EnqueueFn(ctx, m)
}
func (s *FakeOutbox) MarkDelivered(ctx context.Context, id int64) error {
	return s.MarkDeliveredFn(ctx, id)
}
func (s *FakeOutbox) SetTicketCard(ctx context.Context, ticketID int64, channel, ts, threadTS string) error {
	return s.SetTicketCardFn(ctx, ticketID, channel, ts, threadTS)
}

// FakeInputs is a domain.InputStore over function fields (inputs).
type FakeInputs struct {
	MarkProcessedFn   func(ctx context.Context, source, id string) (bool, error)
	RecordInputFn     func(ctx context.Context, source, id, result string) error
	ProcessedResultFn func(ctx context.Context, source, id string) (string, error)
}

var _ domain.InputStore = (*FakeInputs)(nil)

func (s *FakeInputs) MarkProcessed(ctx context.Context, source, id string) (bool, error) {
	return s.MarkProcessedFn(ctx, source, id)
}
func (s *FakeInputs) RecordInput(ctx context.Context, source, id, result string) error {
	return s.RecordInputFn(ctx, source, id, result)
}
func (s *FakeInputs) ProcessedResult(ctx context.Context, source, id string) (string, error) {
	return s.ProcessedResultFn(ctx, source, id)
}

// FakeAPITokens is a domain.APITokenStore over function fields (API tokens).
type FakeAPITokens struct {
	AddAPITokenFn      func(ctx context.Context, t *domain.APIToken) error
	APITokenByPrefixFn func(ctx context.Context, prefix string) (*domain.APIToken, error)
	APITokensFn        func(ctx context.Context) ([]*domain.APIToken, error)
	RevokeAPITokenFn   func(ctx context.Context, name string) error
}

var _ domain.APITokenStore = (*FakeAPITokens)(nil)

func (s *FakeAPITokens) AddAPIToken(ctx context.Context, t *domain.APIToken) error {
	return s.AddAPITokenFn(ctx, t)
}
func (s *FakeAPITokens) APITokenByPrefix(ctx context.Context, prefix string) (*domain.APIToken, error) {
	return s.APITokenByPrefixFn(ctx, prefix)
}
func (s *FakeAPITokens) APITokens(ctx context.Context) ([]*domain.APIToken, error) {
	return s.APITokensFn(ctx)
}
func (s *FakeAPITokens) RevokeAPIToken(ctx context.Context, name string) error {
	return s.RevokeAPITokenFn(ctx, name)
}

// FakeWebhooks is a domain.WebhookStore over function fields (outgoing webhooks).
type FakeWebhooks struct {
	AddWebhookFn            func(ctx context.Context, w *domain.Webhook) error
	WebhooksFn              func(ctx context.Context) ([]*domain.Webhook, error)
	WebhookFn               func(ctx context.Context, id int64) (*domain.Webhook, error)
	RemoveWebhookFn         func(ctx context.Context, id int64) error
	WebhookDeliveriesFn     func(ctx context.Context, webhookID int64, limit int) ([]*domain.WebhookDelivery, error)
	WebhookDeliveryFn       func(ctx context.Context, id int64) (*domain.WebhookDelivery, error)
	EarlierPendingFn        func(ctx context.Context, d *domain.WebhookDelivery) (*domain.WebhookDelivery, error)
	SaveWebhookDeliveryFn   func(ctx context.Context, d *domain.WebhookDelivery) error
	WebhookSucceededFn      func(ctx context.Context, id int64) error
	SetWebhookHealthFn      func(ctx context.Context, w *domain.Webhook) error
	DropWebhookDeliveriesFn func(ctx context.Context, webhookID int64) error
}

var _ domain.WebhookStore = (*FakeWebhooks)(nil)

func (s *FakeWebhooks) AddWebhook(ctx context.Context, w *domain.Webhook) error {
	return s.AddWebhookFn(ctx, w)
}
func (s *FakeWebhooks) Webhooks(ctx context.Context) ([]*domain.Webhook, error) {
	return s.WebhooksFn(ctx)
}
func (s *FakeWebhooks) Webhook(ctx context.Context, id int64) (*domain.Webhook, error) {
	return s.WebhookFn(ctx, id)
}
func (s *FakeWebhooks) RemoveWebhook(ctx context.Context, id int64) error {
	return s.RemoveWebhookFn(ctx, id)
}
func (s *FakeWebhooks) WebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]*domain.WebhookDelivery, error) {
	return s.WebhookDeliveriesFn(ctx, webhookID, limit)
}
func (s *FakeWebhooks) WebhookDelivery(ctx context.Context, id int64) (*domain.WebhookDelivery, error) {
	return s.WebhookDeliveryFn(ctx, id)
}
func (s *FakeWebhooks) EarlierPending(ctx context.Context, d *domain.WebhookDelivery) (*domain.WebhookDelivery, error) {
	return s.EarlierPendingFn(ctx, d)
}
func (s *FakeWebhooks) SaveWebhookDelivery(ctx context.Context, d *domain.WebhookDelivery) error {
	return s.SaveWebhookDeliveryFn(ctx, d)
}
func (s *FakeWebhooks) WebhookSucceeded(ctx context.Context, id int64) error {
	return s.WebhookSucceededFn(ctx, id)
}
func (s *FakeWebhooks) SetWebhookHealth(ctx context.Context, w *domain.Webhook) error {
	return s.SetWebhookHealthFn(ctx, w)
}
func (s *FakeWebhooks) DropWebhookDeliveries(ctx context.Context, webhookID int64) error {
	return s.DropWebhookDeliveriesFn(ctx, webhookID)
}

// FakeReplies is a domain.ReplyStore over function fields (saved replies).
type FakeReplies struct {
	SaveReplyFn     func(ctx context.Context, r *domain.SavedReply) error
	DeleteReplyFn   func(ctx context.Context, id int64) error
	SavedReplyFn    func(ctx context.Context, id int64) (*domain.SavedReply, error)
	SavedRepliesFn  func(ctx context.Context, user string) ([]*domain.SavedReply, error)
	CountReplyUseFn func(ctx context.Context, id int64) error
}

var _ domain.ReplyStore = (*FakeReplies)(nil)

func (s *FakeReplies) SaveReply(ctx context.Context, r *domain.SavedReply) error {
	return s.SaveReplyFn(ctx, r)
}
func (s *FakeReplies) DeleteReply(ctx context.Context, id int64) error {
	return s.DeleteReplyFn(ctx, id)
}
func (s *FakeReplies) SavedReply(ctx context.Context, id int64) (*domain.SavedReply, error) {
	return s.SavedReplyFn(ctx, id)
}
func (s *FakeReplies) SavedReplies(ctx context.Context, user string) ([]*domain.SavedReply, error) {
	return s.SavedRepliesFn(ctx, user)
}
func (s *FakeReplies) CountReplyUse(ctx context.Context, id int64) error {
	return s.CountReplyUseFn(ctx, id)
}

// FakeTags is a domain.TagStore over function fields (tags by hand).
type FakeTags struct {
	AllTagsFn       func(ctx context.Context) ([]domain.TagCount, error)
	TicketsTaggedFn func(ctx context.Context, tag string) ([]int64, error)
}

var _ domain.TagStore = (*FakeTags)(nil)

func (s *FakeTags) AllTags(ctx context.Context) ([]domain.TagCount, error) { return s.AllTagsFn(ctx) }
func (s *FakeTags) TicketsTagged(ctx context.Context, tag string) ([]int64, error) {
	return s.TicketsTaggedFn(ctx, tag)
}

// FakeWatch is a domain.WatchStore over function fields (watchers, CC).
type FakeWatch struct {
	FollowFn            func(ctx context.Context, ticketID int64, user string) (bool, error)
	UnfollowFn          func(ctx context.Context, ticketID int64, user string) (bool, error)
	WatchersFn          func(ctx context.Context, ticketID int64) ([]string, error)
	AddWatchNoteFn      func(ctx context.Context, user string, eventID int64) error
	WatchNotesFn        func(ctx context.Context, user string, from, to time.Time) ([]*domain.WatchNote, error)
	RemoveParticipantFn func(ctx context.Context, ticketID int64, email string) (bool, error)
}

var _ domain.WatchStore = (*FakeWatch)(nil)

func (s *FakeWatch) Follow(ctx context.Context, ticketID int64, user string) (bool, error) {
	return s.FollowFn(ctx, ticketID, user)
}
func (s *FakeWatch) Unfollow(ctx context.Context, ticketID int64, user string) (bool, error) {
	return s.UnfollowFn(ctx, ticketID, user)
}
func (s *FakeWatch) Watchers(ctx context.Context, ticketID int64) ([]string, error) {
	return s.WatchersFn(ctx, ticketID)
}
func (s *FakeWatch) AddWatchNote(ctx context.Context, user string, eventID int64) error {
	return s.AddWatchNoteFn(ctx, user, eventID)
}
func (s *FakeWatch) WatchNotes(ctx context.Context, user string, from, to time.Time) ([]*domain.WatchNote, error) {
	return s.WatchNotesFn(ctx, user, from, to)
}
func (s *FakeWatch) RemoveParticipant(ctx context.Context, ticketID int64, email string) (bool, error) {
	return s.RemoveParticipantFn(ctx, ticketID, email)
}

// FakeMerges is a domain.MergeStore over function fields (merges).
type FakeMerges struct {
	MergeTicketsFn func(ctx context.Context, m *domain.Merge, targetCustomerID int64) error
	UndoMergeFn    func(ctx context.Context, m *domain.Merge, by string) error
	LiveMergeFn    func(ctx context.Context, sourceID int64) (*domain.Merge, error)
}

var _ domain.MergeStore = (*FakeMerges)(nil)

func (s *FakeMerges) MergeTickets(ctx context.Context, m *domain.Merge, targetCustomerID int64) error {
	return s.MergeTicketsFn(ctx, m, targetCustomerID)
}
func (s *FakeMerges) UndoMerge(ctx context.Context, m *domain.Merge, by string) error {
	return s.UndoMergeFn(ctx, m, by)
}
func (s *FakeMerges) LiveMerge(ctx context.Context, sourceID int64) (*domain.Merge, error) {
	return s.LiveMergeFn(ctx, sourceID)
}

// FakeTrackers is a domain.TrackerStore over function fields (issues
// linked to tickets). A nil FakeTrackers, or a nil field, knows no issue,
// so fakes that do not care about trackers need not set it.
type FakeTrackers struct {
	SaveIssueFn        func(ctx context.Context, i *domain.TrackerIssue) error
	IssueByRefFn       func(ctx context.Context, tracker, repo string, number int64) (*domain.TrackerIssue, error)
	LinkIssueFn        func(ctx context.Context, ticketID, issueID int64, by string) (bool, error)
	TicketIssuesFn     func(ctx context.Context, ticketIDs []int64) (map[int64][]*domain.TrackerIssue, error)
	IssueTicketIDsFn   func(ctx context.Context, issueID int64) ([]int64, error)
	OpenLinkedIssuesFn func(ctx context.Context, limit int) ([]*domain.TrackerIssue, error)
}

var _ domain.TrackerStore = (*FakeTrackers)(nil)

func (s *FakeTrackers) SaveIssue(ctx context.Context, i *domain.TrackerIssue) error {
	if s == nil || s.SaveIssueFn == nil {
		return nil
	}
	return s.SaveIssueFn(ctx, i)
}

func (s *FakeTrackers) IssueByRef(ctx context.Context, tracker, repo string, number int64) (*domain.TrackerIssue, error) {
	if s == nil || s.IssueByRefFn == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "No ticket is linked to %s.", domain.FormatIssueRef(repo, number))
	}
	return s.IssueByRefFn(ctx, tracker, repo, number)
}

func (s *FakeTrackers) LinkIssue(ctx context.Context, ticketID, issueID int64, by string) (bool, error) {
	if s == nil || s.LinkIssueFn == nil {
		return true, nil
	}
	return s.LinkIssueFn(ctx, ticketID, issueID, by)
}

func (s *FakeTrackers) TicketIssues(ctx context.Context, ticketIDs []int64) (map[int64][]*domain.TrackerIssue, error) {
	if s == nil || s.TicketIssuesFn == nil {
		return map[int64][]*domain.TrackerIssue{}, nil
	}
	return s.TicketIssuesFn(ctx, ticketIDs)
}

func (s *FakeTrackers) IssueTicketIDs(ctx context.Context, issueID int64) ([]int64, error) {
	if s == nil || s.IssueTicketIDsFn == nil {
		return nil, nil
	}
	return s.IssueTicketIDsFn(ctx, issueID)
}

func (s *FakeTrackers) OpenLinkedIssues(ctx context.Context, limit int) ([]*domain.TrackerIssue, error) {
	if s == nil || s.OpenLinkedIssuesFn == nil {
		return nil, nil
	}
	return s.OpenLinkedIssuesFn(ctx, limit)
}
