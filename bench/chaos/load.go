package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/deskbot/deskbot/bot/slackemu"
)

// Kinds of input the load sends.
const (
	kindTicket  = "ticket"  // /ticket <title> #cust01
	kindReply   = "reply"   // a message in a card's thread
	kindTimeLog = "timelog" // /time log KEY 1m <note>
	kindClick   = "click"   // a card's Start/Stop timer button
	kindMail    = "mail"    // a customer's mail to the SMTP listener
)

var kinds = []string{kindTicket, kindReply, kindTimeLog, kindClick, kindMail}

// input is one thing a user did, with what Slack (or SMTP) said.
type input struct {
	kind, marker, user, fault string
	key                       string // ticket the input is about (reply, timelog, click)
	action                    string // click: timer_start or timer_stop
	seconds                   int    // timelog
	sentAt, ackAt             time.Time
	acked                     bool
}

// known is a ticket whose card the load has seen: a target for replies,
// time and clicks.
type known struct{ key, ts, channel string }

type loader struct {
	emu       *slackemu.Server
	replicas  []*replica
	agents    []string
	customers []customer
	faults    *faultLog

	mu      sync.Mutex
	inputs  []*input
	tickets []known
	n       int
	wg      sync.WaitGroup
}

func (l *loader) next(kind string) (*input, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	in := &input{kind: kind, marker: fmt.Sprintf("chaos-%s-%05d", kind, l.n), sentAt: time.Now()}
	in.fault = l.faults.activeAt(in.sentAt)
	l.inputs = append(l.inputs, in)
	return in, l.n
}

func (l *loader) target() (known, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.tickets) == 0 {
		return known{}, false
	}
	return l.tickets[rand.N(len(l.tickets))], true
}

func (l *loader) addKnown(k known) {
	l.mu.Lock()
	l.tickets = append(l.tickets, k)
	l.mu.Unlock()
}

// run sends inputs at rate per second until ctx ends; clicks come from one
// worker per agent, each clicking Stop only once it saw its Start's timer
// running, as a person would.
func (l *loader) run(ctx context.Context, rate float64, weights map[string]int, running func(user string) (bool, error)) {
	var pool []string
	for _, k := range kinds {
		if k == kindClick {
			continue
		}
		for range weights[k] {
			pool = append(pool, k)
		}
	}
	if weights[kindClick] > 0 {
		clickRate := rate * float64(weights[kindClick]) / float64(len(pool)+weights[kindClick])
		for _, a := range l.agents {
			l.wg.Go(func() { l.clicker(ctx, a, clickRate/float64(len(l.agents)), running) })
		}
		rate -= clickRate
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			l.wg.Wait()
			return
		case <-tick.C:
		}
		kind := pool[rand.N(len(pool))]
		l.wg.Go(func() { l.send(ctx, kind) })
	}
}

func (l *loader) send(ctx context.Context, kind string) {
	tgt, ok := l.target()
	if !ok && (kind == kindReply || kind == kindTimeLog) {
		kind = kindTicket
	}
	in, n := l.next(kind)
	in.user = l.agents[n%len(l.agents)]
	cust := l.customers[rand.N(len(l.customers))]
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	var err error
	switch kind {
	case kindTicket:
		_, err = l.emu.SlashCommand(sctx, slackemu.SlashCommand{Command: "/ticket", Text: in.marker + " #" + strings.ToLower(cust.key), UserID: in.user, ChannelID: triageChan})
	case kindTimeLog:
		in.key, in.seconds = tgt.key, 60*(1+n%5)
		_, err = l.emu.SlashCommand(sctx, slackemu.SlashCommand{Command: "/time",
			Text: fmt.Sprintf("log %s %dm %s", tgt.key, in.seconds/60, in.marker), UserID: in.user, ChannelID: triageChan})
	case kindReply:
		in.key = tgt.key
		_, _, err = l.emu.EventWithRetries(sctx, slackemu.MessageEvent(tgt.channel, in.user, in.marker, tgt.ts), 3)
	case kindMail:
		in.user = fmt.Sprintf("c%d@%s", n, cust.domain)
		err = l.mail(sctx, in, cust)
	}
	l.mu.Lock()
	if err == nil {
		in.acked, in.ackAt = true, time.Now()
	}
	l.mu.Unlock()
}

// mail delivers like a customer's MX: each replica's listener in turn
// until one answers 250.
func (l *loader) mail(ctx context.Context, in *input, cust customer) error {
	m := mail.NewMsg()
	_ = m.From(in.user)
	_ = m.To("support@vendor.com")
	m.Subject(in.marker)
	m.SetMessageIDWithValue(in.marker + "@" + cust.domain)
	m.SetBodyString(mail.TypeTextPlain, "Something is broken: "+in.marker)
	var err error
	for _, i := range rand.Perm(len(l.replicas)) {
		host, port, _ := net.SplitHostPort(l.replicas[i].smtpAddr)
		p, _ := strconv.Atoi(port)
		var c *mail.Client
		c, err = mail.NewClient(host, mail.WithPort(p), mail.WithTLSPolicy(mail.NoTLS), mail.WithHELO("mx."+cust.domain),
			mail.WithTimeout(5*time.Second))
		if err != nil {
			return err
		}
		if err = c.DialAndSendWithContext(ctx, m); err == nil {
			return nil
		}
	}
	return err
}

// clicker starts a timer on a ticket, waits until it runs, stops it, waits
// until it stopped, at about rate starts per second.
func (l *loader) clicker(ctx context.Context, user string, rate float64, running func(string) (bool, error)) {
	if rate <= 0 {
		return
	}
	pause := time.Duration(float64(time.Second) / rate / 2)
	for ctx.Err() == nil {
		tgt, ok := l.target()
		if !ok {
			sleepCtx(ctx, time.Second)
			continue
		}
		for _, act := range []string{"timer_start", "timer_stop"} {
			in, _ := l.next(kindClick)
			in.user, in.key, in.action = user, tgt.key, act
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
			_, err := l.emu.Interactive(sctx, slackemu.BlockAction(user, tgt.channel, tgt.ts, act, tgt.key))
			cancel()
			l.mu.Lock()
			if err == nil {
				in.acked, in.ackAt = true, time.Now()
			}
			l.mu.Unlock()
			// A person clicks Stop after seeing the timer run (and Start
			// again after seeing it stopped), whatever came of the click.
			want := act == "timer_start"
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if r, err := running(user); err == nil && r == want {
					break
				}
				if !in.acked {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			sleepCtx(ctx, pause)
		}
	}
}

// sleepUntil waits until done is closed, for at most d.
func sleepUntil(ctx context.Context, done <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
