package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/deskbot/deskbot/bench/benchdb"
	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/webhook"
)

// unpaced is the bot's RateScale against the unthrottled emulator: its
// buckets never run dry, so what is measured is its own delivery.
const unpaced = 1e6

func runOnce(ctx context.Context, cfg config, dialect string, quiet *slog.Logger) (*result, error) {
	db, closeDB, err := benchdb.OpenMigrated(ctx, dialect, "webhookfan")
	if err != nil {
		return nil, err
	}
	defer closeDB()
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: quiet})
	svc.UseStandardHooks()
	agent := domain.Actor{UserID: "U0ADMIN", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	if _, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ACME", Name: "Acme Corp"}); err != nil {
		return nil, err
	}
	r := &result{dialect: dialect}
	if err := slackBaseline(ctx, cfg, db, svc, quiet, r); err != nil {
		return nil, fmt.Errorf("slack: %w", err)
	}
	if err := fanOut(ctx, cfg, db, svc, agent, quiet, r); err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return r, nil
}

// slackBaseline queues cfg.n channel posts, then times the bot posting
// them all to the emulator.
func slackBaseline(ctx context.Context, cfg config, db *storage.DB, svc *commands.Service, quiet *slog.Logger, r *result) error {
	emu := slackemu.New(slackemu.Options{Unthrottled: true})
	defer emu.Close()
	emu.AddUser(slackemu.User{ID: "U0ADMIN", Name: "admin", RealName: "Admin", TeamID: "T0EMU"})
	for i := range cfg.channels {
		emu.AddChannel(slackemu.Channel{ID: fmt.Sprintf("CBENCH%02d", i), Name: fmt.Sprintf("bench-%02d", i)})
	}
	for start := 0; start < cfg.n; start += 100 {
		err := db.Update(ctx, func(tx domain.Tx) error {
			for i := start; i < min(start+100, cfg.n); i++ {
				job, _ := json.Marshal(commands.PostJob{Notice: commands.NoticeNewCustomer, Channel: fmt.Sprintf("CBENCH%02d", i%cfg.channels),
					Args: map[string]string{"name": fmt.Sprintf("Org %d", i), "key": fmt.Sprintf("ORG%d", i)}})
				if err := tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxSlackPost, Payload: string(job)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	b := bot.New(bot.Options{BotToken: "xoxb-emu", AppToken: "xapp-emu", APIURL: emu.APIURL(), Service: svc,
		Outbox: db, Instance: "webhookfan-" + r.dialect, Logger: quiet, OutboxPoll: 10 * time.Millisecond, RateScale: unpaced})
	botCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- b.Run(botCtx) }()
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		n := 0
		for _, c := range emu.Calls("chat.postMessage") {
			if c.OK() && strings.HasPrefix(c.Params["channel"], "CBENCH") {
				n++
			}
		}
		if n >= cfg.n {
			r.slackN, r.slackTook = n, time.Since(start)
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d posts after 5 minutes", n, cfg.n)
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.slackRate = float64(r.slackN) / r.slackTook.Seconds()
	return nil
}

// sink is a receiver: it verifies each delivery as the README says and
// checks it is new and next in its ticket's order.
type sink struct {
	*httptest.Server
	secret  string
	mu      sync.Mutex
	seen    map[string]bool
	last    map[string]time.Time // ticket → created_at of the last event taken
	n       int
	problem string
}

func newSink() *sink {
	s := &sink{seen: map[string]bool{}, last: map[string]time.Time{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *sink) serve(w http.ResponseWriter, req *http.Request) {
	raw, _ := io.ReadAll(req.Body)
	ts := req.Header.Get("X-Deskbot-Request-Timestamp")
	m := hmac.New(sha256.New, []byte(s.secret))
	m.Write([]byte("v1:" + ts + ":"))
	m.Write(raw)
	ok := hmac.Equal([]byte("v1="+hex.EncodeToString(m.Sum(nil))), []byte(req.Header.Get("X-Deskbot-Signature")))
	var body struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"created_at"`
		Ticket    struct {
			Key string `json:"key"`
		} `json:"ticket"`
	}
	_ = json.Unmarshal(raw, &body)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !ok:
		s.problem = "bad signature"
	case s.seen[body.ID]:
		s.problem = "delivery " + body.ID + " taken twice"
	case body.CreatedAt.Before(s.last[body.Ticket.Key]):
		s.problem = "out of order on " + body.Ticket.Key
	}
	s.seen[body.ID] = true
	s.last[body.Ticket.Key] = body.CreatedAt
	s.n++
	w.WriteHeader(http.StatusNoContent)
}

func (s *sink) count() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n, s.problem
}

// fanOut makes cfg.n events on tickets with 3 webhooks listening, then
// times the sender delivering them all.
func fanOut(ctx context.Context, cfg config, db *storage.DB, svc *commands.Service, agent domain.Actor, quiet *slog.Logger, r *result) error {
	all := []string{domain.HookTicketCreated, domain.HookStatusChanged, domain.HookCommentAdded}
	sinks := make([]*sink, 3)
	for i := range sinks {
		sinks[i] = newSink()
		defer sinks[i].Close()
		secret, _, err := svc.AddWebhook(ctx, agent, sinks[i].URL+"/hooks", all)
		if err != nil {
			return err
		}
		sinks[i].secret = secret
	}
	for made := 0; made < cfg.n; {
		t, err := svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "ACME", Title: fmt.Sprintf("Ticket %d", made), Source: domain.SourceSlash})
		if err != nil {
			return err
		}
		made++
		steps := []func() error{
			func() error { _, err := svc.ChangeStatus(ctx, agent, t.Key(), "open"); return err },
			func() error {
				_, err := svc.Comment(ctx, agent, t.Key(), commands.CommentInput{Body: "On it.", Public: true})
				return err
			},
			func() error { _, err := svc.ChangeStatus(ctx, agent, t.Key(), "in_progress"); return err },
		}
		for _, step := range steps {
			if made == cfg.n {
				break
			}
			if err := step(); err != nil {
				return err
			}
			made++
		}
	}
	s := webhook.New(webhook.Options{Service: svc, Outbox: db, Poll: 10 * time.Millisecond, Workers: cfg.workers, Logger: quiet})
	sctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	start := time.Now()
	go func() { s.Run(sctx); close(done) }()
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		total := 0
		for _, k := range sinks {
			n, problem := k.count()
			if problem != "" {
				return fmt.Errorf("receiver: %s", problem)
			}
			total += n
		}
		if total >= 3*cfg.n {
			r.hookN, r.hooksTook = total, time.Since(start)
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d deliveries after 5 minutes", total, 3*cfg.n)
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.hookRate = float64(r.hookN) / r.hooksTook.Seconds()
	r.eventRate = float64(cfg.n) / r.hooksTook.Seconds()
	return nil
}
