package email_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/mail"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// BenchmarkSMTPIngest: messages per second from SMTP DATA to a committed
// ticket, the corpus as input (each message with a fresh Message-ID, so
// none is a duplicate), against raw receive-and-discard on the same
// listener in the same run, and against receive-parse-and-discard: what
// any ingestion costs before it stores anything. Senders keep one
// connection each and send side by side, as MTAs do.
//
//	go test -run '^$' -bench SMTPIngest -benchtime 2000x ./email/
func BenchmarkSMTPIngest(b *testing.B) {
	mails := corpus(b)
	discard := func(context.Context, []byte, string, []string) error { return nil }
	b.Run("discard", func(b *testing.B) { benchSMTP(b, mails, discard) })
	// The ceiling of any ingestion: receive and parse, store nothing.
	parseOnly := func(_ context.Context, raw []byte, _ string, _ []string) error {
		_, err := mail.Parse(raw)
		return err
	}
	b.Run("parse-and-discard", func(b *testing.B) { benchSMTP(b, mails, parseOnly) })
	for _, d := range storagetest.Dialects {
		// Known senders: every corpus domain is a customer, as most mail
		// comes from customers. All-triage: every sender is unknown, so
		// every ticket takes the one triage customer's number in turn.
		b.Run(d+"/known-senders", func(b *testing.B) {
			w := newWorld(b, d, corpusConfig())
			addCustomers(b, w, mails)
			benchSMTP(b, mails, w.svc.Ingest)
		})
		b.Run(d+"/all-triage", func(b *testing.B) {
			w := newWorld(b, d, corpusConfig())
			benchSMTP(b, mails, w.svc.Ingest)
		})
	}
}

func addCustomers(b *testing.B, w *world, mails []corpusMail) {
	var domains []string
	for _, c := range mails {
		if d := mail.DomainOf(c.m.From.Email); strings.Contains(d, ".") && d != "acme.com" && !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	for i, d := range domains {
		_, err := w.svc.CreateCustomer(context.Background(), agent, commands.CustomerInput{Key: "C" + strconv.Itoa(i+10), Name: d, EmailDomains: d})
		if err != nil {
			b.Fatalf("customer for %s: %v", d, err)
		}
	}
}

var benchSeq atomic.Int64

func benchSMTP(b *testing.B, mails []corpusMail, ingest email.Ingest) {
	srv, err := email.NewServer(email.ServerOptions{Addr: "127.0.0.1:0", Domains: []string{"vendor.com"}, Ingest: ingest, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	bodies := make([][]byte, len(mails))
	for i, c := range mails {
		bodies[i] = benchBody(c.raw)
	}
	b.SetParallelism(4) // 4 senders per CPU
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := dialRaw(b, srv.Addr())
		defer c.Close()
		for pb.Next() {
			n := benchSeq.Add(1)
			raw := append([]byte(fmt.Sprintf("Message-ID: <bench-%d@bench.test>\r\n", n)), bodies[int(n)%len(bodies)]...)
			if err := sendRaw(c, raw); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

// benchBody drops an mbox "From " line, so the new Message-ID heads a
// header block.
func benchBody(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		}
	}
	return raw
}

func dialRaw(b *testing.B, addr string) *gosmtp.Client {
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	mc, err := gomail.NewClient(host, gomail.WithPort(p), gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithTimeout(30*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	c, err := mc.DialToSMTPClientWithContext(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func sendRaw(c *gosmtp.Client, raw []byte) error {
	if err := c.Mail("mta@bench.test"); err != nil {
		return err
	}
	if err := c.Rcpt("support@vendor.com"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return nil
}
