package portal_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/portal"
	"github.com/deskbot/deskbot/storage"
)

// BenchmarkPageRender measures the ticket page with 200 thread messages
// on PostgreSQL against a static file from the same listener, in the same
// run: p99 of each and their ratio. Target: page p99 under 20 ms.
func BenchmarkPageRender(b *testing.B) {
	f := newFixture(b, storage.Postgres, portal.Limits{PerLink: 1 << 30, Posts: 1 << 30, PerAddress: 1 << 30})
	ctx := context.Background()
	f.mail(b, "Cy Customer", "cy@acme.com", "Printer jams on page 2", "Every print job jams on the second page.")
	tok := f.token(b, "cy@acme.com")
	for i := range 199 {
		a := agent
		body := fmt.Sprintf("Agent answer %d: try the other tray, then tell us what the display says.", i)
		if i%2 == 1 {
			body = fmt.Sprintf("Customer message %d: the display says E-42 & the paper <still> jams.", i)
			if _, err := f.svc.PortalReply(ctx, tok, "", body, nil); err != nil {
				b.Fatal(err)
			}
			continue
		}
		if _, err := f.svc.Comment(ctx, a, "ACME-1", commands.CommentInput{Body: body, Public: true}); err != nil {
			b.Fatal(err)
		}
	}
	p, err := portal.New(portal.Options{Service: f.svc, Logger: quiet(), Limits: portal.Limits{PerLink: 1 << 30}})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	base := "http://" + p.Addr()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	fetch := func(url string) time.Duration {
		start := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n == 0 {
			b.Fatalf("%s: %d", url, resp.StatusCode)
		}
		return time.Since(start)
	}
	fetch(base + "/t/" + tok) // warm up: statements prepared, connections open
	var page, static []time.Duration
	b.ResetTimer()
	for b.Loop() {
		page = append(page, fetch(base+"/t/"+tok))
		static = append(static, fetch(base+"/static/portal.css"))
	}
	b.StopTimer()
	pct := func(d []time.Duration, p int) float64 {
		slices.Sort(d)
		return float64(d[min(len(d)-1, len(d)*p/100)].Microseconds()) / 1000
	}
	pp, sp := pct(page, 99), pct(static, 99)
	b.ReportMetric(pct(page, 50), "page-p50-ms")
	b.ReportMetric(pct(static, 50), "static-p50-ms")
	b.ReportMetric(pp, "page-p99-ms")
	b.ReportMetric(sp, "static-p99-ms")
	b.ReportMetric(pp/max(sp, 0.001), "page/static")
	b.ReportMetric(0, "ns/op")
}
