package mail

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// DomainOf returns the lower-cased domain of an address, or "".
func DomainOf(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(strings.Trim(addr[at+1:], " >"))
}

// localPart returns what comes before the last @.
func localPart(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	return strings.Trim(addr[:at], " <")
}

// PlusAddress sub-addresses base with tag: support@vendor.com and
// ACME-42 give support+ACME-42@vendor.com. Replies to it carry the tag
// back, whatever the customer's client does to the subject.
func PlusAddress(base, tag string) string {
	local, dom := localPart(base), DomainOf(base)
	if local == "" || dom == "" {
		return base
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local + "+" + tag + "@" + dom
}

// NewMessageID returns a fresh Message-ID (without <>) under the domain.
// The ticket key in it helps a person reading headers; the random part
// makes it unguessable, so a matching In-Reply-To proves the sender saw
// the mail.
func NewMessageID(key, domain string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	if domain == "" {
		domain = "deskbot.invalid"
	}
	return "deskbot." + strings.ToLower(key) + "." + hex.EncodeToString(b[:]) + "@" + domain
}

// ThreadSubject is the subject of a mail deskbot sends about a ticket:
// the key in brackets, once, before the title; "Re: " in front of a reply.
func ThreadSubject(key, title string, reply bool) string {
	s := strings.TrimSpace("[" + key + "] " + CleanSubject(title))
	if reply {
		s = "Re: " + s
	}
	return s
}
