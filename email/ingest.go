// Package email is deskbot's mail transport, a sibling of bot/: the SMTP
// listener (go-smtp), the IMAP poller (go-imap) and the sender that
// delivers outgoing mail through the relay (go-mail). Only the entry
// point wires it; what a mail means (parsing, classification, the
// outgoing message) is package mail, which the use cases import.
package email

import "context"

// Ingest hands one raw message to the use case (commands.Service.Ingest)
// and returns once its ticket or comment is committed. envelopeTo are the
// SMTP recipients, when known. An error with domain code EINVALID is
// permanent (the mail can never be taken); any other is temporary.
type Ingest func(ctx context.Context, raw []byte, via string, envelopeTo []string) error
