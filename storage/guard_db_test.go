package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// A string either database would refuse (or, SQLite, store and hand back
// to Slack) is an invalid-input error naming the column and the rule,
// never a driver error: the transports turn it into a specific message.
func TestStorageRefusesUnstorableText(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		for _, tc := range []struct{ name, title, rule string }{
			{"NUL", "Printer\x00fire", "NUL"},
			{"invalid UTF-8", "Printer\xfffire", "UTF-8"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := db.Update(ctx, func(tx domain.Tx) error {
					return tx.CreateTicket(ctx, &domain.Ticket{CustomerID: p.ID, Title: tc.title, Type: "question",
						Status: "new", Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"})
				})
				if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "tickets.title" {
					t.Fatalf("CreateTicket = %v, want invalid input on tickets.title", err)
				}
				if msg := domain.ErrorMessage(err); !strings.Contains(msg, tc.rule) {
					t.Errorf("message %q does not name the rule %q", msg, tc.rule)
				}
			})
		}
		tk := seedTicket(t, db, p, "Printer on fire")
		err := db.Update(ctx, func(tx domain.Tx) error {
			return tx.AddComment(ctx, &domain.Comment{TicketID: tk.ID, AuthorName: "Ann", Body: "hot\x00", Channel: domain.ChannelSlack})
		})
		if domain.ErrorCode(err) != domain.EINVALID || !strings.HasSuffix(domain.ErrorField(err), ".body") {
			t.Fatalf("AddComment = %v, want invalid input on comments.body", err)
		}
	})
}
