package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/mail"
)

// show prints one Web API call the way its reader sees it in Slack.
func (s *script) show(c slackemu.Call) {
	if !c.OK() {
		// Web API refusals only: response URLs and uploads answer otherwise.
		if strings.HasPrefix(string(c.Response), `{"ok":false`) {
			fmt.Fprintf(s.out, "  (Slack refused %s: %s)\n", c.Method, c.Response)
		}
		return
	}
	switch c.Method {
	case "chat.postMessage":
		fmt.Fprintf(s.out, "  deskbot posts in %s:\n%s", s.where(c.Params["channel"], c.Params["thread_ts"]), s.render(c.Params["blocks"], c.Params["text"]))
	case "chat.update":
		fmt.Fprintf(s.out, "  deskbot updates the card in place:\n%s", s.render(c.Params["blocks"], c.Params["text"]))
	case "chat.postEphemeral":
		fmt.Fprintf(s.out, "  deskbot (only %s can see this):\n%s", s.names[c.Params["user"]], s.render(c.Params["blocks"], c.Params["text"]))
	case "response_url":
		var m struct {
			Text   string          `json:"text"`
			Blocks json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(c.Body, &m)
		if len(m.Blocks) > 0 && string(m.Blocks) != "null" || strings.Contains(m.Text, "\n") {
			fmt.Fprintf(s.out, "  deskbot (only you can see this):\n%s", s.render(string(m.Blocks), m.Text))
		} else {
			fmt.Fprintf(s.out, "  deskbot (only you can see this): %s\n", s.inline(m.Text))
		}
	case "views.open":
		var v struct {
			Title  struct{ Text string } `json:"title"`
			Blocks []struct {
				Type  string                 `json:"type"`
				Label *struct{ Text string } `json:"label"`
			} `json:"blocks"`
		}
		_ = json.Unmarshal([]byte(c.Params["view"]), &v)
		var labels []string
		for _, b := range v.Blocks {
			if b.Type == "input" && b.Label != nil {
				labels = append(labels, strings.ToLower(b.Label.Text))
			}
		}
		fmt.Fprintf(s.out, "  deskbot opens the form %q: %s.\n", v.Title.Text, strings.Join(labels, ", "))
	case "views.publish":
		// The Home tab is redrawn whenever Ana's tickets change; it is
		// shown when she looks at it (homeStep).
		s.lastHome = c
	case "files.completeUploadExternal":
		var ids []struct{ ID string }
		_ = json.Unmarshal([]byte(c.Params["files"]), &ids)
		for _, f := range s.emu.Files() {
			for _, id := range ids {
				if f.ID == id.ID {
					s.showFile(f)
				}
			}
		}
	}
}

func (s *script) showFile(f slackemu.File) {
	fmt.Fprintf(s.out, "  deskbot shares a file in %s: %s (%d bytes)\n", s.where(f.Channel, f.ThreadTS), f.Name, len(f.Content))
	if f.InitialComment != "" {
		fmt.Fprintf(s.out, "    │ %s\n", s.inline(f.InitialComment))
	}
	if strings.HasSuffix(f.Name, ".csv") {
		lines := strings.Split(strings.TrimSpace(string(f.Content)), "\n")
		for i, l := range lines {
			if i == 3 {
				fmt.Fprintf(s.out, "    │ … %d more lines\n", len(lines)-3)
				break
			}
			fmt.Fprintf(s.out, "    │ %s\n", strings.TrimRight(l, "\r"))
		}
	}
}

// where names a conversation as its reader knows it.
func (s *script) where(channel, threadTS string) string {
	c, ok := s.emu.Channel(channel)
	var w string
	switch {
	case !ok:
		w = channel
	case c.IsIM:
		w = "a DM to " + s.names[c.User]
	default:
		w = "#" + c.Name
	}
	if threadTS != "" {
		w += " (in the thread)"
	}
	return w
}

// showMail prints a mail the relay received, as the customer reads it.
func (s *script) showMail(m sunkMail) {
	parsed, err := mail.Parse(m.data)
	if err != nil {
		fmt.Fprintf(s.out, "  (unreadable mail: %v)\n", err)
		return
	}
	fmt.Fprintf(s.out, "  Mail to %s, from %s: %q\n", strings.Join(m.to, ", "), parsed.From.Email, parsed.Subject)
	for _, l := range strings.Split(strings.TrimSpace(parsed.Text), "\n") {
		fmt.Fprintf(s.out, "    ✉ %s\n", strings.TrimRight(l, " \r"))
	}
}

var (
	dateRE    = regexp.MustCompile(`<!date\^\d+\^[^|]*\|([^>]*)>`)
	userRE    = regexp.MustCompile(`<@([A-Z0-9]+)>`)
	chanRE    = regexp.MustCompile(`<#(C[A-Z0-9]+)(?:\|[^>]*)?>`)
	specialRE = regexp.MustCompile(`<!(channel|here|everyone)(?:\|[^>]*)?>`)
	linkRE    = regexp.MustCompile(`<([a-z]+://[^|>]*)(?:\|([^>]*))?>`)
	emphRE    = regexp.MustCompile(`(^|[\s(])[*_~]([^*_~\n]+)[*_~]`)
)

// inline turns mrkdwn into what a reader sees: mentions become names, a
// real <!channel> becomes the @channel that notifies everyone, and only
// then do &lt; &gt; &amp; become the characters they stand for — so
// escaped text reads as typed and pings nobody.
func (s *script) inline(t string) string {
	t = dateRE.ReplaceAllString(t, "$1")
	t = chanRE.ReplaceAllStringFunc(t, func(m string) string {
		if c, ok := s.emu.Channel(chanRE.FindStringSubmatch(m)[1]); ok {
			return "#" + c.Name
		}
		return "#channel"
	})
	t = userRE.ReplaceAllStringFunc(t, func(m string) string { return "@" + s.names[userRE.FindStringSubmatch(m)[1]] })
	t = specialRE.ReplaceAllString(t, "@$1")
	t = linkRE.ReplaceAllStringFunc(t, func(m string) string {
		sub := linkRE.FindStringSubmatch(m)
		if sub[2] != "" {
			return sub[2]
		}
		return sub[1]
	})
	t = emphRE.ReplaceAllString(t, "$1$2")
	t = strings.ReplaceAll(t, "```", "")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(t)
}

// render lays out Block Kit as text: headers, sections, fields, context,
// dividers and buttons.
func (s *script) render(blocksJSON, text string) string {
	var blocks []struct {
		Type     string                  `json:"type"`
		Text     *struct{ Text string }  `json:"text"`
		Fields   []struct{ Text string } `json:"fields"`
		Elements []struct {
			Type        string                 `json:"type"`
			Text        json.RawMessage        `json:"text"`
			Placeholder *struct{ Text string } `json:"placeholder"`
		} `json:"elements"`
		Accessory *struct {
			Type string                 `json:"type"`
			Text *struct{ Text string } `json:"text"`
		} `json:"accessory"`
	}
	var b strings.Builder
	line := func(t string) {
		for _, l := range strings.Split(strings.Trim(t, "\n"), "\n") {
			b.WriteString(strings.TrimRight("    │ "+l, " ") + "\n")
		}
	}
	if json.Unmarshal([]byte(blocksJSON), &blocks) != nil || len(blocks) == 0 {
		line(s.inline(text))
		return b.String()
	}
	for _, bl := range blocks {
		switch bl.Type {
		case "header":
			if bl.Text != nil {
				line(strings.ToUpper(s.inline(bl.Text.Text)))
			}
		case "section":
			t := ""
			if bl.Text != nil {
				t = s.inline(bl.Text.Text)
			}
			if bl.Accessory != nil && bl.Accessory.Type == "button" && bl.Accessory.Text != nil {
				t += "  [" + s.inline(bl.Accessory.Text.Text) + "]"
			}
			if t != "" {
				line(t)
			}
			var fs []string
			for _, f := range bl.Fields {
				fs = append(fs, strings.Replace(s.inline(f.Text), "\n", ": ", 1))
			}
			if len(fs) > 0 {
				line(strings.Join(fs, " · "))
			}
		case "divider":
			line("────────")
		case "context":
			var parts []string
			for _, e := range bl.Elements {
				var t string
				_ = json.Unmarshal(e.Text, &t)
				parts = append(parts, s.inline(t))
			}
			line(strings.Join(parts, "  "))
		case "actions":
			var btns []string
			for _, e := range bl.Elements {
				var t struct{ Text string }
				_ = json.Unmarshal(e.Text, &t)
				if e.Placeholder != nil && t.Text == "" {
					t.Text = e.Placeholder.Text + " ▾"
				}
				btns = append(btns, "["+s.inline(t.Text)+"]")
			}
			line(strings.Join(btns, " "))
		}
	}
	return b.String()
}

// homeStep shows the App Home as Ana sees it on opening it. Opening it
// publishes it, at once or, if it was redrawn in the last seconds, when
// the debounce ends (bot/home.go): the step waits for that publish.
func (s *script) homeStep() error {
	from := len(s.emu.Calls(""))
	if _, err := s.emu.Event(s.ctx, map[string]any{"type": "app_home_opened", "user": "UANA", "tab": "home"}); err != nil {
		return err
	}
	for {
		calls := s.emu.Calls("")
		if slices.ContainsFunc(calls[from:], func(c slackemu.Call) bool { return c.Method == "views.publish" && c.OK() }) {
			break
		}
		if s.ctx.Err() != nil {
			return fmt.Errorf("demo: the App Home was not published: %w", s.ctx.Err())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.settle()
	var v struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal([]byte(s.lastHome.Params["view"]), &v)
	fmt.Fprintf(s.out, "  Ana's App Home:\n%s", s.render(string(v.Blocks), ""))
	return nil
}
