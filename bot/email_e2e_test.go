package bot_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/email/emailtest"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// mailWorld runs what serve runs with mail on: the bot against the
// emulator, the SMTP listener, and the mail dispatcher sending to a local
// relay (the sink).
type mailWorld struct {
	*world
	smtpAddr string
	sink     *emailtest.Sink
}

func startMail(t *testing.T, dialect string) *mailWorld { return startMailAt(t, dialect, nil, false) }

// startMailAt is startMail with the database's clock set by the test (nil:
// real time) and, with hooks, SLAs and automations applied as serve does.
func startMailAt(t testing.TB, dialect string, clock *storagetest.Clock, hooks bool) *mailWorld {
	t.Helper()
	emu := slackemu.New(slackemu.Options{Scopes: manifestScopes(t)})
	t.Cleanup(emu.Close)
	emu.AddUser(slackemu.User{ID: agentID, Name: "ana", RealName: "Ana Agent", TeamID: "T0EMU", TZ: "Europe/Paris"})
	emu.AddChannel(slackemu.Channel{ID: acmeChan, Name: "acme-support", IsExtShared: true})
	emu.AddChannel(slackemu.Channel{ID: triageChan, Name: "triage"})
	var opts []storage.Option
	if clock != nil {
		opts = append(opts, storage.WithClock(clock.Now))
	}
	db := storagetest.Open(t, dialect, opts...)
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{TriageChannel: triageChan, Logger: testLogger(),
		Mail: commands.MailOptions{Address: "support@vendor.com", Send: true}})
	if hooks {
		svc.UseStandardHooks()
	}
	ctx := context.Background()
	agent := domain.Actor{UserID: agentID, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	acme, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ACME", Name: "Acme Corp", EmailDomains: "acme.com"})
	if err != nil {
		t.Fatal(err)
	}
	if acme, err = svc.LinkChannel(ctx, agent, "ACME", acmeChan); err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
		Outbox: db, Logger: testLogger(), OutboxPoll: 20 * time.Millisecond})

	srv, err := email.NewServer(email.ServerOptions{Addr: "127.0.0.1:0", Domains: svc.MailDomains(), Ingest: svc.Ingest, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	sink := emailtest.NewSink(t, emailtest.SinkOptions{})
	sender, err := email.NewSender(email.SenderOptions{RelayURL: sink.URL(), Outbox: db, Logger: testLogger(), Poll: 20 * time.Millisecond,
		Compose: svc.ComposeMailJob, GiveUp: svc.MailUndeliverable})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	senderDone := make(chan struct{})
	go func() { defer close(senderDone); sender.Run(runCtx) }()
	t.Cleanup(func() {
		_ = srv.Shutdown(context.Background())
		cancel()
		<-senderDone
		if err := <-done; err != nil {
			t.Errorf("bot stopped with %v", err)
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := emu.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	return &mailWorld{world: &world{emu: emu, svc: svc, db: db, acme: acme}, smtpAddr: srv.Addr(), sink: sink}
}

// send mails the listener as the customer's mail server would.
func (w *mailWorld) send(t *testing.T, m *gomail.Msg) {
	t.Helper()
	host, port, _ := net.SplitHostPort(w.smtpAddr)
	p, _ := strconv.Atoi(port)
	c, err := gomail.NewClient(host, gomail.WithPort(p), gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithHELO("mx.acme.com"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DialAndSendWithContext(waitCtx(t), m); err != nil {
		t.Fatal(err)
	}
}

func TestEmailInAndReplyOut(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			w := startMail(t, d)
			ctx := waitCtx(t)

			// A customer mails support, with a screenshot.
			m := gomail.NewMsg()
			_ = m.FromFormat("Cy Customer", "cy@acme.com")
			_ = m.To("support@vendor.com")
			m.Subject("Dashboard errors")
			m.SetMessageIDWithValue("first@acme.com")
			m.SetBodyString(gomail.TypeTextPlain, "The dashboard shows errors since 9:00.")
			if err := m.AttachReader("screen.png", strings.NewReader(strings.Repeat("png!", 8<<10))); err != nil {
				t.Fatal(err)
			}
			w.send(t, m)

			// Its card lands in the customer's channel; the file in its thread.
			w.waitCard(t, acmeChan, "Dashboard errors")
			ch, ts := w.cardTS(t, "ACME-1")
			if _, err := w.emu.WaitCall(ctx, "files.completeUploadExternal", func(c slackemu.Call) bool { return c.OK() }); err != nil {
				t.Fatalf("no upload: %v", err)
			}
			files := w.emu.Files()
			if len(files) != 1 || files[0].Name != "screen.png" || files[0].Channel != ch || files[0].ThreadTS != ts || len(files[0].Content) != 32<<10 {
				t.Errorf("files %+v", files)
			}
			// The customer got the acknowledgement with the key.
			acks, err := w.sink.Wait(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			ack, _ := mail.Parse(acks[0].Data)
			if !strings.Contains(ack.Subject, "[ACME-1]") || acks[0].To[0] != "cy@acme.com" {
				t.Errorf("ack %q to %v", ack.Subject, acks[0].To)
			}

			// Their answer to it shows in the thread, escaped.
			r := gomail.NewMsg()
			_ = r.From("cy@acme.com")
			_ = r.To("support+ACME-1@vendor.com")
			r.Subject("Re: " + ack.Subject)
			r.SetMessageIDWithValue("second@acme.com")
			r.SetGenHeader(gomail.HeaderInReplyTo, "<"+ack.MessageID+">")
			r.SetBodyString(gomail.TypeTextPlain, "Now it says <!channel> everywhere.")
			w.send(t, r)
			post, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
				return c.OK() && c.Params["thread_ts"] == ts && strings.Contains(c.Params["text"], "Email")
			})
			if err != nil {
				t.Fatalf("no mail in the thread: %v", err)
			}
			if text := post.Params["text"]; strings.Contains(text, "<!channel>") || !strings.Contains(text, "&lt;!channel&gt;") {
				t.Errorf("the mail pings: %q", text)
			}

			// The agent answers from the card; the customer gets it by mail, in thread.
			// Reply to customer is on the card's working face.
			if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "work", "ACME-1")); err != nil {
				t.Fatal(err)
			}
			w.waitReply(t, "reply_customer")
			if _, err := w.emu.Interactive(ctx, slackemu.BlockAction(agentID, ch, ts, "reply_customer", "ACME-1")); err != nil {
				t.Fatal(err)
			}
			if _, err := w.emu.WaitCall(ctx, "views.open", func(c slackemu.Call) bool { return c.OK() }); err != nil {
				t.Fatal(err)
			}
			view := openView(t, w.world, "reply_customer")
			ackResp, err := w.emu.Interactive(ctx, slackemu.ViewSubmission(agentID, view,
				map[string]map[string]any{"body": {"body": slackemu.TextInput("Fixed in 4.2.2, please retry.")}}))
			if err != nil || strings.Contains(string(ackResp.Payload), "errors") {
				t.Fatalf("submission: %v %s", err, ackResp.Payload)
			}
			msgs, err := w.sink.Wait(ctx, 2)
			if err != nil {
				t.Fatal(err)
			}
			reply, _ := mail.Parse(msgs[1].Data)
			if msgs[1].To[0] != "cy@acme.com" || !strings.Contains(reply.Text, "Fixed in 4.2.2") || len(reply.InReplyTo) != 1 ||
				reply.InReplyTo[0] != "second@acme.com" || !strings.Contains(reply.Subject, "[ACME-1]") {
				t.Errorf("reply %+v to %v", reply, msgs[1].To)
			}
			if _, err := w.emu.WaitCall(ctx, "chat.postMessage", func(c slackemu.Call) bool {
				return c.OK() && c.Params["thread_ts"] == ts && strings.Contains(c.Params["text"], "replied by email")
			}); err != nil {
				t.Errorf("the thread does not say the reply went out: %v", err)
			}
			if tk := w.ticket(t, "ACME-1"); tk.FirstResponseAt == nil {
				t.Error("the reply is the first response")
			}
		})
	}
}
