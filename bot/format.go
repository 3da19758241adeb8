package bot

import (
	"strings"
	"unicode/utf8"
)

// Block Kit limits (https://api.slack.com/reference/block-kit/blocks).
const (
	maxSectionText = 3000
	maxFieldText   = 2000
	maxHeaderText  = 150
	maxButtonText  = 75
	maxOptionText  = 75
	maxMessageText = 40000
	maxBlocks      = 50
	maxViewBlocks  = 100
	maxModalTitle  = 24
	maxInputValue  = 3000
)

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// esc makes user text inert in mrkdwn: Slack reads &, < and > as markup, so
// a title holding <!channel> or <!here> must not reach it unescaped.
func esc(s string) string { return mrkdwnEscaper.Replace(s) }

// cut shortens s to at most n characters, ending with an ellipsis when cut.
// It counts runes, as Slack does, and never splits one.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), func(r rune) bool { return r == ' ' || r == '\n' }) + "…"
}

// escCut escapes then cuts, never leaving half an entity (&am…).
func escCut(s string, n int) string {
	e := esc(s)
	if utf8.RuneCountInString(e) <= n {
		return e
	}
	c := cut(e, n)
	if i := strings.LastIndexByte(c, '&'); i >= 0 && !strings.Contains(c[i:], ";") {
		c = c[:i] + "…"
	}
	return c
}
