package portal_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/portal"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestWithoutPublicURLNothingChanges(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: quiet(), Mail: commands.MailOptions{Address: "support@vendor.com", Send: true}})
	if _, err := svc.CreateCustomer(context.Background(), agent, commands.CustomerInput{Key: "ACME", Name: "Acme", EmailDomains: "acme.com"}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, svc: svc}
	f.mail(t, "Cy", "cy@acme.com", "Printer", "It jams.")
	ms := f.outbox(t)
	if len(ms) != 1 || strings.Contains(ms[0].Text, "/t/") || strings.Contains(ms[0].Text, "online") {
		t.Fatalf("mails %+v", ms)
	}
	// Even a well-formed token opens nothing.
	on := newFixture(t, storage.SQLite, portal.Limits{})
	on.mail(t, "Cy", "cy@acme.com", "Printer", "It jams.")
	if _, err := svc.Portal(context.Background(), on.token(t, "cy@acme.com")); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("portal off: %v", err)
	}
}

func TestVisitorTimeZoneAndSurvey(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d, portal.Limits{})
			cfg := domain.DefaultConfig()
			cfg.Survey.OnResolve = true
			f.svc.SetConfig(cfg)
			f.mail(t, "Cy", "cy@acme.com", "Printer", "It jams.")
			tok := f.token(t, "cy@acme.com")
			v := f.visitor(t)
			u, _ := url.Parse(f.srv.URL + "/t/")
			v.client.Jar.SetCookies(u, []*http.Cookie{{Name: "deskbot_tz", Value: "Asia/Tokyo", Path: "/t/"}})
			_, body := v.get(t, "/t/"+tok)
			// 09:00 UTC on a Monday, 8 business hours on the UTC business
			// calendar: due 17:00 UTC, 02:00 the next day in Tokyo.
			if !strings.Contains(body, "Times are in Asia/Tokyo") || !strings.Contains(body, "due Tue 3 Mar 02:00 your time") {
				t.Errorf("page in Tokyo time:\n%s", body)
			}
			v.client.Jar.SetCookies(u, []*http.Cookie{{Name: "deskbot_tz", Value: "../../etc/passwd", Path: "/t/"}})
			if _, body := v.get(t, "/t/"+tok); strings.Contains(body, "passwd") {
				t.Error("a bad zone name was used")
			}
			// Solved on the page, the survey is asked there and answered.
			csrf, _ := v.form(t, tok)
			if r, _ := v.post(t, "/t/"+tok+"/solve", url.Values{"csrf": {csrf}}, nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("solve: %d", r.StatusCode)
			}
			_, body = v.get(t, "/t/"+tok)
			if !strings.Contains(body, "How did we do?") || strings.Contains(body, "This is solved") {
				t.Errorf("after solving:\n%s", body)
			}
			if r, _ := v.post(t, "/t/"+tok+"/rate", url.Values{"csrf": {csrf}, "rating": {"5"}}, nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("rate: %d", r.StatusCode)
			}
			if _, body = v.get(t, "/t/"+tok); !strings.Contains(body, "You rated us 5 out of 5") {
				t.Errorf("after rating:\n%s", body)
			}
		})
	}
}

func TestUploadOverTheMailLimit(t *testing.T) {
	f := newFixture(t, storage.SQLite, portal.Limits{})
	cfg := domain.DefaultConfig()
	cfg.Email.AttachmentLimit = 1024
	f.svc.SetConfig(cfg)
	f.mail(t, "Cy", "cy@acme.com", "Printer", "It jams.")
	tok := f.token(t, "cy@acme.com")
	v := f.visitor(t)
	csrf, nonce := v.form(t, tok)
	r, body := v.reply(t, tok, csrf, nonce, "big file", map[string][]byte{"big.log": []byte(strings.Repeat("x", 2048))})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(body, "larger than 1 KB") {
		t.Errorf("over the limit: %d", r.StatusCode)
	}
	// Far over: refused before the whole body is read.
	r, _ = v.reply(t, tok, csrf, nonce, "huge", map[string][]byte{"a.log": make([]byte, 1<<20+64<<10)})
	if r.StatusCode != http.StatusRequestEntityTooLarge && r.StatusCode != http.StatusBadRequest {
		t.Errorf("far over the limit: %d", r.StatusCode)
	}
	if cs, _, _ := f.svc.History(context.Background(), agent, "ACME-1"); len(cs) != 0 {
		t.Errorf("a refused reply was kept: %+v", cs)
	}
}

func TestListenerShutsDownGracefully(t *testing.T) {
	f := newFixture(t, storage.SQLite, portal.Limits{})
	p, err := portal.New(portal.Options{Service: f.svc, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + p.Addr() + "/static/portal.css")
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("static: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + p.Addr() + "/static/portal.css"); err == nil {
		t.Error("still serving after Shutdown")
	}
}

func TestOnlyTheTicketsPeopleGetALink(t *testing.T) {
	f := newFixture(t, storage.SQLite, portal.Limits{})
	res := f.mail(t, "Cy", "cy@acme.com", "Printer", "It jams.")
	f.outbox(t)
	for i, to := range []string{"boss@partner.com", "cy@acme.com"} {
		payload, _ := json.Marshal(commands.EmailJob{TicketID: res.TicketID, To: to, Text: "A rule's notice.", Notice: "rule"})
		if err := f.svc.ComposeMailJob(context.Background(), int64(1000+i), string(payload)); err != nil {
			t.Fatal(err)
		}
	}
	ms := f.outbox(t)
	if len(ms) != 2 {
		t.Fatalf("mails %+v", ms)
	}
	for _, m := range ms {
		has := linkRE.MatchString(m.Text)
		if want := m.To[0].Email == "cy@acme.com"; has != want {
			t.Errorf("mail to %s has a link: %v", m.To[0].Email, has)
		}
	}
}
