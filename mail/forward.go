package mail

import (
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// findForward recovers the original of a forwarded mail: first from an
// attached message/rfc822 part, else from an inline forward block in the
// text. Called only for mail a person sent, so the returned copy inside a
// bounce is never mistaken for a forward.
func findForward(root *enmime.Part, text, subject string, depth int) *Forward {
	attached := findPart(root, func(p *enmime.Part) bool {
		return (p.ContentType == "message/rfc822" || p.ContentType == "message/global") && len(p.Content) > 0
	})
	if attached != nil {
		if inner, err := parse(attached.Content, depth+1, Limits{}); err == nil && (inner.From.Email != "" || inner.Subject != "") {
			return &Forward{From: inner.From, Subject: inner.Subject, Date: inner.Date, Text: inner.Text}
		}
	}
	return inlineForward(text, forwardPrefix.MatchString(subject))
}

// forwardMarker starts an inline forward in every client; originalMarker
// and an Outlook header block start one only when the subject says the
// mail is a forward (otherwise they start a reply quote).
var (
	forwardMarker  = regexp.MustCompile(`(?i)^[\s>]*(-{2,}\s*(forwarded message|original message follows|weitergeleitete nachricht|message transf[ée]r[ée]|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|mensagem encaminhada|vidarebefordrat meddelande)\s*-{2,}|begin forwarded message\s*:|anfang der weitergeleiteten nachricht\s*:|d[ée]but du message r[ée]exp[ée]di[ée]\s*:)\s*$`)
	originalMarker = regexp.MustCompile(`(?i)^[\s>]*-{2,}\s*(original message|urspr[üu]ngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original|originalmeddelande|opprinnelig melding)\s*-{2,}\s*$`)
	forwardPrefix  = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?(fwd?|wg|tr|enc|rv|vs|doorst|i|pd|ilt|vb|転送|转发|轉寄)\s*[:：]`)
)

// markerCandidate is a cheap test before the marker regexps: every marker
// has dashes or ends with a colon.
func markerCandidate(line string) bool {
	return strings.Contains(line, "--") || strings.HasSuffix(strings.TrimSpace(line), ":")
}

// maxHeaderLines bounds a quoted header block (fields plus wrapped
// values), which keeps the scan linear on hostile input.
const maxHeaderLines = 30

func inlineForward(text string, subjectSaysForward bool) *Forward {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		start := -1
		marker := markerCandidate(line)
		switch {
		case marker && forwardMarker.MatchString(line):
			start = i + 1
		case marker && subjectSaysForward && originalMarker.MatchString(line):
			start = i + 1
		case subjectSaysForward && outlookBlock(lines, i):
			start = i
		}
		if start < 0 {
			continue
		}
		if fw := forwardFromBlock(lines[start:]); fw != nil {
			return fw
		}
	}
	return nil
}

// forwardFromBlock reads the quoted header lines at the top of lines and
// takes the rest as the forwarded text.
func forwardFromBlock(lines []string) *Forward {
	var fw Forward
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	seen := false
	for first := i; i < len(lines) && i < first+maxHeaderLines; i++ {
		if strings.TrimSpace(lines[i]) == "" {
			break
		}
		field, value, ok := quotedField(lines[i])
		if !ok {
			if !seen {
				return nil
			}
			continue // wrapped value of the previous field
		}
		seen = true
		switch field {
		case "from":
			if a := addressList([]string{value}, ""); len(a) > 0 {
				fw.From = a[0]
			}
		case "subject":
			fw.Subject = normalizeSpace(value)
		case "date":
			fw.Date = parseDate(value)
		}
	}
	if fw.From.Email == "" {
		return nil
	}
	fw.Text = strings.TrimSpace(strings.Join(lines[i:], "\n"))
	return &fw
}

// quotedFields maps the field names clients print above quoted or
// forwarded mail, in several languages, to from/date/subject/to/cc.
var quotedFields = map[string]string{
	"from": "from", "von": "from", "de": "from", "da": "from", "van": "from", "från": "from", "fra": "from", "od": "from", "от": "from",
	"sent": "date", "date": "date", "gesendet": "date", "datum": "date", "envoyé": "date", "enviado": "date", "enviado el": "date",
	"fecha": "date", "inviato": "date", "data": "date", "verzonden": "date", "skickat": "date", "sendt": "date", "отправлено": "date",
	"subject": "subject", "betreff": "subject", "objet": "subject", "asunto": "subject", "oggetto": "subject", "onderwerp": "subject",
	"assunto": "subject", "ämne": "subject", "emne": "subject", "temat": "subject", "тема": "subject",
	"to": "to", "an": "to", "à": "to", "a": "to", "para": "to", "aan": "to", "till": "to", "til": "to", "do": "to", "кому": "to",
	"cc": "cc", "kopie": "cc", "reply-to": "reply-to",
}

// quotedField parses "Field: value" as clients print quoted headers, also
// behind "> " and in bold ("*From:* value").
func quotedField(line string) (field, value string, ok bool) {
	s := strings.TrimPrefix(strings.TrimLeft(line, " \t>"), "*")
	i := strings.IndexByte(s, ':')
	if i <= 0 || i > 24 {
		return "", "", false
	}
	field, ok = quotedFields[strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s[:i]), "*")))]
	value = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s[i+1:]), "*"))
	return field, value, ok
}

// outlookBlock reports whether lines[i] starts an Outlook-style quoted
// header: a From line with a value, followed within a few lines by a date
// and a subject.
func outlookBlock(lines []string, i int) bool {
	if field, value, ok := quotedField(lines[i]); !ok || field != "from" || value == "" {
		return false
	}
	var date, subject bool
	for j := i + 1; j < len(lines) && j <= i+6; j++ {
		field, _, _ := quotedField(lines[j])
		date = date || field == "date"
		subject = subject || field == "subject"
	}
	return date && subject
}
