package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadEnvPortal(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		errs []string // each must appear in the error
		ok   func(PortalEnv) bool
	}{
		{"off", map[string]string{}, nil, func(p PortalEnv) bool { return p.URL == "" && p.Addr == "" }},
		{"on with defaults", map[string]string{"PUBLIC_URL": "https://support.vendor.com/"}, nil, func(p PortalEnv) bool {
			return p.URL == "https://support.vendor.com" && p.Addr == "127.0.0.1:8081" && p.LinkTTL == 90*24*time.Hour && p.KeyGrace == 30*24*time.Hour
		}},
		{"durations and proxies", map[string]string{"PUBLIC_URL": "https://s.v.com", "PUBLIC_ADDR": "0.0.0.0:9000",
			"PUBLIC_LINK_TTL": "30d", "PUBLIC_KEY_GRACE": "48h", "PUBLIC_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5"}, nil, func(p PortalEnv) bool {
			return p.LinkTTL == 30*24*time.Hour && p.KeyGrace == 48*time.Hour && len(p.TrustedProxies) == 2 && p.TrustedProxies[1].Bits() == 32
		}},
		{"same as HTTP_ADDR", map[string]string{"PUBLIC_URL": "https://s.v.com", "PUBLIC_ADDR": "127.0.0.1:8080"}, []string{"PUBLIC_ADDR", "must differ from HTTP_ADDR"}, nil},
		{"wildcard on HTTP_ADDR's port", map[string]string{"PUBLIC_URL": "https://s.v.com", "PUBLIC_ADDR": ":8080"}, []string{"must differ from HTTP_ADDR"}, nil},
		{"bad url", map[string]string{"PUBLIC_URL": "support.vendor.com"}, []string{"PUBLIC_URL"}, nil},
		{"addr without url", map[string]string{"PUBLIC_ADDR": "127.0.0.1:9000"}, []string{"PUBLIC_URL: is required"}, nil},
		{"bad addr", map[string]string{"PUBLIC_URL": "https://s.v.com", "PUBLIC_ADDR": "9000"}, []string{"PUBLIC_ADDR", "host:port"}, nil},
		{"bad ttl and proxy", map[string]string{"PUBLIC_URL": "https://s.v.com", "PUBLIC_LINK_TTL": "soon", "PUBLIC_TRUSTED_PROXIES": "proxy.lan"},
			[]string{"PUBLIC_LINK_TTL", "PUBLIC_TRUSTED_PROXIES"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := loadEnv(func(k string) string { return tt.env[k] })
			if len(tt.errs) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if !tt.ok(e.Portal) {
					t.Errorf("portal env %+v", e.Portal)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tt.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}
