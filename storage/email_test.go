package storage_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestTicketMessages(t *testing.T) {
	clock := storagetest.NewClock(t0)
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		a, b := seedTicket(t, db, p, "A"), seedTicket(t, db, p, "B")
		update(t, db, func(tx domain.Tx) error {
			for _, m := range []*domain.TicketMessage{
				{MessageID: "in-1@acme.com", TicketID: a.ID, Direction: domain.MailIn, Kind: domain.MailKindMail, Address: "Cy@Acme.com"},
				{MessageID: "out-1@vendor.com", TicketID: a.ID, Direction: domain.MailOut, Kind: domain.MailKindAck, Address: "cy@acme.com"},
				{MessageID: "in-2@acme.com", TicketID: b.ID, Direction: domain.MailIn, Kind: domain.MailKindMail},
			} {
				if ok, err := tx.AddTicketMessage(ctx, m); err != nil || !ok {
					t.Errorf("add %s: %v %v", m.MessageID, ok, err)
				}
			}
			// A Message-ID belongs to one ticket: the second claim is refused quietly.
			ok, err := tx.AddTicketMessage(ctx, &domain.TicketMessage{MessageID: "in-1@acme.com", TicketID: b.ID, Direction: domain.MailIn})
			if err != nil || ok {
				t.Errorf("duplicate id: %v %v", ok, err)
			}
			return nil
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			tests := []struct {
				ids    []string
				ticket int64
				dir    string
			}{
				{[]string{"unknown@x", "in-2@acme.com", "in-1@acme.com"}, b.ID, domain.MailIn}, // the order of ids wins
				{[]string{"out-1@vendor.com"}, a.ID, domain.MailOut},
				{[]string{"", "nope"}, 0, ""},
				{nil, 0, ""},
			}
			for _, tc := range tests {
				m, err := tx.FindTicketMessage(ctx, tc.ids)
				if tc.ticket == 0 {
					if domain.ErrorCode(err) != domain.ENOTFOUND {
						t.Errorf("%v: got %v %v, want not found", tc.ids, m, err)
					}
					continue
				}
				if err != nil || m.TicketID != tc.ticket || m.Direction != tc.dir {
					t.Errorf("%v: got %+v %v", tc.ids, m, err)
				}
			}
			ms, err := tx.TicketMessages(ctx, a.ID)
			if err != nil || len(ms) != 2 || ms[0].MessageID != "in-1@acme.com" || ms[0].Address != "cy@acme.com" || !ms[0].CreatedAt.Equal(t0) {
				t.Errorf("messages of A: %+v %v", ms, err)
			}
			for _, tc := range []struct {
				since time.Time
				kind  string
				want  int
			}{{t0, domain.MailKindAck, 1}, {t0.Add(time.Second), domain.MailKindAck, 0}, {t0, domain.MailKindReply, 0}} {
				if n, err := tx.CountMailsTo(ctx, "CY@acme.com", tc.kind, tc.since); err != nil || n != tc.want {
					t.Errorf("count %s since %v: %d %v, want %d", tc.kind, tc.since, n, err, tc.want)
				}
			}
			return nil
		})
	}, storage.WithClock(clock.Now))
}

func TestParticipantsAndAttachments(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		tk := seedTicket(t, db, p, "A")
		var big, small, empty *domain.Attachment
		update(t, db, func(tx domain.Tx) error {
			if err := tx.AddParticipants(ctx, []*domain.Participant{
				{TicketID: tk.ID, Email: "dee@acme.com", Role: domain.ParticipantCc},
				{TicketID: tk.ID, Email: "Cy@Acme.com", Name: "Cy", Role: domain.ParticipantRequester},
			}); err != nil {
				t.Error(err)
			}
			// Already there: kept as they were, the requester a requester.
			if err := tx.AddParticipants(ctx, []*domain.Participant{
				{TicketID: tk.ID, Email: "cy@acme.com", Role: domain.ParticipantCc},
				{TicketID: tk.ID, Email: "cy@acme.com", Role: domain.ParticipantCc},
			}); err != nil {
				t.Errorf("participants twice: %v", err)
			}
			if err := tx.AddParticipants(ctx, nil); err != nil {
				t.Error(err)
			}
			small = &domain.Attachment{TicketID: tk.ID, Filename: "log.txt", ContentType: "text/plain", Size: 3, Stored: true, Data: []byte("abc")}
			big = &domain.Attachment{TicketID: tk.ID, Filename: "dump.bin", Size: 50 << 20}
			empty = &domain.Attachment{TicketID: tk.ID, Filename: "empty.txt", Stored: true}
			for _, a := range []*domain.Attachment{small, big, empty} {
				if err := tx.AddAttachment(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			ps, err := tx.Participants(ctx, tk.ID)
			if err != nil || len(ps) != 2 || ps[0].Email != "cy@acme.com" || ps[0].Role != domain.ParticipantRequester || ps[1].Email != "dee@acme.com" {
				t.Errorf("participants: %+v %v", ps, err)
			}
			got, err := tx.Attachment(ctx, small.ID)
			if err != nil || !bytes.Equal(got.Data, []byte("abc")) || !got.Stored || got.Filename != "log.txt" {
				t.Errorf("small: %+v %v", got, err)
			}
			got, err = tx.Attachment(ctx, big.ID)
			if err != nil || got.Stored || got.Data != nil || got.Size != 50<<20 {
				t.Errorf("big: %+v %v", got, err)
			}
			got, err = tx.Attachment(ctx, empty.ID)
			if err != nil || !got.Stored || len(got.Data) != 0 {
				t.Errorf("empty: %+v %v", got, err)
			}
			list, err := tx.Attachments(ctx, tk.ID)
			if err != nil || len(list) != 3 || list[0].Data != nil || list[0].Filename != "log.txt" {
				t.Errorf("list: %+v %v", list, err)
			}
			if _, err := tx.Attachment(ctx, 9999); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("unknown attachment: %v", err)
			}
			return nil
		})
	})
}
