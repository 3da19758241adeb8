package mail

import (
	"regexp"
	"strings"
)

// ticketTag is "[KEY-N]": a customer key of 2-10 letters/digits starting
// with a letter, then the ticket number. Clients may change case.
var ticketTag = regexp.MustCompile(`(?i)\[\s*([a-z][a-z0-9]{1,9})-([0-9]{1,9})\s*\]`)

// TicketKeyInSubject finds the first "[ACME-42]" tag anywhere in subject
// and returns its key upper-cased.
func TicketKeyInSubject(subject string) (key string, ok bool) {
	m := ticketTag.FindStringSubmatch(subject)
	if m == nil {
		return "", false
	}
	return strings.ToUpper(m[1]) + "-" + m[2], true
}

// PlusTag splits a sub-addressed mailbox: "support+acme-42@x.com" →
// ("support", "acme-42"). Without a '+' the tag is empty.
func PlusTag(addr string) (local, tag string) {
	addr = strings.TrimSpace(addr)
	if i := strings.LastIndexByte(addr, '<'); i >= 0 {
		addr = strings.TrimSuffix(addr[i+1:], ">")
	}
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		addr = addr[:at]
	}
	local, tag, _ = strings.Cut(addr, "+")
	return local, tag
}

// replyPrefix matches one reply/forward marker as clients of many languages
// write it: "Re:", "RE :", "Fwd:", "AW:", "WG:", "TR:", "Réf. :", "SV:",
// "Re[2]:", "回复：" …
var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|fwd?|aw|wg|tr|r[ée]f\.?|rép|sv|vs|antw|doorst|enc|res|rv|rif|odp|pd|ynt|ilt|vl|vá|fs|отв|пер|回复|回覆|答复|转发|轉寄|転送)\s*(\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*`)

// CleanSubject strips reply/forward prefixes (repeated, in any order with
// the ticket tag) and every "[KEY-N]" tag, for use as a ticket title.
func CleanSubject(s string) string {
	s = normalizeSpace(ticketTag.ReplaceAllString(s, " "))
	for {
		loc := replyPrefix.FindStringIndex(s)
		if loc == nil {
			break
		}
		s = s[loc[1]:] // slicing, not copying: long "Re: Re: …" chains stay linear
	}
	return normalizeSpace(s)
}
