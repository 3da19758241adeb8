package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/deskbot/deskbot/commands"
)

// PortalEnv configures the customers' ticket page.
type PortalEnv struct {
	URL  string // PUBLIC_URL: the page's address as customers reach it; empty: no page, no links
	Addr string // PUBLIC_ADDR: where the page listens
	// TrustedProxies (PUBLIC_TRUSTED_PROXIES) may set X-Forwarded-For and -Proto.
	TrustedProxies []netip.Prefix
	LinkTTL        time.Duration // PUBLIC_LINK_TTL
	KeyGrace       time.Duration // PUBLIC_KEY_GRACE
}

// loadPortalEnv reads the PUBLIC_* variables, appending what is wrong.
func loadPortalEnv(getenv func(string) string, httpAddr string, errs []error) (PortalEnv, []error) {
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	p := PortalEnv{URL: strings.TrimSpace(getenv("PUBLIC_URL")), Addr: strings.TrimSpace(getenv("PUBLIC_ADDR"))}
	if p.URL != "" {
		if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("PUBLIC_URL", "%q must be the http(s) address customers reach the ticket page at (like https://support.vendor.com)", p.URL)
		}
		p.URL = strings.TrimRight(p.URL, "/")
		if p.Addr == "" {
			p.Addr = "127.0.0.1:8081"
		}
	}
	if p.Addr != "" {
		if _, _, err := net.SplitHostPort(p.Addr); err != nil {
			bad("PUBLIC_ADDR", "%q is not host:port (like 0.0.0.0:8081)", p.Addr)
		} else if sameListener(p.Addr, httpAddr) {
			bad("PUBLIC_ADDR", "%q must differ from HTTP_ADDR (%s): health and metrics stay private, the ticket page is public", p.Addr, httpAddr)
		}
		if p.URL == "" {
			bad("PUBLIC_URL", "is required when PUBLIC_ADDR is set: the links mailed to customers are built from it")
		}
	}
	for _, s := range strings.FieldsFunc(getenv("PUBLIC_TRUSTED_PROXIES"), func(r rune) bool { return r == ',' || r == ' ' }) {
		pr, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				bad("PUBLIC_TRUSTED_PROXIES", "%q is neither an IP address nor a CIDR range (like 10.0.0.0/8)", s)
				continue
			}
			pr = netip.PrefixFrom(a, a.BitLen())
		}
		p.TrustedProxies = append(p.TrustedProxies, pr.Masked())
	}
	p.LinkTTL = envDuration(getenv, "PUBLIC_LINK_TTL", commands.DefaultLinkTTL, bad)
	p.KeyGrace = envDuration(getenv, "PUBLIC_KEY_GRACE", commands.DefaultKeyGrace, bad)
	return p, errs
}

// envDuration reads a duration in Go's syntax or in days ("90d").
func envDuration(getenv func(string) string, name string, def time.Duration, bad func(string, string, ...any)) time.Duration {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def
	}
	var d time.Duration
	var err error
	if n, ok := strings.CutSuffix(v, "d"); ok {
		var days int
		if _, err = fmt.Sscanf(n, "%d", &days); err == nil && fmt.Sprint(days) == n {
			d = time.Duration(days) * 24 * time.Hour
		} else {
			err = errors.New("bad days")
		}
	} else {
		d, err = time.ParseDuration(v)
	}
	if err != nil || d <= 0 {
		bad(name, "%q must be a positive duration like 90d or 720h", v)
		return def
	}
	return d
}

// sameListener: two host:port values that would bind the same socket
// (equal ports with equal hosts, or either host a wildcard).
func sameListener(a, b string) bool {
	ha, pa, err1 := net.SplitHostPort(a)
	hb, pb, err2 := net.SplitHostPort(b)
	if err1 != nil || err2 != nil || pa != pb {
		return false
	}
	wild := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || wild(ha) || wild(hb)
}

// portalOptions are the use cases' side of the variables.
func (p PortalEnv) portalOptions() commands.PortalOptions {
	return commands.PortalOptions{URL: p.URL, TTL: p.LinkTTL, KeyGrace: p.KeyGrace}
}
