package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

const ticketMessageCols = `id, message_id, ticket_id, direction, kind, address, created_at`

// AddTicketMessage records a mail's Message-ID for a ticket; false when
// the id is already recorded.
func (tx *Tx) AddTicketMessage(ctx context.Context, m *domain.TicketMessage) (bool, error) {
	m.CreatedAt = tx.now
	m.Address = strings.ToLower(m.Address)
	res, err := tx.exec(ctx, `INSERT INTO ticket_messages (message_id, ticket_id, direction, kind, address, created_at)
		VALUES (?,?,?,?,?,?) ON CONFLICT (message_id) DO NOTHING`,
		m.MessageID, m.TicketID, m.Direction, m.Kind, m.Address, m.CreatedAt)
	if isForeignKeyViolation(err) {
		return false, domain.Errorf(domain.ENOTFOUND, "Ticket not found.")
	} else if err != nil {
		return false, fmt.Errorf("store: unable to record message id: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: unable to record message id: %w", err)
	}
	return n == 1, nil
}

// FindTicketMessage returns the first of ids recorded, in the order of ids.
func (tx *Tx) FindTicketMessage(ctx context.Context, ids []string) (*domain.TicketMessage, error) {
	var clean []string
	for _, id := range ids {
		if id != "" {
			clean = append(clean, id)
		}
	}
	if len(clean) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Message not found.")
	}
	in, args := inList(clean)
	var found []*domain.TicketMessage
	if err := tx.selectAll(ctx, &found, `SELECT `+ticketMessageCols+` FROM ticket_messages WHERE message_id IN `+in, args...); err != nil {
		return nil, fmt.Errorf("store: unable to find message ids: %w", err)
	}
	for _, id := range clean {
		for _, m := range found {
			if m.MessageID == id {
				return m, nil
			}
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "Message not found.")
}

// TicketMessages lists a ticket's mails, oldest first.
func (tx *Tx) TicketMessages(ctx context.Context, ticketID int64) ([]*domain.TicketMessage, error) {
	var ms []*domain.TicketMessage
	scope, sargs := tx.scopedTicket("ticket_id")
	if err := tx.selectAll(ctx, &ms, `SELECT `+ticketMessageCols+` FROM ticket_messages WHERE ticket_id = ?`+scope+` ORDER BY id`, append([]any{ticketID}, sargs...)...); err != nil {
		return nil, fmt.Errorf("store: unable to list message ids: %w", err)
	}
	return ms, nil
}

// CountMailsTo counts outgoing mails of a kind to an address since a time.
func (tx *Tx) CountMailsTo(ctx context.Context, address, kind string, since time.Time) (int, error) {
	var n int
	err := tx.get(ctx, &n, `SELECT COUNT(*) FROM ticket_messages WHERE direction = 'out' AND address = ? AND kind = ? AND created_at >= ?`,
		strings.ToLower(address), kind, ts(since))
	if err != nil {
		return 0, fmt.Errorf("store: unable to count mails: %w", err)
	}
	return n, nil
}

// AddParticipants records addresses on a ticket in one statement; those
// already there are left as they are.
func (tx *Tx) AddParticipants(ctx context.Context, ps []*domain.Participant) error {
	if len(ps) == 0 {
		return nil
	}
	var rows []string
	var args []any
	for _, p := range ps {
		p.CreatedAt = tx.now
		p.Email = strings.ToLower(p.Email)
		rows = append(rows, "(?,?,?,?,?)")
		args = append(args, p.TicketID, p.Email, p.Name, p.Role, p.CreatedAt)
	}
	_, err := tx.exec(ctx, `INSERT INTO ticket_participants (ticket_id, email, name, role, created_at) VALUES `+
		strings.Join(rows, ",")+` ON CONFLICT (ticket_id, email) DO NOTHING`, args...)
	if isForeignKeyViolation(err) {
		return domain.Errorf(domain.ENOTFOUND, "Ticket not found.")
	} else if err != nil {
		return fmt.Errorf("store: unable to add participants: %w", err)
	}
	return nil
}

// Participants lists a ticket's addresses, the requester first.
func (tx *Tx) Participants(ctx context.Context, ticketID int64) ([]*domain.Participant, error) {
	var ps []*domain.Participant
	scope, sargs := tx.scopedTicket("ticket_id")
	err := tx.selectAll(ctx, &ps, `SELECT ticket_id, email, name, role, created_at FROM ticket_participants
		WHERE ticket_id = ?`+scope+` ORDER BY CASE role WHEN 'requester' THEN 0 ELSE 1 END, created_at, email`, append([]any{ticketID}, sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list participants: %w", err)
	}
	return ps, nil
}

// AddAttachment stores a file that came by mail.
func (tx *Tx) AddAttachment(ctx context.Context, a *domain.Attachment) error {
	a.CreatedAt = tx.now
	var data []byte
	if a.Stored {
		// A stored empty file is not NULL: NULL means "over the limit".
		data = a.Data
		if data == nil {
			data = []byte{}
		}
	}
	id, err := tx.insert(ctx, `INSERT INTO attachments (ticket_id, comment_id, message_id, filename, content_type,
		size, stored, data, created_at) VALUES (?,?,?,?,?,?,?,?,?)`, a.TicketID, a.CommentID, a.MessageID,
		a.Filename, a.ContentType, a.Size, a.Stored, data, a.CreatedAt)
	if isForeignKeyViolation(err) {
		return domain.Errorf(domain.ENOTFOUND, "Ticket not found.")
	} else if err != nil {
		return fmt.Errorf("store: unable to add attachment: %w", err)
	}
	a.ID = id
	return nil
}

const attachmentCols = `id, ticket_id, comment_id, message_id, filename, content_type, size, stored, created_at`

// Attachment reads one attachment with its bytes.
func (tx *Tx) Attachment(ctx context.Context, id int64) (*domain.Attachment, error) {
	var a domain.Attachment
	scope, sargs := tx.scopedTicket("ticket_id")
	if err := tx.get(ctx, &a, `SELECT `+attachmentCols+`, data FROM attachments WHERE id = ?`+scope, append([]any{id}, sargs...)...); err != nil {
		if err = notFound("Attachment", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read attachment: %w", err)
	}
	return &a, nil
}

// Attachments lists a ticket's attachments without their bytes.
func (tx *Tx) Attachments(ctx context.Context, ticketID int64) ([]*domain.Attachment, error) {
	var as []*domain.Attachment
	scope, sargs := tx.scopedTicket("ticket_id")
	if err := tx.selectAll(ctx, &as, `SELECT `+attachmentCols+` FROM attachments WHERE ticket_id = ?`+scope+` ORDER BY id`, append([]any{ticketID}, sargs...)...); err != nil {
		return nil, fmt.Errorf("store: unable to list attachments: %w", err)
	}
	return as, nil
}
