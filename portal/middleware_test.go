package portal

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestForwardedHeadersOnlyFromTrustedProxies(t *testing.T) {
	s := &Server{proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	tests := []struct {
		name, remote, xff, proto string
		ip                       string
		https                    bool
	}{
		{"direct", "203.0.113.9:5000", "", "", "203.0.113.9", false},
		{"direct, forged headers", "203.0.113.9:5000", "198.51.100.1", "https", "203.0.113.9", false},
		{"through the proxy", "10.1.2.3:443", "198.51.100.1", "https", "198.51.100.1", true},
		{"client forged a hop before the proxy", "10.1.2.3:443", "1.2.3.4, 198.51.100.1", "http", "198.51.100.1", false},
		{"two proxies", "10.1.2.3:443", "198.51.100.1, 10.9.9.9", "https", "198.51.100.1", true},
		{"garbage", "10.1.2.3:443", "not-an-ip", "", "10.1.2.3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/t/x", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if got := s.clientIP(r); got != tt.ip {
				t.Errorf("clientIP %s, want %s", got, tt.ip)
			}
			if got := s.https(r); got != tt.https {
				t.Errorf("https %v, want %v", got, tt.https)
			}
		})
	}
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/t/AQEBs6nF2AaKHwn6":               "/t/AQEBs6…",
		"/t/AQEBs6nF2AaKHwn6/files/3/a.pdf": "/t/AQEBs6…/files/3/a.pdf",
		"/static/portal.css":                "/static/portal.css",
	} {
		if got := redactPath(in); got != want {
			t.Errorf("redactPath(%q) = %q", in, got)
		}
	}
}
