package email_test

import (
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/mail/mailtest"
)

// Mail over a limit is refused in the SMTP conversation, the reply naming
// the limit and its setting, and nothing is stored, on both databases.
func TestSMTPRefusesHostileMail(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, w *world) {
		srv := listen(t, w, func(o *email.ServerOptions) { o.MaxMessageBytes = 4 << 20 })
		tests := []struct {
			name string
			raw  []byte
			want string
		}{
			{"nested 8,000 deep", mailtest.NestedMail(8000), "554 Message refused: MIME parts nested deeper than 50 levels (limit 50, setting email.max_mime_depth)"},
			{"20,000 header lines", mailtest.ManyHeaders(20000), "554 Message refused: more than 2000 header lines (limit 2000, setting email.max_header_lines)"},
			{"a header over max_header_bytes", longHeaders(1000, 300), "552 Message refused: a header larger than 262144 bytes (limit 262144, setting email.max_header_bytes)"},
		}
		for _, tc := range tests {
			start := time.Now()
			if got := gosmtpSend(t, srv.Addr(), "mallory@acme.com", "support@vendor.com", string(tc.raw)); got != tc.want {
				t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
			}
			// Before the limits, 8,000 levels took the listener's whole
			// 30 s; the scan takes milliseconds.
			if took := time.Since(start); took > refuseWithin {
				t.Errorf("%s: refused after %s, want within %s", tc.name, took, refuseWithin)
			}
		}
		_, total, err := w.svc.ListTickets(ctxT(t), agent, domain.TicketFilter{})
		if err != nil || total != 0 {
			t.Errorf("refused mail made %d tickets (%v)", total, err)
		}
	})
}

// longHeaders is a mail with n header lines of width characters.
func longHeaders(n, width int) []byte {
	raw := "From: mallory@acme.com\r\nTo: support@vendor.com\r\nSubject: long\r\n"
	raw += strings.Repeat("X-Filler: "+strings.Repeat("x", width)+"\r\n", n)
	return []byte(raw + "\r\nhello\r\n")
}
