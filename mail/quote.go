package mail

import (
	"regexp"
	"strings"
)

var (
	// onWrote is the attribution line of a quote, in several languages:
	// "On <date>, <name> wrote:", "Le … a écrit :", "Am … schrieb …:",
	// "El … escribió:", also behind "> " or Yahoo's "--- ". Only tried on
	// lines up to maxAttribution bytes, so the unbounded ".*" stays cheap.
	onWrote = regexp.MustCompile(`(?i)^[\s>-]*(on|le|am|el|il|op|em|den|på|w dniu|dne)\s.*(wrote|a écrit|schrieb|escribió|escribio|ha scritto|schreef|escreveu|skrev|napisał|pisze|napsal)[^:]*:\s*$`)
	// onWroteStart is the first half of an attribution wrapped over 2 lines.
	onWroteStart = regexp.MustCompile(`(?i)^[\s>-]*(on|le|am|el|il|op|em|den|på|w dniu|dne)\s`)
	// separator is the rule Outlook draws above a quoted header block.
	separator = regexp.MustCompile(`^\s*(_{5,}|-{5,})\s*$`)
)

// trimReply cuts the quoted history and the signature from text. When the
// quote comes first (bottom-posting), the text after the quote is the
// reply. When nothing would be left, the whole text is kept.
func trimReply(text string) string {
	lines := strings.Split(text, "\n")
	body := lines
	if cut, end := quoteStart(lines); cut >= 0 {
		body = lines[:cut]
		if isBlank(body) && end < len(lines) {
			body = lines[end:]
		}
	}
	body = cutSignature(body)
	if reply := strings.TrimSpace(strings.Join(body, "\n")); reply != "" {
		return reply
	}
	return text
}

// quoteStart returns the first line of quoted history, or -1, and where a
// leading "On … wrote:" plus "> " block ends (for bottom-posted replies;
// len(lines) when the quote is of another kind).
func quoteStart(lines []string) (cut, end int) {
	lastUnquoted := -1
	for i, l := range lines {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, ">") {
			lastUnquoted = i
		}
	}
	for i, line := range lines {
		switch kind := quoteHeader(lines, i); {
		case kind == attribution:
			return i, quoteEnd(lines, i+1)
		case kind != noQuote:
			return i, len(lines)
		case i > lastUnquoted && strings.HasPrefix(strings.TrimSpace(line), ">"):
			return i, len(lines)
		}
	}
	return -1, len(lines)
}

type quoteKind int

const (
	noQuote       quoteKind = iota
	attribution             // "On … wrote:"
	quotedHeaders           // "-----Original Message-----", Outlook "From: … Sent: …"
)

func quoteHeader(lines []string, i int) quoteKind {
	line := lines[i]
	trimmed := strings.TrimSpace(line)
	// Cheap checks first: this runs for every line of every mail.
	endsColon := strings.HasSuffix(trimmed, ":")
	switch {
	case endsColon && isAttribution(line):
		return attribution
	case i+1 < len(lines) && strings.HasSuffix(strings.TrimSpace(lines[i+1]), ":") && onWroteStart.MatchString(line) &&
		isAttribution(line+" "+strings.TrimSpace(lines[i+1])):
		return attribution
	case markerCandidate(line) && (originalMarker.MatchString(line) || forwardMarker.MatchString(line)):
		return quotedHeaders
	case i+1 < len(lines) && (strings.Contains(trimmed, "_____") || strings.Contains(trimmed, "-----")) &&
		separator.MatchString(line) && outlookBlock(lines, i+1):
		return quotedHeaders
	case outlookBlock(lines, i):
		return quotedHeaders
	}
	return noQuote
}

const maxAttribution = 500

func isAttribution(line string) bool {
	return len(line) <= maxAttribution && onWrote.MatchString(line)
}

// quoteEnd skips the second line of a wrapped attribution and the "> "
// lines after it; without "> " lines the quote runs to the end.
func quoteEnd(lines []string, j int) int {
	if j < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[j]), ">") && strings.HasSuffix(strings.TrimSpace(lines[j]), ":") {
		j++
	}
	quoted := false
	for ; j < len(lines); j++ {
		t := strings.TrimSpace(lines[j])
		if t != "" && !strings.HasPrefix(t, ">") {
			break
		}
		quoted = quoted || t != ""
	}
	if !quoted {
		return len(lines)
	}
	return j
}

// cutSignature drops everything from the "-- " delimiter line (also "--",
// as many clients strip trailing spaces) to the end.
func cutSignature(lines []string) []string {
	for i, l := range lines {
		if strings.TrimRight(l, " \t") == "--" {
			return lines[:i]
		}
	}
	return lines
}

func isBlank(lines []string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			return false
		}
	}
	return true
}
