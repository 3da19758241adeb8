package bot

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/sla"
)

// The timeline's geometry: a label column, then time left to right, one
// row per ticket.
const (
	tlWidth  = 1200
	tlLabel  = 280
	tlRight  = 20
	tlTop    = 40
	tlRow    = 22
	tlBar    = 12
	tlBottom = 20
)

var (
	tlBackground = color.RGBA{255, 255, 255, 255}
	tlGrid       = color.RGBA{230, 230, 235, 255}
	tlText       = color.RGBA{40, 40, 50, 255}
	tlOpen       = color.RGBA{54, 116, 220, 255}
	tlDone       = color.RGBA{160, 165, 175, 255}
	tlBreach     = color.RGBA{214, 48, 49, 255}
	tlToday      = color.RGBA{240, 150, 20, 255}
	tlArrow      = color.RGBA{90, 90, 100, 255}
)

// timelineSize is the picture's size for n tickets.
func timelineSize(n int) (int, int) { return tlWidth, tlTop + max(n, 1)*tlRow + tlBottom }

// drawTimeline draws a Gantt-style picture of the page's tickets: a bar
// from creation to resolution (or the SLA deadline, or now), red when
// breached or overdue, grey when done; blocks links as arrows from the
// blocker's end to the blocked ticket's start; today as an orange line.
func drawTimeline(cfg *domain.Config, r *commands.ViewResult) ([]byte, error) {
	w, h := timelineSize(len(r.Tickets))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(tlBackground), image.Point{}, draw.Src)
	start, end := r.Now, r.Now
	for _, t := range r.Tickets {
		start = sla.Earlier(start, t.CreatedAt)
		end = sla.Later(end, barEnd(t, r.Now))
		if due, _ := t.Due(); !due.IsZero() {
			start, end = sla.Earlier(start, due), sla.Later(end, due)
		}
	}
	if !end.After(start) {
		end = start.Add(time.Hour)
	}
	span := end.Sub(start)
	start, end = start.Add(-span/40), end.Add(span/40)
	x := func(t time.Time) int {
		return tlLabel + int(float64(w-tlLabel-tlRight)*float64(t.Sub(start))/float64(end.Sub(start)))
	}
	text := func(s string, px, py int, c color.Color) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(px, py)}
		d.DrawString(s)
	}
	// Date ticks along the top, about six of them; hours when the span is short.
	layout := "02 Jan"
	if end.Sub(start) < 4*24*time.Hour {
		layout = "02 Jan 15:04"
	}
	for i := 0; i <= 6; i++ {
		at := start.Add(end.Sub(start) * time.Duration(i) / 6)
		px := x(at)
		fill(img, px, tlTop-8, 1, h-tlTop-tlBottom+8, tlGrid)
		if px+90 < w {
			text(at.In(r.Loc).Format(layout), px+2, tlTop-14, tlText)
		}
	}
	text("blue: open  grey: done  red: breached or overdue  orange: now", 6, 14, tlText)
	rowOf := map[int64]int{}
	for i, t := range r.Tickets {
		rowOf[t.ID] = i
		y := tlTop + i*tlRow
		text(asciiCut(t.Key()+" "+t.Title, 38), 6, y+tlBar, tlText)
		c := tlOpen
		st := cfg.Status(t.Status)
		switch {
		case r.Breached[t.ID] || (st == nil || !st.Done()) && t.SLADueAt != nil && t.SLADueAt.Before(r.Now):
			c = tlBreach
		case st != nil && st.Done():
			c = tlDone
		}
		x0, x1 := x(t.CreatedAt), x(barEnd(t, r.Now))
		fill(img, x0, y+4, max(x1-x0, 4), tlBar, c)
		if due, _ := t.Due(); !due.IsZero() { // the due date, else the SLA deadline
			fill(img, x(due), y+1, 2, tlBar+6, tlText)
		}
	}
	fill(img, x(r.Now), tlTop-4, 2, h-tlTop-tlBottom+4, tlToday)
	for _, l := range r.Links {
		from, okF := rowOf[l.FromID]
		to, okT := rowOf[l.ToID]
		if l.Kind != domain.LinkBlocks || !okF || !okT {
			continue
		}
		a, b := r.Tickets[from], r.Tickets[to]
		arrow(img, x(barEnd(a, r.Now)), tlTop+from*tlRow+4+tlBar/2, x(b.CreatedAt), tlTop+to*tlRow+4+tlBar/2, tlArrow)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// asciiCut shortens a label for the built-in font, which has ASCII only.
func asciiCut(s string, n int) string {
	b := []byte(strings.Map(func(r rune) rune {
		if r < 32 || r > 126 {
			return '?'
		}
		return r
	}, s))
	if len(b) > n {
		return string(b[:n-3]) + "..."
	}
	return string(b)
}

// barEnd is where a ticket's bar stops.
func barEnd(t *domain.Ticket, now time.Time) time.Time {
	switch {
	case t.ResolvedAt != nil:
		return *t.ResolvedAt
	}
	if due, _ := t.Due(); due.After(now) {
		return due
	}
	return now
}

func fill(img *image.RGBA, x, y, w, h int, c color.Color) {
	draw.Draw(img, image.Rect(x, y, x+w, y+h), image.NewUniform(c), image.Point{}, draw.Src)
}

// arrow draws a line (Bresenham) with a small head at its end.
func arrow(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	err := dx + dy
	for x, y := x0, y0; ; {
		img.Set(x, y, c)
		if x == x1 && y == y1 {
			break
		}
		e2 := 2 * err
		if e2 >= dy {
			err += dy
			x += sx
		}
		if e2 <= dx {
			err += dx
			y += sy
		}
	}
	for i := 1; i <= 4; i++ {
		img.Set(x1-i*max(sx, 1), y1-i, c)
		img.Set(x1-i*max(sx, 1), y1+i, c)
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
