package mail

import (
	"strings"
	"testing"
)

func TestTicketKeyInSubject(t *testing.T) {
	tests := []struct {
		subject, key string
		ok           bool
	}{
		{"[ACME-42] Printer on fire", "ACME-42", true},
		{"Re: Printer on fire [ACME-42]", "ACME-42", true},
		{"RE: [acme-42] lower case", "ACME-42", true},
		{"Fwd: [Ab1-7] digits in key", "AB1-7", true},
		{"[ ACME-42 ] spaces", "ACME-42", true},
		{"[HELPDESK10-1] ten chars", "HELPDESK10-1", true},
		{"[HELPDESK100-1] eleven chars", "", false},
		{"[A-1] one char", "", false},
		{"[1ACME-1] starts with digit", "", false},
		{"[ACME-] no number", "", false},
		{"ACME-42 without brackets", "", false},
		{"[ACME 42]", "", false},
		{"[EXT] [OPS-3] second tag wins when first is no key", "OPS-3", true},
		{"[OPS-3] [ACME-4] first one", "OPS-3", true},
		{"", "", false},
	}
	for _, tt := range tests {
		key, ok := TicketKeyInSubject(tt.subject)
		if key != tt.key || ok != tt.ok {
			t.Errorf("TicketKeyInSubject(%q) = %q, %v; want %q, %v", tt.subject, key, ok, tt.key, tt.ok)
		}
	}
}

func TestPlusTag(t *testing.T) {
	tests := []struct{ addr, local, tag string }{
		{"support+acme-42@x.com", "support", "acme-42"},
		{"support@x.com", "support", ""},
		{"Support+ACME@X.com", "Support", "ACME"},
		{"a+b+c@x.com", "a", "b+c"},
		{"+tag@x.com", "", "tag"},
		{"Help Desk <help+7@x.com>", "help", "7"},
		{"local-only", "local-only", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		local, tag := PlusTag(tt.addr)
		if local != tt.local || tag != tt.tag {
			t.Errorf("PlusTag(%q) = %q, %q; want %q, %q", tt.addr, local, tag, tt.local, tt.tag)
		}
	}
}

func TestCleanSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Re: Printer on fire", "Printer on fire"},
		{"RE: RE: Re: Printer", "Printer"},
		{"Fwd: FW: Printer", "Printer"},
		{"AW: WG: Drucker brennt", "Drucker brennt"},
		{"TR: RE : Imprimante", "Imprimante"},
		{"Réf. : Imprimante", "Imprimante"},
		{"Ref: order", "order"},
		{"SV: VS: Skriver", "Skriver"},
		{"Re[2]: Printer", "Printer"},
		{"Re: [ACME-42] Fwd: Printer", "Printer"},
		{"[ACME-42] Re: Printer", "Printer"},
		{"Printer [ACME-42] on fire", "Printer on fire"},
		{"回复：打印机", "打印机"},
		{"  Re:   spaced   out  ", "spaced out"},
		{"Rebooting the server", "Rebooting the server"},
		{"Resume: my application", "Resume: my application"},
		{"Re:", ""},
	}
	for _, tt := range tests {
		if got := CleanSubject(tt.in); got != tt.want {
			t.Errorf("CleanSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name, headers string
		want          AutoKind
	}{
		{"person", "From: Ann <ann@x.com>\nSubject: Printer broken", None},
		{"auto-submitted no", "From: ann@x.com\nAuto-Submitted: no\nSubject: hi", None},
		{"rfc3834 auto-replied", "From: ann@x.com\nAuto-Submitted: auto-replied\nSubject: hi", AutoReply},
		{"rfc3834 auto-generated", "From: ann@x.com\nAuto-Submitted: auto-generated (notification)\nSubject: hi", AutoReply},
		{"x-autoreply", "From: ann@x.com\nX-Autoreply: yes\nSubject: hi", AutoReply},
		{"x-autorespond", "From: ann@x.com\nX-Autorespond: On vacation\nSubject: hi", AutoReply},
		{"precedence auto_reply", "From: ann@x.com\nPrecedence: auto_reply\nSubject: hi", AutoReply},
		{"exchange automatic reply", "From: ann@x.com\nSubject: Automatic reply: Printer", AutoReply},
		{"german", "From: ann@x.com\nSubject: Abwesenheitsnotiz: Drucker", AutoReply},
		{"french", "From: ann@x.com\nSubject: Réponse automatique : Imprimante", AutoReply},
		{"out of office with exchange header", "From: ann@x.com\nX-Auto-Response-Suppress: All\nSubject: Out of Office", AutoReply},
		{"out of office written by a person", "From: ann@x.com\nSubject: Out of office tomorrow, printer still broken", None},
		{"apple vacation", "From: ann@x.com\nX-Apple-Action: VACATION\nSubject: Nyaan", AutoReply},
		{"precedence bulk", "From: news@x.com\nPrecedence: bulk\nSubject: News", Bulk},
		{"precedence list", "From: news@x.com\nPrecedence: list\nSubject: News", Bulk},
		{"precedence junk", "From: news@x.com\nPrecedence: junk\nSubject: News", Bulk},
		{"list-id", "From: news@x.com\nList-Id: <dev.lists.x.com>\nSubject: News", Bulk},
		{"list-unsubscribe", "From: news@x.com\nList-Unsubscribe: <mailto:u@x.com>\nSubject: News", Bulk},
		{"auto-reply beats bulk", "From: ann@x.com\nAuto-Submitted: auto-replied\nPrecedence: bulk\nSubject: hi", AutoReply},
		{"mailer-daemon", "From: MAILER-DAEMON@mx.x.com\nSubject: hi", Bounce},
		{"postmaster", "From: Postmaster <postmaster@x.com>\nSubject: hi", Bounce},
		{"bounce beats auto and bulk", "From: postmaster@x.com\nAuto-Submitted: auto-replied\nPrecedence: bulk\nSubject: Undeliverable: hi", Bounce},
		{"x-failed-recipients", "From: ann@x.com\nX-Failed-Recipients: bob@y.com\nSubject: hi", Bounce},
		{"dsn report", "From: mail@x.com\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\nSubject: hi", Bounce},
		{"undeliverable", "From: mail@x.com\nSubject: Undeliverable: Printer", Bounce},
		{"dsn subject", "From: mail@x.com\nSubject: Delivery Status Notification (Failure)", Bounce},
		{"french ndr", "From: mail@x.com\nSubject: Non remis : Imprimante", Bounce},
		{"german ndr", "From: mail@x.com\nSubject: Unzustellbar: Drucker", Bounce},
		{"exim", "From: mail@x.com\nSubject: Mail delivery failed: returning message to sender", Bounce},
		{"qmail", "From: mail@x.com\nSubject: failure notice", Bounce},
		{"customer about a parcel", "From: ann@x.com\nSubject: Re: Undeliverable parcel", None},
	}
	for _, tt := range tests {
		raw := strings.ReplaceAll(tt.headers, "\n", "\r\n") + "\r\n\r\nbody\r\n"
		m, err := Parse([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if m.Auto != tt.want {
			t.Errorf("%s: Auto = %v, want %v", tt.name, m.Auto, tt.want)
		}
	}
}
