package bot

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
)

func TestEsc(t *testing.T) {
	for in, want := range map[string]string{
		"<!channel> ping":      "&lt;!channel&gt; ping",
		"<!here|here>":         "&lt;!here|here&gt;",
		"<@U123> & <#C1|x>":    "&lt;@U123&gt; &amp; &lt;#C1|x&gt;",
		"a &amp; b":            "a &amp;amp; b",
		"plain *bold* _it_ 漢字": "plain *bold* _it_ 漢字",
	} {
		if got := esc(in); got != want {
			t.Errorf("esc(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCut(t *testing.T) {
	if got := cut("hello world", 8); got != "hello w…" || utf8.RuneCountInString(got) > 8 {
		t.Errorf("cut: %q", got)
	}
	if got := cut("漢字漢字漢字", 4); got != "漢字漢…" {
		t.Errorf("cut runes: %q", got)
	}
	if got := cut("short", 10); got != "short" {
		t.Errorf("no cut: %q", got)
	}
	long := strings.Repeat("<", 100)
	got := escCut(long, 10)
	if utf8.RuneCountInString(got) > 10 || strings.HasSuffix(strings.TrimSuffix(got, "…"), "&") || strings.Contains(got, "&l…") {
		t.Errorf("escCut split an entity: %q", got)
	}
}

func TestByTicketKeepsEachTicketsOrder(t *testing.T) {
	msgs := []*domain.OutboxMessage{
		{ID: 1, Payload: `{"ticket_id":7}`}, {ID: 2, Payload: `{"ticket_id":8}`}, {ID: 3, Payload: `{"ticket_id":7}`},
		{ID: 4, Payload: `{"user":"U1"}`}, {ID: 5, Payload: `{"user":"U2"}`}, {ID: 6, Payload: `{"ticket_id":8}`},
	}
	var got [][]int64
	for _, g := range byTicket(msgs) {
		var ids []int64
		for _, m := range g {
			ids = append(ids, m.ID)
		}
		got = append(got, ids)
	}
	if fmt.Sprint(got) != "[[1 3] [2 6] [4] [5]]" {
		t.Errorf("groups %v", got)
	}
}
