package mail

import (
	"strings"
	"testing"
)

func TestTrimReply(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"nothing to trim", "Hello\n\nThanks", "Hello\n\nThanks"},
		{"gmail", "Thanks!\n\nOn Mon, Apr 2, 2012 at 6:26 PM, Megan <m@x.com> wrote:\n\n> Hi", "Thanks!"},
		{"wrapped attribution", "Thanks!\n\nOn Mon, Apr 2, 2012 at 6:26 PM, Megan One <\nm@x.com> wrote:\n> Hi", "Thanks!"},
		{"french", "Merci\n\nLe 2 avr. 2012 à 18:26, Megan <m@x.com> a écrit :\n> Salut", "Merci"},
		{"german", "Danke\n\nAm 02.04.2012 um 18:26 schrieb Megan <m@x.com>:\n> Hallo", "Danke"},
		{"spanish", "Gracias\n\nEl 2 abr 2012, a las 18:26, Megan <m@x.com> escribió:\n> Hola", "Gracias"},
		{"yahoo dashes", "Ok\n\n--- On Wed, 4/4/12, a@x.com <a@x.com> wrote:\n\nFrom: a@x.com", "Ok"},
		{"original message", "Fine\n\n-----Original Message-----\nFrom: a@x.com\nSubject: x\n\nold", "Fine"},
		{"original message spaced", "Fine\n\n----- Original Message -----\nFrom: a@x.com\n\nold", "Fine"},
		{"outlook block", "Done\n\nFrom: Ann [mailto:a@x.com]\nSent: Monday, April 2, 2012 5:44 PM\nTo: Bob\nSubject: Printer\n\nold", "Done"},
		{"outlook block under rule", "Done\n\n________________________________\nFrom: Ann\nSent: Monday\nTo: Bob\nSubject: Printer\n\nold", "Done"},
		{"outlook german", "Erledigt\n\nVon: Ann\nGesendet: Montag\nAn: Bob\nBetreff: Drucker\n\nalt", "Erledigt"},
		{"quote to end", "Yes\n> did you?\n>\n> really?", "Yes"},
		{"interleaved quote kept", "> question one\nanswer one\n> question two\nanswer two", "> question one\nanswer one\n> question two\nanswer two"},
		{"signature", "See you\n-- \nAnn\nACME Corp", "See you"},
		{"signature without space", "See you\n--\nAnn", "See you"},
		{"quote and signature", "See you\n-- \nAnn\n\nOn Mon, Bob wrote:\n> hi", "See you"},
		{"bottom posted", "On 04/02/2012 06:26 PM, Megan wrote:\n> Hi\nHello", "Hello"},
		{"only a quote keeps text", "On Mon, Bob wrote:\n> hi", "On Mon, Bob wrote:\n> hi"},
		{"only a signature keeps text", "-- \nAnn", "-- \nAnn"},
		{"forward marker", "FYI\n\n---------- Forwarded message ----------\nFrom: a@x.com\n\nold", "FYI"},
		{"sentence with on is not a quote", "On Monday the printer broke.\nIt wrote: nothing.", "On Monday the printer broke.\nIt wrote: nothing."},
		{"from line alone is not a quote", "From: the accounting team\nplease check", "From: the accounting team\nplease check"},
	}
	for _, tt := range tests {
		if got := trimReply(tt.text); got != tt.want {
			t.Errorf("%s: trimReply = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestInlineForward(t *testing.T) {
	text := "see below\n\n-----Original Message-----\nFrom: Ann Example <Ann@Example.com>\nSent: Monday, April 2, 2012 5:44 PM\nTo: support@x.com\nSubject: Printer on fire\n\nIt is burning.\n"
	if f := inlineForward(text, false); f != nil {
		t.Errorf("reply quote taken for a forward: %+v", f)
	}
	f := inlineForward(text, true)
	if f == nil || f.From.Email != "Ann@example.com" || f.Subject != "Printer on fire" || f.Text != "It is burning." || f.Date.IsZero() {
		t.Fatalf("inlineForward = %+v", f)
	}
	apple := "Begin forwarded message:\n\n> From: Bob <bob@x.com>\n> Subject: Hi\n> Date: 2 April 2012 18:26\n\n> text"
	if f := inlineForward(apple, false); f == nil || f.From.Email != "bob@x.com" || f.Subject != "Hi" {
		t.Errorf("apple forward = %+v", f)
	}
	if f := inlineForward(strings.Repeat("no forward here\n", 3), true); f != nil {
		t.Errorf("forward found in plain text: %+v", f)
	}
}
