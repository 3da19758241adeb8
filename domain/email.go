package domain

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Outbox kinds of mail. (OutboxEmail, in rules.go, asks for a mail to be
// worded and sent: a commands.EmailJob, which the mail transport turns
// into an OutboxMail with commands.Service.ComposeMailJob.)
const (
	// OutboxMail sends one mail composed whole: a mail.Outgoing.
	OutboxMail = "email.out"
	// OutboxSlackFile uploads a stored mail attachment into its ticket's thread.
	OutboxSlackFile = "slack.file"
)

// Directions and kinds of the mails recorded for a ticket.
const (
	MailIn  = "in"
	MailOut = "out"

	MailKindMail  = "mail"  // in: written by a person
	MailKindAuto  = "auto"  // in: auto-reply, bounce or bulk
	MailKindAck   = "ack"   // out: acknowledgement of a new ticket
	MailKindReply = "reply" // out: an agent's answer
)

// TicketMessage is one mail of a ticket's thread, by its Message-ID: what
// In-Reply-To and References of later mail are matched against.
type TicketMessage struct {
	ID        int64     `db:"id"`
	MessageID string    `db:"message_id"` // without <>
	TicketID  int64     `db:"ticket_id"`
	Direction string    `db:"direction"` // MailIn or MailOut
	Kind      string    `db:"kind"`
	Address   string    `db:"address"` // in: the sender; out: the requester it went to
	CreatedAt time.Time `db:"created_at"`
}

// Participant roles on a ticket.
const (
	ParticipantRequester = "requester"
	ParticipantCc        = "cc"
)

// Participant is an email address on a ticket: the requester and the
// people they copied. They get deskbot's mail and may write into the
// ticket by its key; strangers may not.
type Participant struct {
	TicketID  int64     `db:"ticket_id"`
	Email     string    `db:"email"` // lower case
	Name      string    `db:"name"`
	Role      string    `db:"role"`
	CreatedAt time.Time `db:"created_at"`
}

// Attachment is a file that came with a mail. Files over the configured
// limit keep their name and size but not their bytes (Stored false).
type Attachment struct {
	ID          int64     `db:"id"`
	TicketID    int64     `db:"ticket_id"`
	CommentID   *int64    `db:"comment_id"` // nil when it came with the ticket's first mail
	MessageID   string    `db:"message_id"`
	Filename    string    `db:"filename"`
	ContentType string    `db:"content_type"`
	Size        int64     `db:"size"`
	Stored      bool      `db:"stored"`
	Data        []byte    `db:"data"`
	CreatedAt   time.Time `db:"created_at"`
}

// EmailStore is the part of a transaction mail needs; Tx embeds it.
type EmailStore interface {
	// AddTicketMessage records a Message-ID for a ticket and reports false
	// when it was already recorded (for any ticket).
	AddTicketMessage(ctx context.Context, m *TicketMessage) (bool, error)
	// FindTicketMessage returns the first of ids that is recorded, in the
	// order given, or ENOTFOUND.
	FindTicketMessage(ctx context.Context, ids []string) (*TicketMessage, error)
	// TicketMessages lists a ticket's mails, oldest first.
	TicketMessages(ctx context.Context, ticketID int64) ([]*TicketMessage, error)
	// CountMailsTo counts outgoing mails of a kind to an address since a time.
	CountMailsTo(ctx context.Context, address, kind string, since time.Time) (int, error)

	// AddParticipants records addresses on a ticket (one statement); those
	// already there are left as they are.
	AddParticipants(ctx context.Context, ps []*Participant) error
	Participants(ctx context.Context, ticketID int64) ([]*Participant, error)

	AddAttachment(ctx context.Context, a *Attachment) error
	// Attachment reads one attachment with its bytes.
	Attachment(ctx context.Context, id int64) (*Attachment, error)
	// Attachments lists a ticket's attachments without their bytes.
	Attachments(ctx context.Context, ticketID int64) ([]*Attachment, error)
}

// DefaultAttachmentLimit applies when email.attachment_limit is not set.
const DefaultAttachmentLimit = 10 << 20

// EmailConfig shapes mail intake (the `email:` section).
type EmailConfig struct {
	// Agents are addresses of agents whose forwarded mail is filed for the
	// original sender; everyone at MAIL_FROM's domain counts too.
	Agents []string `yaml:"agents"`
	// Domains the SMTP listener accepts mail for, besides MAIL_FROM's.
	Domains []string `yaml:"domains"`
	// AttachmentLimit is the largest attachment kept and uploaded to Slack;
	// larger ones are listed by name. Zero means DefaultAttachmentLimit.
	AttachmentLimit ByteSize `yaml:"attachment_limit"`
	// FilesPerMail is how many of one mail's files are posted to Slack;
	// the rest are kept with the ticket and listed on the card, so one
	// mail cannot bury a channel. Zero means DefaultFilesPerMail.
	FilesPerMail int `yaml:"files_per_mail"`
	// The limits a mail is refused over, before it is parsed (package
	// email, Limits). Zero means the default.
	MaxMIMEDepth   int      `yaml:"max_mime_depth"`
	MaxMIMEParts   int      `yaml:"max_mime_parts"`
	MaxHeaderLines int      `yaml:"max_header_lines"`
	MaxHeaderBytes ByteSize `yaml:"max_header_bytes"`
	// MaxMessageSize refuses larger mail during DATA (552), and
	// ParallelMails is how many mails the SMTP listener reads and parses at
	// once; the others wait in their SMTP conversation. Both are read when
	// the listener starts. Zero means the transport's default.
	MaxMessageSize ByteSize `yaml:"max_message_size"`
	ParallelMails  int      `yaml:"parallel_mails"`
	Line           int      `yaml:"-"`
}

// DefaultFilesPerMail applies when email.files_per_mail is not set.
const DefaultFilesPerMail = 20

// FilesPerMailOrDefault is the number of a mail's files posted to Slack.
func (e *EmailConfig) FilesPerMailOrDefault() int {
	if e.FilesPerMail > 0 {
		return e.FilesPerMail
	}
	return DefaultFilesPerMail
}

var domainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

func (e *EmailConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain EmailConfig
	e.Line = n.Line
	var errs []string
	if err := collect(&errs, decodeStrict(n, (*plain)(e))); err != nil {
		return err
	}
	// Addresses and domains compare in lower case everywhere.
	for i, a := range e.Agents {
		a = strings.ToLower(strings.TrimSpace(a))
		if at := strings.LastIndexByte(a, '@'); at <= 0 || !domainRE.MatchString(a[at+1:]) {
			errs = append(errs, fmt.Sprintf("line %d: email.agents: %q is not an email address", n.Line, e.Agents[i]))
		}
		e.Agents[i] = a
	}
	for i, d := range e.Domains {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if !domainRE.MatchString(d) {
			errs = append(errs, fmt.Sprintf("line %d: email.domains: %q is not a domain like vendor.com", n.Line, e.Domains[i]))
		}
		e.Domains[i] = d
	}
	for _, l := range []struct {
		name string
		v    int64
	}{{"files_per_mail", int64(e.FilesPerMail)}, {"max_mime_depth", int64(e.MaxMIMEDepth)},
		{"max_mime_parts", int64(e.MaxMIMEParts)}, {"max_header_lines", int64(e.MaxHeaderLines)},
		{"max_header_bytes", int64(e.MaxHeaderBytes)}, {"max_message_size", int64(e.MaxMessageSize)},
		{"parallel_mails", int64(e.ParallelMails)}} {
		if l.v < 0 {
			errs = append(errs, fmt.Sprintf("line %d: email.%s: %d is negative; leave it out for the default", n.Line, l.name, l.v))
		}
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

// AttachmentLimitOrDefault is the attachment size limit in force, in bytes.
func (e *EmailConfig) AttachmentLimitOrDefault() int64 {
	if e.AttachmentLimit > 0 {
		return int64(e.AttachmentLimit)
	}
	return DefaultAttachmentLimit
}

// ByteSize is a size in bytes, written in YAML as 512KB, 10MB or 1048576.
type ByteSize int64

var byteSizeRE = regexp.MustCompile(`^(?i)(\d{1,12})\s*(b|kb|kib|mb|mib|gb|gib)?$`)

func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	m := byteSizeRE.FindStringSubmatch(strings.TrimSpace(n.Value))
	if n.Kind != yaml.ScalarNode || m == nil {
		return lineErr(n.Line, fmt.Sprintf("%q is not a size like 10MB or 512KB", n.Value))
	}
	v, _ := strconv.ParseInt(m[1], 10, 64)
	switch strings.ToLower(m[2]) {
	case "kb", "kib":
		v <<= 10
	case "mb", "mib":
		v <<= 20
	case "gb", "gib":
		v <<= 30
	}
	*b = ByteSize(v)
	return nil
}
