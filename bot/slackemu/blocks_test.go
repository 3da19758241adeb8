package slackemu

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// j builds generic JSON from a Go value, as the validators receive it.
func j(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := decodeAny(b)
	return out
}

func txt(typ string, n int) map[string]any {
	return map[string]any{"type": typ, "text": strings.Repeat("a", n)}
}

func section(n int) map[string]any {
	return map[string]any{"type": "section", "text": txt("mrkdwn", n)}
}

func repeat(n int, f func(i int) any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func button(id string, n int) map[string]any {
	return map[string]any{"type": "button", "action_id": id, "text": txt("plain_text", n)}
}

func option(n int) map[string]any { return map[string]any{"text": txt("plain_text", n), "value": "v"} }

func TestValidateBlocks(t *testing.T) {
	cases := []struct {
		name    string
		blocks  any
		max     int
		pointer string // "" = valid
		msg     string
	}{
		{"valid section", []any{section(3000)}, 50, "", ""},
		{"51 message blocks", repeat(51, func(int) any { return section(1) }), 50, "/blocks", "must be less than 51 items"},
		{"50 message blocks", repeat(50, func(int) any { return section(1) }), 50, "", ""},
		{"section text too long", []any{section(3001)}, 50, "/blocks/0/text/text", "must be less than 3001 characters"},
		{"section text empty", []any{section(0)}, 50, "/blocks/0/text/text", "must be more than 0 characters"},
		{"section needs text", []any{map[string]any{"type": "section"}}, 50, "/blocks/0", "missing required field: text"},
		{"11 fields", []any{map[string]any{"type": "section", "fields": repeat(11, func(int) any { return txt("mrkdwn", 1) })}}, 50, "/blocks/0/fields", "must be less than 11 items"},
		{"field too long", []any{map[string]any{"type": "section", "fields": []any{txt("mrkdwn", 2001)}}}, 50, "/blocks/0/fields/0/text", "must be less than 2001 characters"},
		{"header too long", []any{map[string]any{"type": "header", "text": txt("plain_text", 151)}}, 50, "/blocks/0/text/text", "must be less than 151 characters"},
		{"header mrkdwn", []any{map[string]any{"type": "header", "text": txt("mrkdwn", 5)}}, 50, "/blocks/0/text/type", "must be plain_text"},
		{"button text too long", []any{map[string]any{"type": "actions", "elements": []any{button("a", 76)}}}, 50, "/blocks/0/elements/0/text/text", "must be less than 76 characters"},
		{"action_id too long", []any{map[string]any{"type": "actions", "elements": []any{button(strings.Repeat("x", 256), 5)}}}, 50, "/blocks/0/elements/0/action_id", "must be less than 256 characters"},
		{"duplicate action_id in block", []any{map[string]any{"type": "actions", "elements": []any{button("a", 1), button("a", 1)}}}, 50, "/blocks/0/elements/1/action_id", "duplicate action_id: a"},
		{"same action_id in two blocks", []any{map[string]any{"type": "actions", "elements": []any{button("a", 1)}}, map[string]any{"type": "actions", "elements": []any{button("a", 1)}}}, 50, "", ""},
		{"duplicate block_id", []any{map[string]any{"type": "divider", "block_id": "b"}, map[string]any{"type": "divider", "block_id": "b"}}, 50, "/blocks/1/block_id", "duplicate block_id: b"},
		{"block_id too long", []any{map[string]any{"type": "divider", "block_id": strings.Repeat("b", 256)}}, 50, "/blocks/0/block_id", "must be less than 256 characters"},
		{"26 actions", []any{map[string]any{"type": "actions", "elements": repeat(26, func(i int) any { return button(fmt.Sprint(i), 1) })}}, 50, "/blocks/0/elements", "must be less than 26 items"},
		{"11 context elements", []any{map[string]any{"type": "context", "elements": repeat(11, func(int) any { return txt("mrkdwn", 1) })}}, 50, "/blocks/0/elements", "must be less than 11 items"},
		{"101 select options", []any{map[string]any{"type": "actions", "elements": []any{map[string]any{"type": "static_select", "action_id": "s", "options": repeat(101, func(int) any { return option(1) })}}}}, 50, "/blocks/0/elements/0/options", "must be less than 101 items"},
		{"option text too long", []any{map[string]any{"type": "actions", "elements": []any{map[string]any{"type": "static_select", "action_id": "s", "options": []any{option(76)}}}}}, 50, "/blocks/0/elements/0/options/0/text/text", "must be less than 76 characters"},
		{"input label too long", []any{map[string]any{"type": "input", "label": txt("plain_text", 2001), "element": map[string]any{"type": "plain_text_input", "action_id": "i"}}}, 100, "/blocks/0/label/text", "must be less than 2001 characters"},
		{"max_length too big", []any{map[string]any{"type": "input", "label": txt("plain_text", 5), "element": map[string]any{"type": "plain_text_input", "action_id": "i", "max_length": 3001}}}, 100, "/blocks/0/element/max_length", "must be less than 3001"},
		{"image without alt_text", []any{map[string]any{"type": "image", "image_url": "https://x/y.png"}}, 50, "/blocks/0", "missing required field: alt_text"},
		{"unknown block type", []any{map[string]any{"type": "carousel_of_doom"}}, 50, "/blocks/0/type", "unsupported type: carousel_of_doom"},
		{"unknown element type", []any{map[string]any{"type": "actions", "elements": []any{map[string]any{"type": "laser"}}}}, 50, "/blocks/0/elements/0/type", "unsupported type: laser"},
		{"not an array", map[string]any{"type": "section"}, 50, "/blocks", "must be an array"},
		{"not an object", []any{"section"}, 50, "/blocks/0", "must be an object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			issues := validateBlocks(j(t, c.blocks), c.max, "/blocks")
			if c.pointer == "" {
				if len(issues) != 0 {
					t.Fatalf("unexpected issues: %v", issues)
				}
				return
			}
			for _, is := range issues {
				if is.Pointer == c.pointer && strings.Contains(is.Msg, c.msg) {
					return
				}
			}
			t.Fatalf("want %q at %s, got %v", c.msg, c.pointer, issues)
		})
	}
}

func TestValidateView(t *testing.T) {
	modal := func(mut func(v map[string]any)) map[string]any {
		v := map[string]any{"type": "modal", "title": txt("plain_text", 24), "blocks": []any{section(5)}}
		mut(v)
		return v
	}
	cases := []struct {
		name    string
		view    map[string]any
		kind    string
		pointer string
	}{
		{"valid modal", modal(func(map[string]any) {}), "modal", ""},
		{"title 25 chars", modal(func(v map[string]any) { v["title"] = txt("plain_text", 25) }), "modal", "/view/title/text"},
		{"no title", modal(func(v map[string]any) { delete(v, "title") }), "modal", "/view"},
		{"submit 25 chars", modal(func(v map[string]any) { v["submit"] = txt("plain_text", 25) }), "modal", "/view/submit/text"},
		{"close 25 chars", modal(func(v map[string]any) { v["close"] = txt("plain_text", 25) }), "modal", "/view/close/text"},
		{"private_metadata 3001", modal(func(v map[string]any) { v["private_metadata"] = strings.Repeat("m", 3001) }), "modal", "/view/private_metadata"},
		{"callback_id 256", modal(func(v map[string]any) { v["callback_id"] = strings.Repeat("c", 256) }), "modal", "/view/callback_id"},
		{"101 blocks", modal(func(v map[string]any) { v["blocks"] = repeat(101, func(int) any { return section(1) }) }), "modal", "/view/blocks"},
		{"100 blocks", modal(func(v map[string]any) { v["blocks"] = repeat(100, func(int) any { return section(1) }) }), "modal", ""},
		{"input needs submit", modal(func(v map[string]any) {
			v["blocks"] = []any{map[string]any{"type": "input", "label": txt("plain_text", 3), "element": map[string]any{"type": "plain_text_input", "action_id": "i"}}}
		}), "modal", "/view"},
		{"home 101 blocks", map[string]any{"type": "home", "blocks": repeat(101, func(int) any { return section(1) })}, "home", "/view/blocks"},
		{"modal published as home", modal(func(map[string]any) {}), "home", "/view/type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, _ := j(t, c.view).(map[string]any)
			issues := validateView(v, c.kind)
			if c.pointer == "" {
				if len(issues) != 0 {
					t.Fatalf("unexpected issues: %v", issues)
				}
				return
			}
			for _, is := range issues {
				if is.Pointer == c.pointer {
					return
				}
			}
			t.Fatalf("want issue at %s, got %v", c.pointer, issues)
		})
	}
}

func TestMessageContentErrors(t *testing.T) {
	cases := []struct {
		name, text, blocks string
		want               string
	}{
		{"text only", "hi", "", ""},
		{"blocks only", "", `[{"type":"divider"}]`, ""},
		{"nothing", "", "", "no_text"},
		{"empty blocks", "", `[]`, "no_text"},
		{"bad json", "x", `[{`, "invalid_blocks_format"},
		{"40000 chars", strings.Repeat("é", 40000), "", ""},
		{"40001 chars", strings.Repeat("é", 40001), "", "msg_too_long"},
		{"invalid block", "x", `[{"type":"nope"}]`, "invalid_blocks"},
	}
	for _, c := range cases {
		_, e := messageContent(c.text, json.RawMessage(c.blocks), c.blocks != "", false)
		got := ""
		if e != nil {
			got = e.code
		}
		if got != c.want {
			t.Errorf("%s: got %q want %q", c.name, got, c.want)
		}
	}
}

func TestTSAndRetryAfter(t *testing.T) {
	if !tsLess("9.000001", "10.000000") || tsLess("10.5", "10.400000") || !tsLess("1732700000.000100", "1732700000.000101") {
		t.Fatal("tsLess")
	}
	for d, want := range map[time.Duration]int{0: 1, 300 * time.Millisecond: 1, time.Second: 1, 1500 * time.Millisecond: 2} {
		if got := retryAfterSeconds(d); got != want {
			t.Errorf("retryAfterSeconds(%v) = %d, want %d", d, got, want)
		}
	}
}
