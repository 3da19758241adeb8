package slackemu

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Block Kit limits as documented by Slack (docs.slack.dev/reference/block-kit).
// They live in one place so tests and error messages agree.
const (
	maxMessageBlocks   = 50
	maxViewBlocks      = 100
	maxMessageText     = 40000
	maxSectionText     = 3000
	maxSectionFields   = 10
	maxFieldText       = 2000
	maxHeaderText      = 150
	maxMarkdownText    = 12000
	maxButtonText      = 75
	maxButtonValue     = 2000
	maxURL             = 3000
	maxID              = 255 // action_id, block_id, callback_id, external_id
	maxActionsElements = 25
	maxContextElements = 10
	maxSelectOptions   = 100
	maxOptionText      = 75
	maxOptionValue     = 150
	maxChoiceOptions   = 10 // checkboxes, radio_buttons
	maxOverflowOptions = 5
	maxPlaceholder     = 150
	maxInputLabel      = 2000
	maxInputHint       = 2000
	maxTextInputLength = 3000
	maxAltText         = 2000
	maxImageTitle      = 2000
	maxViewTitle       = 24 // also submit and close
	maxPrivateMetadata = 3000
)

// issue is one validation failure, rendered the way Slack reports it:
// "must be less than 3001 characters [json-pointer:/blocks/0/text/text]".
type issue struct {
	Msg     string
	Pointer string
}

func (i issue) String() string { return i.Msg + " [json-pointer:" + i.Pointer + "]" }

// checker walks generic JSON (as decoded into any) and collects issues.
// Working on generic JSON rather than slack-go types means malformed input
// from any client is reported, never panicked on.
type checker struct {
	issues   []issue
	blockIDs map[string]bool
}

func (c *checker) fail(p, format string, a ...any) {
	c.issues = append(c.issues, issue{Msg: fmt.Sprintf(format, a...), Pointer: p})
}

// validateBlocks checks a blocks array (already JSON-decoded) against the
// per-surface maximum. ptr is the JSON pointer of the array ("/blocks" for
// messages, "/view/blocks" for views).
func validateBlocks(v any, max int, ptr string) []issue {
	c := &checker{blockIDs: map[string]bool{}}
	blocks, ok := v.([]any)
	if !ok {
		c.fail(ptr, "must be an array")
		return c.issues
	}
	if len(blocks) > max {
		c.fail(ptr, "must be less than %d items", max+1)
	}
	for i, b := range blocks {
		c.block(b, ptr+"/"+strconv.Itoa(i))
	}
	return c.issues
}

// blockRules is the table of block types Slack accepts. A nil rule means
// "accepted, contents not checked by the emulator".
var blockRules = map[string]func(c *checker, b map[string]any, p string){
	"section":  (*checker).section,
	"header":   func(c *checker, b map[string]any, p string) { c.text(b, "text", p, maxHeaderText, true, true) },
	"divider":  nil,
	"image":    (*checker).image,
	"context":  (*checker).context,
	"actions":  (*checker).actions,
	"input":    (*checker).input,
	"markdown": func(c *checker, b map[string]any, p string) { c.str(b, "text", p, maxMarkdownText, true) },
	"rich_text": func(c *checker, b map[string]any, p string) {
		if _, ok := b["elements"].([]any); !ok {
			c.fail(p, "missing required field: elements")
		}
	},
	"video": nil, "file": nil, "call": nil, "table": nil, "context_actions": nil,
}

func (c *checker) block(v any, p string) {
	b, ok := v.(map[string]any)
	if !ok {
		c.fail(p, "must be an object")
		return
	}
	typ, _ := b["type"].(string)
	rule, known := blockRules[typ]
	if !known {
		c.fail(p+"/type", "unsupported type: %s", typ)
		return
	}
	if id, ok := b["block_id"]; ok {
		s, isStr := id.(string)
		switch {
		case !isStr:
			c.fail(p+"/block_id", "must be a string")
		case utf8.RuneCountInString(s) > maxID:
			c.fail(p+"/block_id", "must be less than %d characters", maxID+1)
		case c.blockIDs[s]:
			c.fail(p+"/block_id", "duplicate block_id: %s", s)
		default:
			c.blockIDs[s] = true
		}
	}
	if rule != nil {
		rule(c, b, p)
	}
}

func (c *checker) section(b map[string]any, p string) {
	_, hasText := b["text"]
	fields, hasFields := b["fields"]
	if !hasText && !hasFields {
		c.fail(p, "missing required field: text")
	}
	if hasText {
		c.text(b, "text", p, maxSectionText, false, true)
	}
	if hasFields {
		list, ok := fields.([]any)
		switch {
		case !ok:
			c.fail(p+"/fields", "must be an array")
		case len(list) > maxSectionFields:
			c.fail(p+"/fields", "must be less than %d items", maxSectionFields+1)
		}
		for i := range list {
			c.textObj(list[i], fmt.Sprintf("%s/fields/%d", p, i), maxFieldText, false)
		}
	}
	if acc, ok := b["accessory"]; ok {
		c.element(acc, p+"/accessory", map[string]bool{})
	}
}

func (c *checker) image(b map[string]any, p string) {
	_, hasURL := b["image_url"]
	_, hasFile := b["slack_file"]
	if !hasURL && !hasFile {
		c.fail(p, "missing required field: image_url")
	}
	if hasURL {
		c.str(b, "image_url", p, maxURL, true)
	}
	c.str(b, "alt_text", p, maxAltText, true)
	if _, ok := b["title"]; ok {
		c.text(b, "title", p, maxImageTitle, true, true)
	}
}

func (c *checker) context(b map[string]any, p string) {
	els := c.list(b, "elements", p, 1, maxContextElements)
	for i, e := range els {
		ep := fmt.Sprintf("%s/elements/%d", p, i)
		if m, ok := e.(map[string]any); ok && m["type"] == "image" {
			c.imageElement(m, ep)
			continue
		}
		c.textObj(e, ep, maxSectionText, false)
	}
}

func (c *checker) actions(b map[string]any, p string) {
	seen := map[string]bool{}
	for i, e := range c.list(b, "elements", p, 1, maxActionsElements) {
		c.element(e, fmt.Sprintf("%s/elements/%d", p, i), seen)
	}
}

func (c *checker) input(b map[string]any, p string) {
	c.text(b, "label", p, maxInputLabel, true, true)
	if _, ok := b["hint"]; ok {
		c.text(b, "hint", p, maxInputHint, true, true)
	}
	el, ok := b["element"]
	if !ok {
		c.fail(p, "missing required field: element")
		return
	}
	c.element(el, p+"/element", map[string]bool{})
}

// elementRules is the table of interactive elements. Slack requires
// action_id to be unique within the containing block; seen tracks that.
var elementRules = map[string]func(c *checker, e map[string]any, p string){
	"button":                     (*checker).button,
	"static_select":              (*checker).staticSelect,
	"multi_static_select":        (*checker).staticSelect,
	"overflow":                   func(c *checker, e map[string]any, p string) { c.options(e, p, maxOverflowOptions, true) },
	"checkboxes":                 func(c *checker, e map[string]any, p string) { c.options(e, p, maxChoiceOptions, false) },
	"radio_buttons":              func(c *checker, e map[string]any, p string) { c.options(e, p, maxChoiceOptions, false) },
	"plain_text_input":           (*checker).textInput,
	"image":                      (*checker).imageElement,
	"external_select":            nil,
	"multi_external_select":      nil,
	"users_select":               nil,
	"multi_users_select":         nil,
	"conversations_select":       nil,
	"multi_conversations_select": nil,
	"channels_select":            nil,
	"multi_channels_select":      nil,
	"datepicker":                 nil,
	"timepicker":                 nil,
	"datetimepicker":             nil,
	"email_text_input":           nil,
	"url_text_input":             nil,
	"number_input":               nil,
	"rich_text_input":            nil,
	"file_input":                 nil,
	"workflow_button":            nil,
	"feedback_buttons":           nil,
	"icon_button":                nil,
}

func (c *checker) element(v any, p string, seen map[string]bool) {
	e, ok := v.(map[string]any)
	if !ok {
		c.fail(p, "must be an object")
		return
	}
	typ, _ := e["type"].(string)
	rule, known := elementRules[typ]
	if !known {
		c.fail(p+"/type", "unsupported type: %s", typ)
		return
	}
	if id, ok := e["action_id"]; ok {
		s, _ := id.(string)
		switch {
		case utf8.RuneCountInString(s) > maxID:
			c.fail(p+"/action_id", "must be less than %d characters", maxID+1)
		case seen[s]:
			c.fail(p+"/action_id", "duplicate action_id: %s", s)
		}
		seen[s] = true
	}
	if _, ok := e["placeholder"]; ok {
		c.text(e, "placeholder", p, maxPlaceholder, true, true)
	}
	if rule != nil {
		rule(c, e, p)
	}
}

func (c *checker) button(e map[string]any, p string) {
	c.text(e, "text", p, maxButtonText, true, true)
	c.str(e, "value", p, maxButtonValue, false)
	c.str(e, "url", p, maxURL, false)
	if st, ok := e["style"]; ok && st != "primary" && st != "danger" {
		c.fail(p+"/style", "must be one of: primary, danger")
	}
}

func (c *checker) staticSelect(e map[string]any, p string) {
	if groups, ok := e["option_groups"]; ok {
		list, _ := groups.([]any)
		if len(list) > maxSelectOptions {
			c.fail(p+"/option_groups", "must be less than %d items", maxSelectOptions+1)
		}
		for i, g := range list {
			if gm, ok := g.(map[string]any); ok {
				c.options(gm, fmt.Sprintf("%s/option_groups/%d", p, i), maxSelectOptions, true)
			}
		}
		return
	}
	c.options(e, p, maxSelectOptions, true)
}

// options checks an "options" array; selects and overflows only allow
// plain_text option labels, checkboxes and radio buttons allow mrkdwn too.
func (c *checker) options(e map[string]any, p string, max int, plainOnly bool) {
	for i, o := range c.list(e, "options", p, 1, max) {
		op := fmt.Sprintf("%s/options/%d", p, i)
		om, ok := o.(map[string]any)
		if !ok {
			c.fail(op, "must be an object")
			continue
		}
		c.text(om, "text", op, maxOptionText, plainOnly, true)
		c.str(om, "value", op, maxOptionValue, true)
		if _, ok := om["description"]; ok {
			c.text(om, "description", op, maxOptionText, plainOnly, true)
		}
	}
}

func (c *checker) textInput(e map[string]any, p string) {
	for _, k := range []string{"max_length", "min_length"} {
		v, ok := e[k]
		if !ok {
			continue
		}
		n, isNum := v.(float64)
		if !isNum {
			if jn, ok := v.(json.Number); ok {
				n, _ = jn.Float64()
				isNum = true
			}
		}
		switch {
		case !isNum:
			c.fail(p+"/"+k, "must be an integer")
		case n > maxTextInputLength:
			c.fail(p+"/"+k, "must be less than %d", maxTextInputLength+1)
		case n < 0 || (k == "max_length" && n < 1):
			c.fail(p+"/"+k, "must be more than 0")
		}
	}
}

func (c *checker) imageElement(e map[string]any, p string) {
	_, hasURL := e["image_url"]
	_, hasFile := e["slack_file"]
	if !hasURL && !hasFile {
		c.fail(p, "missing required field: image_url")
	}
	c.str(e, "alt_text", p, maxAltText, true)
}

// list returns obj[key] as an array, checking presence and size bounds.
func (c *checker) list(obj map[string]any, key, p string, min, max int) []any {
	v, ok := obj[key]
	if !ok {
		c.fail(p, "missing required field: %s", key)
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		c.fail(p+"/"+key, "must be an array")
		return nil
	}
	if len(l) < min {
		c.fail(p+"/"+key, "must provide at least %d items", min)
	}
	if len(l) > max {
		c.fail(p+"/"+key, "must be less than %d items", max+1)
	}
	return l
}

// str checks a plain string field's presence and length in characters.
func (c *checker) str(obj map[string]any, key, p string, max int, required bool) {
	v, ok := obj[key]
	if !ok {
		if required {
			c.fail(p, "missing required field: %s", key)
		}
		return
	}
	s, ok := v.(string)
	switch {
	case !ok:
		c.fail(p+"/"+key, "must be a string")
	case required && s == "":
		c.fail(p+"/"+key, "must be more than 0 characters")
	case utf8.RuneCountInString(s) > max:
		c.fail(p+"/"+key, "must be less than %d characters", max+1)
	}
}

// text checks obj[key] as a text composition object.
func (c *checker) text(obj map[string]any, key, p string, max int, plainOnly, required bool) {
	v, ok := obj[key]
	if !ok {
		if required {
			c.fail(p, "missing required field: %s", key)
		}
		return
	}
	c.textObj(v, p+"/"+key, max, plainOnly)
}

func (c *checker) textObj(v any, p string, max int, plainOnly bool) {
	t, ok := v.(map[string]any)
	if !ok {
		c.fail(p, "must be an object")
		return
	}
	switch typ, _ := t["type"].(string); {
	case typ == "plain_text":
	case typ == "mrkdwn" && !plainOnly:
	case typ == "mrkdwn":
		c.fail(p+"/type", "must be plain_text")
	default:
		c.fail(p+"/type", "unsupported type: %s", typ)
	}
	c.str(t, "text", p, max, true)
}

// blockIssueMessages renders issues the way Slack puts them into
// response_metadata.messages.
func blockIssueMessages(issues []issue) []string {
	out := make([]string, len(issues))
	for i, is := range issues {
		out[i] = "[ERROR] " + is.String()
	}
	return out
}
