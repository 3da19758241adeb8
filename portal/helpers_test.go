package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/portal"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

var agent = domain.Actor{UserID: "U0AGENT", Name: "Ana", Role: domain.RoleAgent, Channel: domain.ChannelSlack}

// fixture is a service with the page on, over a fresh database with a set clock.
type fixture struct {
	db    *storage.DB
	svc   *commands.Service
	clock *storagetest.Clock
	srv   *httptest.Server
	mails []mail.Outgoing // every mail queued so far, in order
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newFixture(t testing.TB, dialect string, limits portal.Limits) *fixture {
	t.Helper()
	clock := storagetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	db := storagetest.Open(t, dialect, storage.WithClock(clock.Now))
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: quiet(),
		Mail:   commands.MailOptions{Address: "support@vendor.com", Send: true},
		Portal: commands.PortalOptions{URL: "http://portal.test/"}})
	svc.UseStandardHooks()
	if _, err := svc.CreateCustomer(context.Background(), agent, commands.CustomerInput{Key: "ACME", Name: "Acme", EmailDomains: "acme.com"}); err != nil {
		t.Fatal(err)
	}
	p, err := portal.New(portal.Options{Service: svc, Logger: quiet(), Limits: limits, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	return &fixture{db: db, svc: svc, clock: clock, srv: srv}
}

// mail ingests a customer's mail and returns the ticket it made or continued.
func (f *fixture) mail(t testing.TB, fromName, from, subject, body string, files ...mail.Attachment) *commands.IngestResult {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	hdr := fmt.Sprintf("From: %q <%s>\r\nTo: support@vendor.com\r\nSubject: %s\r\nMessage-ID: <%d@acme.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%s\r\n\r\n",
		fromName, from, subject, time.Now().UnixNano(), w.Boundary())
	pw, _ := w.CreatePart(map[string][]string{"Content-Type": {"text/plain; charset=utf-8"}})
	io.WriteString(pw, body)
	for _, a := range files {
		pw, _ := w.CreatePart(map[string][]string{"Content-Type": {a.ContentType},
			"Content-Disposition": {fmt.Sprintf("attachment; filename=%q", a.Filename)}})
		pw.Write(a.Data)
	}
	w.Close()
	res, err := f.svc.IngestEmail(context.Background(), append([]byte(hdr), b.Bytes()...), "test")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// outbox reads the mails queued since the last call.
func (f *fixture) outbox(t testing.TB) []mail.Outgoing {
	t.Helper()
	ms, err := f.db.ClaimOutbox(context.Background(), "portal-test", []string{domain.OutboxMail}, 100, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var out []mail.Outgoing
	for _, m := range ms {
		var o mail.Outgoing
		if err := json.Unmarshal([]byte(m.Payload), &o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
		if err := f.db.OutboxDelivered(context.Background(), m.ID); err != nil {
			t.Fatal(err)
		}
	}
	f.mails = append(f.mails, out...)
	return out
}

var linkRE = regexp.MustCompile(`http://portal\.test/t/([A-Za-z0-9_-]+)`)

// token is the link's token in the latest mail to an address.
func (f *fixture) token(t testing.TB, to string) string {
	t.Helper()
	f.outbox(t)
	for i := len(f.mails) - 1; i >= 0; i-- {
		if m := f.mails[i]; len(m.To) > 0 && m.To[0].Email == to {
			if sm := linkRE.FindStringSubmatch(m.Text); sm != nil {
				return sm[1]
			}
			t.Fatalf("mail to %s without a link:\n%s", to, m.Text)
		}
	}
	t.Fatalf("no mail to %s", to)
	return ""
}

// visitor is a browser: a cookie jar and the page's form values.
type visitor struct {
	f      *fixture
	client *http.Client
}

func (f *fixture) visitor(t *testing.T) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{f: f, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (v *visitor) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := v.client.Get(v.f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
var nonceRE = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// form opens the page and returns its CSRF value and the reply's nonce.
func (v *visitor) form(t *testing.T, tok string) (csrf, nonce string) {
	t.Helper()
	resp, body := v.get(t, "/t/"+tok)
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d %s", resp.StatusCode, body)
	}
	m, n := csrfRE.FindStringSubmatch(body), nonceRE.FindStringSubmatch(body)
	if m == nil || n == nil {
		t.Fatalf("no form in %s", body)
	}
	return m[1], n[1]
}

func (v *visitor) post(t *testing.T, path string, vals url.Values, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", v.f.srv.URL+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, val := range header {
		req.Header.Set(k, val)
	}
	return v.do(t, req)
}

func (v *visitor) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := v.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// reply posts the reply form as a browser does (multipart, csrf first).
func (v *visitor) reply(t *testing.T, tok, csrf, nonce, body string, files map[string][]byte) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf", csrf)
	w.WriteField("nonce", nonce)
	w.WriteField("body", body)
	for name, data := range files {
		fw, _ := w.CreateFormFile("files", name)
		fw.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest("POST", v.f.srv.URL+"/t/"+tok+"/reply", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return v.do(t, req)
}
