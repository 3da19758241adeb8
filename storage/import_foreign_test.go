package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/deskbot/deskbot/backup"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

var defaultVocabulary = backup.Vocabulary{
	Statuses: []backup.StatusName{{Name: "new", Category: "new"}, {Name: "open", Category: "open"}, {Name: "waiting", Category: "waiting"},
		{Name: "resolved", Category: "resolved"}, {Name: "closed", Category: "closed"}},
	Priorities: []string{"low", "normal", "high", "urgent"},
	Types:      []string{"incident", "question"},
}

func zammadFixture(t *testing.T) *backup.Foreign {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "backup", "testdata", "zammad.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := backup.Zammad(data)
	if err != nil {
		t.Fatal(err)
	}
	f.Resolve(defaultVocabulary)
	return f
}

// Another helpdesk's tickets land with their keys numbered on from the
// customer's, their times, requester and conversation; an existing
// customer is matched by email domain; a second load adds nothing.
func TestImportForeign(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		acme := &domain.Customer{Key: "ACME", Name: "ACME Inc", TimeZone: "UTC", EmailDomains: "acme.example"}
		update(t, db, func(tx domain.Tx) error { return tx.CreateCustomer(ctx, acme) })
		seedTicket(t, db, acme, "already here")
		sum, err := db.ImportForeign(ctx, zammadFixture(t), storage.ForeignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Tickets != 3 || sum.Comments != 2 || len(sum.NewCustomers) != 2 || sum.NewCustomers[0] != "ZAMMAD" || sum.NewCustomers[1] != "GLOBEX" {
			t.Fatalf("summary %+v", sum)
		}
		var tk *domain.Ticket
		var comments []*domain.Comment
		var events []*domain.Event
		err = db.View(ctx, func(tx domain.Tx) (err error) {
			if tk, err = tx.TicketByKey(ctx, "ACME-2"); err != nil {
				return err
			}
			if comments, err = tx.Comments(ctx, tk.ID); err != nil {
				return err
			}
			events, err = tx.Events(ctx, tk.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		created := time.Date(2026, 3, 4, 9, 12, 0, 0, time.UTC)
		closed := time.Date(2026, 3, 5, 16, 20, 0, 0, time.UTC)
		if tk.Title != "Invoices for March are empty" || tk.Status != "closed" || tk.Priority != "high" || tk.RequesterEmail != "dana@acme.example" ||
			!tk.CreatedAt.Equal(created) || tk.ClosedAt == nil || !tk.ClosedAt.Equal(closed) || tk.SourceRef != "zammad:22002" {
			t.Errorf("ticket %+v", tk)
		}
		if len(comments) != 2 || comments[0].Public || comments[0].Body != "Billing job crashed on the 1st." ||
			!comments[1].Public || comments[1].AuthorEmail != "ana@vendor.example" || !comments[1].CreatedAt.Equal(time.Date(2026, 3, 5, 16, 19, 0, 0, time.UTC)) {
			t.Errorf("comments %+v %+v", comments[0], comments[1])
		}
		if len(events) != 1 || events[0].Kind != domain.EventCreated || !events[0].At.Equal(created) {
			t.Errorf("events %+v", events)
		}
		again, err := db.ImportForeign(ctx, zammadFixture(t), storage.ForeignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if again.Tickets != 0 || len(again.Already) != 3 || again.Already[1] != "zammad:22002 is ACME-2" || len(again.NewCustomers) != 0 {
			t.Errorf("second load %+v", again)
		}
		if _, err := db.ImportForeign(ctx, zammadFixture(t), storage.ForeignOptions{Customer: "NOPE"}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("unknown --customer: %v", err)
		}
	})
}
