// Package mail is mail as deskbot reads and writes it, apart from any
// transport: addresses, parsing raw RFC 5322 mail (with limits) into what
// deskbot needs to create tickets and comments, telling robots from
// people, trimming quotes, and the outgoing message the use cases compose.
// Parse is pure: no I/O, no clock, no shared mutable state, so it can run
// on any goroutine and be fuzzed. The use cases (commands) import it; the
// transport that listens, polls and sends is package email.
package mail

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/deskbot/deskbot/domain/textclean"
)

// Address is one mailbox. Email has a lower-cased domain; the local part is
// kept as sent because RFC 5321 makes it case-sensitive.
type Address struct {
	Name  string
	Email string
}

// Attachment is every leaf MIME part that is not body text: files, inline
// images, signatures, forwarded messages, delivery reports.
type Attachment struct {
	Filename    string
	ContentType string
	Size        int
	Inline      bool
	ContentID   string
	// Data is the content, nil once Message.Spool moved it to a file:
	// Content reads it either way.
	Data []byte

	spool  *spoolFile
	offset int64
}

// AutoKind says whether a machine, not a person, sent the mail.
type AutoKind int

const (
	None      AutoKind = iota // written by a person
	AutoReply                 // vacation / out-of-office / RFC 3834 auto-submitted
	Bulk                      // list or bulk mail
	Bounce                    // delivery status notification
)

func (k AutoKind) String() string {
	switch k {
	case AutoReply:
		return "AutoReply"
	case Bulk:
		return "Bulk"
	case Bounce:
		return "Bounce"
	}
	return "None"
}

// Forward describes the original mail an agent forwarded to deskbot.
type Forward struct {
	From    Address
	Subject string
	Date    time.Time
	Text    string
}

// Message is the parsed mail. All strings are valid UTF-8.
type Message struct {
	MessageID     string // without <>; empty if missing, see Key
	InReplyTo     []string
	References    []string
	Subject       string
	From          Address
	ReplyTo       []Address
	To, Cc        []Address
	Date          time.Time // zero if missing, unparseable or outside 1970..2099
	Text          string
	Reply         string
	Attachments   []Attachment
	Auto          AutoKind
	Forwarded     *Forward
	Headers       map[string][]string
	SentByDeskbot bool
	Warnings      []string

	spool *spoolFile // see Spool
}

// ErrNotMail is returned when the input has no header at all.
var ErrNotMail = errors.New("email: input is not a mail message")

// auditHeaders are kept verbatim in Message.Headers.
var auditHeaders = []string{"Auto-Submitted", "Precedence", "X-Auto-Response-Suppress", "X-Deskbot-Ticket", "List-Id"}

// The parsers are never modified after init; enmime copies one per
// ReadParts. Both believe a part's declared charset, as mail clients do,
// except that guessing (statistical n-gram matching, half the CPU of
// parsing a message) runs where declarations are known to lie or are
// missing: see parserFor.
var (
	trustingParser = enmime.NewParser(append(parserOptions(), enmime.DisableCharacterDetection(true))...)
	guessingParser = enmime.NewParser(parserOptions()...)
)

func parserOptions() []enmime.Option {
	return []enmime.Option{
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
	}
}

// parserFor picks the guessing parser for mail that declares us-ascii
// anywhere (clients sending UTF-8 or Latin-1 under that label are common);
// everything else is decoded as declared. Parts that declare no charset
// are guessed by either parser.
func parserFor(data []byte) *enmime.Parser {
	if containsFold(data[:min(len(data), 256<<10)], "us-ascii") {
		return guessingParser
	}
	return trustingParser
}

// containsFold is bytes.Contains ignoring ASCII case, without the copy
// lower-casing a whole mail would make.
func containsFold(data []byte, word string) bool {
	for i := 0; i+len(word) <= len(data); i++ {
		if data[i]|0x20 == word[0] && bytes.EqualFold(data[i:i+len(word)], []byte(word)) {
			return true
		}
	}
	return false
}

const maxWarnings = 100

// Key identifies the mail for de-duplication: the Message-ID, or a hash of
// the raw bytes when the sender did not set one.
func (m *Message) Key(raw []byte) string {
	if m != nil && m.MessageID != "" {
		return m.MessageID
	}
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Parse reads one message. It fails only when nothing usable can be read;
// malformed-but-readable mail comes back with Warnings.
func Parse(raw []byte) (*Message, error) {
	return parse(raw, 0, Limits{})
}

// ParseLimited is Parse refusing, with a *LimitError and before any
// parsing, a mail over one of lim's limits (unset ones take their default).
func ParseLimited(raw []byte, lim Limits) (*Message, error) {
	return parse(raw, 0, lim)
}

// parse is Parse with a nesting depth, so a forwarded message/rfc822 part is
// parsed once and never recursively.
func parse(raw []byte, depth int, lim Limits) (*Message, error) {
	data := preprocess(raw)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrNotMail
	}
	leaves, err := scanMail(data, lim)
	if err != nil {
		return nil, err
	}
	skeleton, files := carve(data, leaves)
	var warnings []string
	root, err := parserFor(data).ReadParts(bytes.NewReader(skeleton))
	if err != nil {
		warnings = append(warnings, "mime structure unreadable, body kept as plain text: "+err.Error())
		var more []string
		if root, more, err = plainPart(data); err != nil {
			return nil, ErrNotMail
		}
		warnings = append(warnings, more...)
	}
	if len(root.Header) == 0 {
		return nil, ErrNotMail
	}
	warnings = append(warnings, fixTree(root, skeleton)...)

	h := newHeader(root.Header)
	m := &Message{}
	m.readHeaders(h, declaredCharset(root))
	m.Text = cleanText(bodyText(root))
	m.Attachments = attachments(root, files)
	m.Auto = classify(h, m.From, m.Subject, root)
	if depth == 0 && m.Auto == None {
		m.Forwarded = findForward(root, m.Text, m.Subject, depth)
	}
	m.Reply = trimReply(m.Text)
	m.Warnings = collectWarnings(root, warnings)
	m.clean()
	return m, nil
}

// clean passes every string of the message through the edge's cleaning
// step (package textclean): no control character, NUL or invalid UTF-8
// reaches a use case, and the subject and file names show a
// bidirectional override as [U+202E] instead of obeying it.
func (m *Message) clean() {
	textclean.Strings(m, textclean.Text)
	m.Subject = textclean.Line(m.Subject)
	for _, as := range [][]Address{{m.From}, m.ReplyTo, m.To, m.Cc} {
		for i := range as {
			as[i].Name = textclean.Name(as[i].Name)
		}
	}
	m.From.Name = textclean.Name(m.From.Name)
	for i := range m.Attachments {
		m.Attachments[i].Filename = textclean.FileName(m.Attachments[i].Filename)
	}
	if f := m.Forwarded; f != nil {
		f.Subject = textclean.Line(f.Subject)
		f.From.Name = textclean.Name(f.From.Name)
	}
}

// preprocess removes what enmime would misread as a header: a byte-order
// mark, leading blank lines, an mbox "From " separator line and whitespace
// before the first field name.
func preprocess(raw []byte) []byte {
	b := bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 || len(bytes.TrimSpace(b[:i])) != 0 {
			break
		}
		b = b[i+1:]
	}
	if bytes.HasPrefix(b, []byte("From ")) {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return bytes.TrimLeft(b, " \t")
}

// plainPart is the fallback when enmime cannot read the MIME structure:
// the header as enmime reads it, everything after it as plain text.
func plainPart(data []byte) (*enmime.Part, []string, error) {
	var c collector
	hdr, err := enmime.ReadHeader(bufio.NewReader(bytes.NewReader(headerBlock(data))), &c)
	if err != nil {
		return nil, nil, err
	}
	p := enmime.NewPart("text/plain")
	p.Header = hdr
	p.Content = bodyBlock(data)
	return p, c.warnings, nil
}

// collector receives enmime's header warnings in the fallback path.
type collector struct{ warnings []string }

func (c *collector) AddError(name, format string, args ...any) {
	c.warnings = append(c.warnings, "[E] "+name+": "+fmt.Sprintf(format, args...))
}

func (c *collector) AddWarning(name, format string, args ...any) {
	c.warnings = append(c.warnings, "[W] "+name+": "+fmt.Sprintf(format, args...))
}

// headerBlock and bodyBlock split raw mail at the first empty line.
func headerBlock(data []byte) []byte {
	_, end := headerEnd(data)
	return data[:end]
}

func bodyBlock(data []byte) []byte {
	_, end := headerEnd(data)
	return data[end:]
}

// headerEnd returns where the separating empty line starts and where the
// body starts; both are len(data) when there is no body.
func headerEnd(data []byte) (int, int) {
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			break
		}
		line := bytes.TrimRight(data[i:i+j], "\r")
		if len(line) == 0 {
			return i, i + j + 1
		}
		i += j + 1
	}
	return len(data), len(data)
}

func collectWarnings(root *enmime.Part, own []string) []string {
	out := own
	eachPart(root, func(p *enmime.Part) {
		for _, e := range p.Errors {
			out = append(out, e.Error())
		}
	})
	for i := range out {
		out[i] = toUTF8([]byte(out[i]), "")
	}
	if len(out) > maxWarnings {
		out = append(out[:maxWarnings], "further warnings dropped")
	}
	return out
}
