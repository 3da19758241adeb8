package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/portal"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestPageFromTheMailedLink(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d, portal.Limits{})
			ctx := context.Background()
			f.mail(t, "Cy Customer", "cy@acme.com", "Dashboard errors", "The dashboard shows errors.",
				mail.Attachment{Filename: "screen.png", ContentType: "image/png", Data: []byte("\x89PNG\r\n\x1a\nfake")})
			tok := f.token(t, "cy@acme.com")
			v := f.visitor(t)
			if _, body := v.get(t, "/t/"+tok); !strings.Contains(body, "We answer within 8 business hours; due ") {
				t.Errorf("no answer promise in:\n%s", body)
			}
			if _, err := f.svc.Comment(ctx, agent, "ACME-1", commands.CommentInput{Body: "SECRET internal note", Public: false}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Comment(ctx, agent, "ACME-1", commands.CommentInput{Body: "We are looking at it.", Public: true}); err != nil {
				t.Fatal(err)
			}
			resp, body := v.get(t, "/t/"+tok)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			for _, want := range []string{"ACME-1", "Dashboard errors", "Received", "The dashboard shows errors.", "We are looking at it.", "screen.png", "We solve this within 40 business hours"} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if strings.Contains(body, "SECRET") {
				t.Error("the page shows an internal note")
			}
			h := resp.Header
			for k, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
				if h.Get(k) != want {
					t.Errorf("%s = %q", k, h.Get(k))
				}
			}
			if c := h.Get("Content-Security-Policy"); !strings.Contains(c, "default-src 'none'") || !strings.Contains(c, "frame-ancestors 'none'") || strings.Contains(c, "unsafe") {
				t.Errorf("CSP %q", c)
			}
			// The attachment downloads, never inline.
			fileRE := `/t/` + tok + `/files/`
			i := strings.Index(body, fileRE)
			if i < 0 {
				t.Fatal("no file link")
			}
			href := body[i : i+strings.Index(body[i:], `"`)]
			resp, data := v.get(t, href)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") ||
				resp.Header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(data, "\x89PNG") {
				t.Errorf("download %d %v", resp.StatusCode, resp.Header)
			}
		})
	}
}

func TestRefusedLinks(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d, portal.Limits{})
			ctx := context.Background()
			f.mail(t, "Cy", "cy@acme.com", "Cy's printer", "It jams.", mail.Attachment{Filename: "cy.txt", ContentType: "text/plain", Data: []byte("cy's private file")})
			cy := f.token(t, "cy@acme.com")
			f.mail(t, "Dee", "dee@acme.com", "Dee's invoice", "It is wrong.")
			dee := f.token(t, "dee@acme.com")
			v := f.visitor(t)
			status := func(path string) int { r, _ := v.get(t, path); return r.StatusCode }

			// Another ticket's token shows that ticket only.
			_, body := v.get(t, "/t/"+dee)
			if !strings.Contains(body, "Dee&#39;s invoice") || strings.Contains(body, "printer") || strings.Contains(body, "jams") {
				t.Errorf("dee's page:\n%s", body)
			}
			// Cy's file through Dee's link is not found.
			_, cyPage := v.get(t, "/t/"+cy)
			i := strings.Index(cyPage, "/files/")
			fileID := strings.Split(cyPage[i+len("/files/"):], "/")[0]
			if s := status("/t/" + dee + "/files/" + fileID + "/cy.txt"); s != 404 {
				t.Errorf("cy's file by dee's link: %d", s)
			}
			// Tampered: every character changed in turn is refused.
			for i := range cy {
				c := byte('A')
				if cy[i] == 'A' {
					c = 'B'
				}
				if s := status("/t/" + cy[:i] + string(c) + cy[i+1:]); s != 404 {
					t.Fatalf("tampered at %d: %d", i, s)
				}
			}
			if s := status("/t/" + cy + "x"); s != 404 {
				t.Errorf("extended token: %d", s)
			}
			// Rotation: the old key's links work for the grace period.
			if _, err := f.svc.RotateLinkKey(ctx); err != nil {
				t.Fatal(err)
			}
			if s := status("/t/" + cy); s != 200 {
				t.Errorf("after rotation: %d", s)
			}
			f.clock.Advance(commands.DefaultKeyGrace)
			if s := status("/t/" + cy); s != 404 {
				t.Errorf("after the grace period: %d", s)
			}
			// A new mail carries a link signed by the new key.
			f.mail(t, "Cy", "cy@acme.com", "Re: [ACME-1] Cy's printer", "Still jams.")
			if _, err := f.svc.ReplyToCustomer(ctx, agent, "ACME-1", "Try the other tray."); err != nil {
				t.Fatal(err)
			}
			fresh := f.token(t, "cy@acme.com")
			if s := status("/t/" + fresh); s != 200 {
				t.Fatalf("fresh link: %d", s)
			}
			// Revoked: links mailed so far stop; the next mail's works.
			if _, err := f.svc.RevokeLinks(ctx, agent, "ACME-1"); err != nil {
				t.Fatal(err)
			}
			if s := status("/t/" + fresh); s != 404 {
				t.Errorf("revoked: %d", s)
			}
			f.clock.Advance(time.Second)
			if _, err := f.svc.ReplyToCustomer(ctx, agent, "ACME-1", "And now?"); err != nil {
				t.Fatal(err)
			}
			if s := status("/t/" + f.token(t, "cy@acme.com")); s != 200 {
				t.Errorf("link after revocation: %d", s)
			}
			// Expired: past the link's lifetime, a page says so.
			f.clock.Advance(commands.DefaultLinkTTL)
			r, body := v.get(t, "/t/"+f.token(t, "cy@acme.com"))
			if r.StatusCode != 403 || !strings.Contains(body, "expired") {
				t.Errorf("expired: %d %s", r.StatusCode, body)
			}
		})
	}
}

func TestFormsNeedTheirCSRFToken(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d, portal.Limits{})
			f.mail(t, "Cy", "cy@acme.com", "Printer", "It jams.")
			tok := f.token(t, "cy@acme.com")
			v := f.visitor(t)
			csrf, nonce := v.form(t, tok)
			for _, tc := range []struct {
				name   string
				vals   url.Values
				header map[string]string
			}{
				{"missing", url.Values{}, nil},
				{"wrong", url.Values{"csrf": {strings.Repeat("A", len(csrf))}}, nil},
				{"other site", url.Values{"csrf": {csrf}}, map[string]string{"Origin": "https://evil.example"}},
				{"cross-site fetch", url.Values{"csrf": {csrf}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
			} {
				resp, _ := v.post(t, "/t/"+tok+"/solve", tc.vals, tc.header)
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("solve, csrf %s: %d", tc.name, resp.StatusCode)
				}
			}
			// The reply form, multipart, the same.
			if resp, _ := v.reply(t, tok, "", nonce, "hello", nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("reply without csrf: %d", resp.StatusCode)
			}
			// Change the first character, whatever it is: a token may itself start with "x".
			wrong := "x" + csrf[1:]
			if csrf[0] == 'x' {
				wrong = "y" + csrf[1:]
			}
			if resp, _ := v.reply(t, tok, wrong, nonce, "hello", nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("reply with a wrong csrf: %d", resp.StatusCode)
			}
			tk, _ := f.svc.TicketByID(context.Background(), 1)
			if tk.Status != "new" {
				t.Fatalf("a refused form changed the ticket: %s", tk.Status)
			}
			// With its token, the form works.
			if resp, _ := v.post(t, "/t/"+tok+"/solve", url.Values{"csrf": {csrf}}, map[string]string{"Origin": f.srv.URL}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("solve: %d", resp.StatusCode)
			}
			tk, _ = f.svc.TicketByID(context.Background(), 1)
			if st := f.svc.Config().Status(tk.Status); st == nil || st.Category != domain.CategoryResolved {
				t.Errorf("solved ticket is %s", tk.Status)
			}
		})
	}
}

func TestUploadsOfWebPagesAreRefused(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d, portal.Limits{})
			f.mail(t, "Cy", "cy@acme.com", "Printer", "It jams.")
			tok := f.token(t, "cy@acme.com")
			v := f.visitor(t)
			for name, data := range map[string]string{
				"page.html":   "<p>hi</p>",
				"image.svg":   "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
				"report.txt":  "<!DOCTYPE html><html><script>alert(1)</script></html>", // sniffed
				"PAGE.HTM":    "hello",
				"invoice.pdf": "<html><body onload=alert(1)>",
			} {
				csrf, nonce := v.form(t, tok)
				resp, body := v.reply(t, tok, csrf, nonce, "see file", map[string][]byte{name: []byte(data)})
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "web pages and scripts are refused") {
					t.Errorf("%s: %d", name, resp.StatusCode)
				}
			}
			cs, _, err := f.svc.History(context.Background(), agent, "ACME-1")
			if err != nil || len(cs) != 0 {
				t.Errorf("a refused reply was kept: %v %v", cs, err)
			}
			// A plain text file goes through.
			csrf, nonce := v.form(t, tok)
			if resp, body := v.reply(t, tok, csrf, nonce, "logs attached", map[string][]byte{"log.txt": []byte("line 1\n")}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("text file: %d %s", resp.StatusCode, body)
			}
		})
	}
}

func TestCustomerTextIsEscaped(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d, portal.Limits{})
			// Every field a customer writes: their name, the subject, the
			// body, a file's name, and a reply from the page.
			f.mail(t, "Eve "+evil, "eve@acme.com", "Title "+evil, "Body "+evil,
				mail.Attachment{Filename: "<img src=x onerror=alert(1)>.txt", ContentType: "text/plain", Data: []byte("x")})
			tok := f.token(t, "eve@acme.com")
			f.mail(t, "Eve", "eve@acme.com", "Other "+evil, "more")
			v := f.visitor(t)
			csrf, nonce := v.form(t, tok)
			if resp, _ := v.reply(t, tok, csrf, nonce, "Reply "+evil, nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("reply: %d", resp.StatusCode)
			}
			_, body := v.get(t, "/t/"+tok)
			if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
				t.Errorf("unescaped script in:\n%s", body)
			}
			for _, want := range []string{"Title &lt;script&gt;", "Body &lt;script&gt;", "Reply &lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;.txt", "Other &lt;script&gt;"} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}
}

func TestRateLimits(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d, portal.Limits{PerLink: 3, Posts: 2, PerAddress: 3})
			f.mail(t, "Cy", "cy@acme.com", "Printer", "It jams.")
			tok := f.token(t, "cy@acme.com")
			v := f.visitor(t)
			for i := range 3 {
				if r, _ := v.get(t, "/t/"+tok); r.StatusCode != 200 {
					t.Fatalf("visit %d: %d", i+1, r.StatusCode)
				}
			}
			r, _ := v.get(t, "/t/"+tok)
			if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
				t.Fatalf("4th visit: %d %v", r.StatusCode, r.Header)
			}
			f.clock.Advance(time.Minute)
			csrf, _ := v.form(t, tok)
			// Posts: two per link per window.
			post := func(tok string) int {
				r, _ := v.post(t, "/t/"+tok+"/rate", url.Values{"csrf": {csrf}, "rating": {"9"}}, nil)
				return r.StatusCode
			}
			if a, b, c := post(tok), post(tok), post(tok); a != 400 || b != 400 || c != 429 {
				t.Errorf("posts per link: %d %d %d", a, b, c)
			}
			// Per address: a second link of the same address shares its limit.
			f.mail(t, "Cy", "cy@acme.com", "Scanner", "Also broken.")
			other := f.token(t, "cy@acme.com")
			if a, b := post(other), post(other); a != 400 || b != 429 {
				t.Errorf("posts per address: %d %d", a, b)
			}
		})
	}
}

func TestReplyFromThePageIsAnEmailAnswer(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d, portal.Limits{})
			ctx := context.Background()
			f.mail(t, "Cy", "cy@acme.com", "Printer", "It jams.")
			tok := f.token(t, "cy@acme.com")
			if _, err := f.svc.ChangeStatus(ctx, agent, "ACME-1", "resolved"); err != nil {
				t.Fatal(err)
			}
			v := f.visitor(t)
			csrf, nonce := v.form(t, tok)
			resp, _ := v.reply(t, tok, csrf, nonce, "It jams again.", map[string][]byte{"jam.txt": []byte("paper")})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("reply: %d", resp.StatusCode)
			}
			// The same form twice (a double click) is one answer.
			if resp, _ := v.reply(t, tok, csrf, nonce, "It jams again.", nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("resubmit: %d", resp.StatusCode)
			}
			tk, _ := f.svc.TicketByID(ctx, 1)
			if st := f.svc.Config().Status(tk.Status); st.Category != domain.CategoryOpen {
				t.Errorf("a customer's answer left the ticket %s", tk.Status)
			}
			cs, _, _ := f.svc.History(ctx, agent, "ACME-1")
			if len(cs) != 1 || cs[0].Body != "It jams again." || !cs[0].Public || cs[0].AuthorEmail != "cy@acme.com" || cs[0].AuthorRole != domain.RoleCustomer {
				t.Fatalf("comments %+v", cs)
			}
			_, body := v.get(t, "/t/"+tok)
			if !strings.Contains(body, "jam.txt") || !strings.Contains(body, "It jams again.") {
				t.Error("the page does not show the answer with its file")
			}
		})
	}
}
