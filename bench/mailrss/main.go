// Command mailrss measures deskbot's peak memory under the largest mail
// it takes (issue 23): n mails of the size limit sent at once to the real
// SMTP listener, committed as tickets with their attachment, in a process
// that runs as serve does (GOGC 400). It reports the peak resident set
// (VmHWM) over the idle one, against the bound the README states: 4× the
// mails' total size plus the idle process.
//
//	go run ./bench/mailrss                        # both databases, 4 × 20 MiB
//	go run ./bench/mailrss -db sqlite -parallel 1,2,4
//
// Each measurement runs in a fresh child process, so one run's heap is
// not the next one's starting point.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/deskbot/deskbot/bench/benchdb"
	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/mail/mailtest"
	"github.com/deskbot/deskbot/storage"
)

func main() {
	dbs := flag.String("db", "sqlite,postgres", "databases")
	parallel := flag.String("parallel", "2", "email.parallel_mails values to measure")
	n := flag.Int("n", 4, "mails sent at once")
	size := flag.Int("size", 20<<20, "size of each mail, bytes")
	files := flag.Int("files", 1, "attachments each mail's size is split into")
	child := flag.Bool("child", false, "run one measurement (internal)")
	flag.Parse()
	if *child {
		p, _ := strconv.Atoi(*parallel)
		if err := measure(*dbs, p, *n, *size, *files); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	fmt.Printf("| database | parallel_mails | mails × size | idle RSS | peak RSS | peak − idle | bound (4 × total + idle) |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, d := range strings.Split(*dbs, ",") {
		for _, p := range strings.Split(*parallel, ",") {
			cmd := exec.Command(os.Args[0], "-child", "-db", d, "-parallel", p, "-n", strconv.Itoa(*n), "-size", strconv.Itoa(*size), "-files", strconv.Itoa(*files))
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "%s parallel %s: %v\n", d, p, err)
				os.Exit(1)
			}
		}
	}
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func measure(dialect string, parallel, n, size, files int) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(bot.GCPercent) // as serve runs
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(email.MemoryLimit(parallel, int64(size)+1<<20)) // as serve runs with SMTP_ADDR
	}
	ctx := context.Background()
	db, done, err := openDB(ctx, dialect)
	if err != nil {
		return err
	}
	defer done()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)
	cfg := domain.DefaultConfig()
	cfg.Email.AttachmentLimit = domain.ByteSize(size) // every file kept, the worst case
	svc := commands.New(db, cfg, commands.Options{Logger: quiet, Mail: commands.MailOptions{Address: "support@vendor.com"}})
	agent := domain.Actor{UserID: "UAGENT", Role: domain.RoleAgent}
	if _, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ACME", Name: "Acme", ChannelID: "CACME", EmailDomains: "acme.com"}); err != nil {
		return err
	}
	srv, err := email.NewServer(email.ServerOptions{Addr: "127.0.0.1:0", Domains: svc.MailDomains(), Ingest: svc.Ingest,
		Logger: quiet, MaxMessageBytes: int64(size) + 1<<20, ParallelMails: parallel, IngestTimeout: 5 * time.Minute})
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Shutdown(ctx)

	if err := send(srv.Addr(), bytes.NewReader(mailtest.ManyParts(3))); err != nil { // warm up: one small mail
		return err
	}
	debug.FreeOSMemory()
	resetPeak()
	idle := rss("VmRSS")
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		// The senders stand for other processes: each mail is generated
		// as it is sent, so it takes no room in this one.
		go func() { defer wg.Done(); errs <- send(srv.Addr(), bigMail(i, size, files)) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	peak := rss("VmHWM")
	total := int64(n) * int64(size)
	verdict := "within"
	if peak > 4*total+idle {
		verdict = "OVER"
	}
	of := ""
	if files > 1 {
		of = fmt.Sprintf(" in %d files", files)
	}
	fmt.Printf("| %s | %d | %d × %s%s | %s | %s | %s | %s (%s) |\n", dialect, parallel, n, mib(int64(size)), of, mib(idle), mib(peak),
		mib(peak-idle), mib(4*total+idle), verdict)
	return nil
}

func send(addr string, r io.Reader) error {
	c, err := gosmtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.SendMail("cy@acme.com", []string{"support@vendor.com"}, r)
}

// bigMail streams a mail of about size bytes: a line of text and files
// base64 attachments sharing the rest.
func bigMail(i, size, files int) io.Reader {
	head := fmt.Sprintf("From: cy@acme.com\r\nTo: support@vendor.com\r\nSubject: Big log %d\r\nMessage-ID: <big-%d-%d@acme.com>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n--sep\r\nContent-Type: text/plain\r\n\r\nThe log is attached.\r\n",
		i, i, time.Now().UnixNano())
	part := "--sep\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"big.log\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	tail := "--sep--\r\n"
	line := strings.Repeat("QUJD", 19) + "\r\n"
	lines := (size - len(head) - files*len(part) - len(tail)) / len(line) / files
	rs := []io.Reader{strings.NewReader(head)}
	for range files {
		rs = append(rs, strings.NewReader(part), io.LimitReader(repeatReader(line), int64(lines*len(line))))
	}
	return io.MultiReader(append(rs, strings.NewReader(tail))...)
}

// repeatReader reads s over and over.
type repeatReader string

func (r repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r)
	}
	return n, nil
}

// resetPeak sets VmHWM back to the current RSS (Linux 4.0+).
func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// rss reads a size field of /proc/self/status, in bytes.
func rss(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func openDB(ctx context.Context, dialect string) (*storage.DB, func(), error) {
	return benchdb.Open(ctx, dialect, "mailrss")
}
