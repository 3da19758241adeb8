package portal_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/email/emailtest"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/portal"
	"github.com/deskbot/deskbot/storage/storagetest"
)

const acmeChan = "C0ACME"

// chromium finds Debian's chromium: the test skips without it, except
// under CI=true, where a skipped browser test would hide a broken page.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install chromium); CI=true needs the browser tests")
	}
	t.Skip("chromium is not installed: browser test skipped")
	return ""
}

// browser starts a fresh headless Chromium, as root may run it.
func browser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	alloc, cancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancel)
	bctx, cancel2 := chromedp.NewContext(alloc)
	t.Cleanup(cancel2)
	// The first run starts the browser and ties it to bctx: steps under
	// shorter contexts must not be the first.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatal(err)
	}
	return bctx
}

// screenshotDir keeps the screenshots: PORTAL_SCREENSHOTS when set (like
// portal/testdata/screenshots), else the test's artifact directory
// (go test -artifacts keeps it).
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("PORTAL_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.ArtifactDir()
}

func TestBrowserCustomerAnswersFromTheMailedLink(t *testing.T) {
	chromium(t)
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) { browserJourney(t, d) })
	}
}

func browserJourney(t *testing.T, dialect string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// What serve runs: the bot against the Slack emulator, the mail
	// dispatcher sending to a local relay (the sink), and the page.
	scopes, err := slackemu.ReadManifestScopes("../manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	emu := slackemu.New(slackemu.Options{Scopes: scopes})
	t.Cleanup(emu.Close)
	emu.AddUser(slackemu.User{ID: agent.UserID, Name: "ana", RealName: "Ana Agent", TeamID: "T0EMU", TZ: "Europe/Paris"})
	emu.AddChannel(slackemu.Channel{ID: acmeChan, Name: "acme-support", IsExtShared: true})
	db := storagetest.Open(t, dialect)
	var page http.Handler
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { page.ServeHTTP(w, r) }))
	t.Cleanup(site.Close)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: quiet(),
		Mail:   commands.MailOptions{Address: "support@vendor.com", Send: true},
		Portal: commands.PortalOptions{URL: site.URL}})
	svc.UseStandardHooks()
	p, err := portal.New(portal.Options{Service: svc, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	page = p.Handler()
	if _, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ACME", Name: "Acme Corp", EmailDomains: "acme.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LinkChannel(ctx, agent, "ACME", acmeChan); err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
		Outbox: db, Logger: quiet(), OutboxPoll: 20 * time.Millisecond})
	sink := emailtest.NewSink(t, emailtest.SinkOptions{})
	sender, err := email.NewSender(email.SenderOptions{RelayURL: sink.URL(), Outbox: db, Logger: quiet(), Poll: 20 * time.Millisecond,
		Compose: svc.ComposeMailJob, GiveUp: svc.MailUndeliverable})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	botDone, senderDone := make(chan error, 1), make(chan struct{})
	go func() { botDone <- b.Run(runCtx) }()
	go func() { defer close(senderDone); sender.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-senderDone; <-botDone })
	if err := emu.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}

	// Cy mails support; the card lands in Acme's channel, the
	// acknowledgement in Cy's mailbox with the link.
	f := &fixture{db: db, svc: svc}
	f.mail(t, "Cy Customer", "cy@acme.com", "Printer jams on page 2", "Every print job jams on the second page.")
	if _, err := emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
		return c.OK() && c.Params["channel"] == acmeChan && strings.Contains(c.Params["blocks"], "Printer jams")
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ReplyToCustomer(ctx, agent, "ACME-1", "Which tray do you print from?"); err != nil {
		t.Fatal(err)
	}
	got, err := sink.Wait(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := mail.Parse(got[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(ack.Text, site.URL+"/t/")
	if i < 0 || got[0].To[0] != "cy@acme.com" {
		t.Fatalf("acknowledgement to %v without the link:\n%s", got[0].To, ack.Text)
	}
	link := strings.Fields(ack.Text[i:])[0]

	bctx := browser(t, ctx)
	shots := screenshotDir(t)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		for i, step := range steps {
			sctx, cancel := context.WithTimeout(bctx, 15*time.Second)
			err := chromedp.Do(sctx, step)
			cancel()
			if err != nil {
				where, _ := chromedp.Run(bctx, chromedp.Location())
				page, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
				t.Fatalf("step %d: %v\nat %s:\n%s", i+1, err, where, page)
			}
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(s)
	}
	screenshot := func() []byte {
		t.Helper()
		img, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	do(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(".thread")))
	thread, status := text(".thread"), text(".status")
	if !strings.Contains(thread, "Every print job jams") || !strings.Contains(thread, "Which tray do you print from?") || status != "Received" {
		t.Errorf("page thread %q, status %q", thread, status)
	}

	// Cy answers with a photo of the jam.
	photo := filepath.Join(t.TempDir(), "jam.png")
	if err := os.WriteFile(photo, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 4096)...), 0o600); err != nil {
		t.Fatal(err)
	}
	do(chromedp.SetValue(chromedp.CSS("#body"), "The lower tray. Photo attached."),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{photo}),
		chromedp.Click(chromedp.CSS("button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	notice, thread := text(".notice"), text(".thread")
	if !strings.Contains(notice, "answer was added") || !strings.Contains(thread, "The lower tray.") || !strings.Contains(thread, "jam.png") {
		t.Errorf("after the reply: notice %q thread %q", notice, thread)
	}
	desktop := screenshot()
	// The agents see it in the card's thread in Slack, with the file.
	tk, err := svc.Ticket(ctx, agent, "ACME-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
		return c.OK() && c.Params["channel"] == tk.SlackChannel && c.Params["thread_ts"] == tk.SlackTS &&
			strings.Contains(c.Params["text"]+c.Params["blocks"], "The lower tray")
	}); err != nil {
		t.Fatalf("the answer is not in the card's thread: %v", err)
	}
	if _, err := emu.WaitCall(ctx, "files.completeUploadExternal", func(c slackemu.Call) bool { return c.OK() }); err != nil {
		t.Fatalf("the photo was not uploaded to the thread: %v", err)
	}
	var names []string
	for _, fl := range emu.Files() {
		names = append(names, fl.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "jam.png") {
		t.Errorf("files in Slack: %v", names)
	}

	// Cy marks it solved; the page and the ticket say so.
	do(chromedp.Click(chromedp.CSS("form.solve button")), chromedp.WaitNotPresent(chromedp.CSS("form.solve")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if notice, status := text(".notice"), text(".status"); !strings.Contains(notice, "marked solved") || status != svc.Config().CustomerStatusLabel("resolved") {
		t.Errorf("after solving: notice %q status %q", notice, status)
	}
	if tk, _ = svc.Ticket(ctx, agent, "ACME-1"); tk.Status != "resolved" {
		t.Errorf("ticket is %s", tk.Status)
	}

	// The phone's view of the same page.
	do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".thread")))
	phone := screenshot()
	overflow, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the page scrolls sideways on a phone")
	}
	for name, img := range map[string][]byte{"desktop": desktop, "phone": phone} {
		path := filepath.Join(shots, "ticket-"+dialect+"-"+name+".png")
		if err := os.WriteFile(path, img, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
}
