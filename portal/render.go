package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// pageData is what page.html renders.
type pageData struct {
	View          *commands.PortalView
	Token         string
	CSRF, Nonce   string
	Problem       string // why the last form was refused
	Notice        string // what the last form did
	Loc           *time.Location
	TZFromBrowser bool
	Scale         []int
	MaxFiles      int
	// Messages are the thread laid out for the template: a long thread
	// renders with few template calls per message.
	Messages []msgRow
}

type msgRow struct {
	Author, Body, When, ISO string
	Support                 bool
	Files                   []fileRow
}

type fileRow struct{ Href, Name, Size string }

// rows lays out the thread in the visitor's zone.
func rows(v *commands.PortalView, token string, loc *time.Location) []msgRow {
	out := make([]msgRow, len(v.Messages))
	for i, m := range v.Messages {
		r := msgRow{Author: m.Author, Body: m.Body, Support: m.Support,
			When: m.At.In(loc).Format("Mon 2 Jan 2006, 15:04"), ISO: m.At.UTC().Format(time.RFC3339)}
		for _, f := range m.Files {
			r.Files = append(r.Files, fileRow{Href: "/t/" + token + "/files/" + strconv.FormatInt(f.ID, 10) + "/" + url.PathEscape(f.Name),
				Name: f.Name, Size: size(f.Size)})
		}
		out[i] = r
	}
	return out
}

func scale() []int {
	out := make([]int, domain.SurveyScale)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

var funcs = template.FuncMap{
	"when":    func(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2 Jan 2006, 15:04") },
	"size":    size,
	"promise": promise,
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
	"zone":    func(loc *time.Location) string { return loc.String() },
	"pathEsc": url.PathEscape,
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// promise says the SLA in plain words, the deadline in the visitor's zone.
func promise(p *commands.PortalPromise, loc *time.Location) string {
	if p == nil {
		return ""
	}
	verb := "answer"
	if p.What == "solve" {
		verb = "solve this"
	}
	within := "We " + verb + " within " + span(p.Within)
	switch {
	case p.Paused:
		return within + "; the clock waits while we wait for your answer."
	case p.Late:
		return within + ". We are late on this one, sorry: it is at the top of our list."
	case !p.Due.IsZero():
		return within + "; due " + p.Due.In(loc).Format("Mon 2 Jan 15:04") + " your time."
	}
	return within + "."
}

// span words a business-time budget.
func span(d time.Duration) string {
	h := d.Hours()
	switch {
	case d < time.Hour:
		return plural(int(d.Minutes()), "business minute")
	case h == float64(int(h)):
		return plural(int(h), "business hour")
	}
	return fmt.Sprintf("%.1f business hours", h)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

var zoneRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,3}$`)

// browserZone is the time zone the page's script reported, when valid.
func browserZone(r *http.Request) (*time.Location, bool) {
	c, err := r.Cookie(tzCookie)
	if err != nil {
		return nil, false
	}
	return parseZone(c.Value)
}

func parseZone(name string) (*time.Location, bool) {
	if len(name) > 64 || !zoneRE.MatchString(name) {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

// visitorZone is the browser's zone, else the fallback (the SLA calendar's).
func visitorZone(r *http.Request, fallback *time.Location) *time.Location {
	if loc, ok := browserZone(r); ok {
		return loc
	}
	if fallback == nil {
		return time.UTC
	}
	return fallback
}

// setZone remembers a zone a form sent (the script fills a hidden field).
func (s *Server) setZone(w http.ResponseWriter, r *http.Request, name string) {
	if _, ok := parseZone(name); !ok {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: tzCookie, Value: name, Path: "/t/", MaxAge: 365 * 24 * 3600,
		Secure: s.https(r), SameSite: http.SameSiteStrictMode})
}
