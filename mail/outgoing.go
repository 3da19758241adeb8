package mail

// Outgoing is one mail deskbot sends: the payload of a domain.OutboxMail
// message. The use case composes it whole, in the transaction that
// decided to send it (so its Message-ID is recorded with the ticket); the
// Sender only formats and delivers it.
type Outgoing struct {
	Ticket     string    `json:"ticket"`     // ACME-42
	Kind       string    `json:"kind"`       // domain.MailKindAck or MailKindReply
	MessageID  string    `json:"message_id"` // without <>
	From       Address   `json:"from"`
	ReplyTo    string    `json:"reply_to,omitempty"`
	To         []Address `json:"to"`
	Cc         []Address `json:"cc,omitempty"`
	Subject    string    `json:"subject"`
	Text       string    `json:"text"`
	InReplyTo  string    `json:"in_reply_to,omitempty"`
	References []string  `json:"references,omitempty"`
	// AutoSubmitted marks mail no person wrote (RFC 3834): "auto-replied"
	// for acknowledgements, "auto-generated" for reminders and the like;
	// other robots do not answer it.
	AutoSubmitted string `json:"auto_submitted,omitempty"`
}

// OriginHeader marks every mail deskbot sends; Parse reports a message
// carrying it as SentByDeskbot, so deskbot never answers itself.
const OriginHeader = "X-Deskbot-Origin"

// TicketHeader names the ticket a mail is about.
const TicketHeader = "X-Deskbot-Ticket"

// Transports name themselves to the use case.
const (
	ViaSMTP = "smtp"
	ViaIMAP = "imap"
)
