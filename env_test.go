package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/email/emailtest"
	"github.com/deskbot/deskbot/storage"
)

// certPair is a fresh self-signed certificate (DER), its key, and a
// client config that trusts it.
type certPair struct {
	cert   []byte
	key    *ecdsa.PrivateKey
	client *tls.Config
}

func newCertPair(t *testing.T) certPair {
	t.Helper()
	server, client := emailtest.TLS(t)
	c := server.Certificates[0]
	return certPair{cert: c.Certificate[0], key: c.PrivateKey.(*ecdsa.PrivateKey), client: client}
}

func (p certPair) certPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.cert})
}

// keyPEM is PKCS #8, what most tools write now.
func (p certPair) keyPEM(t *testing.T) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(p.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// ecKeyPEM is SEC 1, what openssl ecparam writes.
func (p certPair) ecKeyPEM(t *testing.T) []byte {
	der, err := x509.MarshalECPrivateKey(p.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadEnvSMTPTLS(t *testing.T) {
	dir := t.TempDir()
	pair, other := newCertPair(t), newCertPair(t)
	cert := writeFile(t, filepath.Join(dir, "cert.pem"), pair.certPEM())
	key := writeFile(t, filepath.Join(dir, "key.pem"), pair.keyPEM(t))
	both := writeFile(t, filepath.Join(dir, "both.pem"), append(pair.ecKeyPEM(t), pair.certPEM()...))
	otherKey := writeFile(t, filepath.Join(dir, "other-key.pem"), other.ecKeyPEM(t))
	notPEM := writeFile(t, filepath.Join(dir, "notes.txt"), []byte("ask Ana for the certificate\n"))
	badCert := writeFile(t, filepath.Join(dir, "bad-cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}))
	badKey := writeFile(t, filepath.Join(dir, "bad-key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")}))
	missing := filepath.Join(dir, "missing.pem")

	tests := []struct {
		name string
		env  map[string]string
		want []string // one problem each; none: accepted
	}{
		{"none", nil, nil},
		{"pair", map[string]string{"SMTP_TLS_CERT": cert, "SMTP_TLS_KEY": key}, nil},
		{"pair, TLS required", map[string]string{"SMTP_TLS_CERT": cert, "SMTP_TLS_KEY": key, "SMTP_REQUIRE_TLS": "true"}, nil},
		{"key and chain in one file", map[string]string{"SMTP_TLS_CERT": both, "SMTP_TLS_KEY": both}, nil},
		{"TLS not required", map[string]string{"SMTP_REQUIRE_TLS": "false"}, nil},
		{"certificate alone", map[string]string{"SMTP_TLS_CERT": cert},
			[]string{"SMTP_TLS_KEY: is required when SMTP_TLS_CERT is set"}},
		{"key alone", map[string]string{"SMTP_TLS_KEY": key},
			[]string{"SMTP_TLS_CERT: is required when SMTP_TLS_KEY is set"}},
		{"TLS required without a certificate", map[string]string{"SMTP_REQUIRE_TLS": "true"},
			[]string{"SMTP_REQUIRE_TLS: needs a certificate to offer STARTTLS with: set SMTP_TLS_CERT and SMTP_TLS_KEY"}},
		{"TLS required, not a boolean", map[string]string{"SMTP_TLS_CERT": cert, "SMTP_TLS_KEY": key, "SMTP_REQUIRE_TLS": "yes"},
			[]string{`SMTP_REQUIRE_TLS: "yes" must be true or false`}},
		{"missing certificate", map[string]string{"SMTP_TLS_CERT": missing, "SMTP_TLS_KEY": key},
			[]string{"SMTP_TLS_CERT: unable to read " + missing + ": no such file or directory"}},
		{"unreadable key", map[string]string{"SMTP_TLS_CERT": cert, "SMTP_TLS_KEY": dir},
			[]string{"SMTP_TLS_KEY: unable to read " + dir + ": is a directory"}},
		{"both unreadable", map[string]string{"SMTP_TLS_CERT": missing, "SMTP_TLS_KEY": missing},
			[]string{"SMTP_TLS_CERT: unable to read", "SMTP_TLS_KEY: unable to read"}},
		{"certificate not PEM", map[string]string{"SMTP_TLS_CERT": notPEM, "SMTP_TLS_KEY": key},
			[]string{"SMTP_TLS_CERT: " + notPEM + " holds no PEM certificate"}},
		{"certificate does not parse", map[string]string{"SMTP_TLS_CERT": badCert, "SMTP_TLS_KEY": key},
			[]string{"SMTP_TLS_CERT: " + badCert + ": certificate 1 does not parse"}},
		{"key not PEM", map[string]string{"SMTP_TLS_CERT": cert, "SMTP_TLS_KEY": notPEM},
			[]string{"SMTP_TLS_KEY: " + notPEM + " holds no PEM private key"}},
		{"key does not parse", map[string]string{"SMTP_TLS_CERT": cert, "SMTP_TLS_KEY": badKey},
			[]string{"SMTP_TLS_KEY: " + badKey + ": the private key does not parse"}},
		{"swapped", map[string]string{"SMTP_TLS_CERT": key, "SMTP_TLS_KEY": cert},
			[]string{"SMTP_TLS_CERT: " + key + " holds a private key but no certificate: are SMTP_TLS_CERT and SMTP_TLS_KEY swapped?",
				"SMTP_TLS_KEY: " + cert + " holds no PEM private key"}},
		{"key of another certificate", map[string]string{"SMTP_TLS_CERT": cert, "SMTP_TLS_KEY": otherKey},
			[]string{"SMTP_TLS_KEY: " + otherKey + " is not the private key of the certificate in " + cert + " (SMTP_TLS_CERT)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := loadEnv(envOf(tc.env))
			problems := unjoin(err)
			if len(problems) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(problems), len(tc.want), err)
			}
			for i, want := range tc.want {
				if !strings.HasPrefix(problems[i].Error(), want) {
					t.Errorf("problem %d:\n got %v\nwant %s…", i+1, problems[i], want)
				}
			}
			if tc.want != nil {
				return
			}
			if loaded := e.SMTPCert != nil; loaded != (tc.env["SMTP_TLS_CERT"] != "") {
				t.Errorf("certificate loaded: %v", loaded)
			} else if loaded && !bytes.Equal(e.SMTPCert.Leaf.Raw, pair.cert) {
				t.Error("loaded another certificate")
			}
			if e.SMTPRequireTLS != (tc.env["SMTP_REQUIRE_TLS"] == "true") {
				t.Errorf("SMTPRequireTLS %v", e.SMTPRequireTLS)
			}
		})
	}
}

func unjoin(err error) []error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		return joined.Unwrap()
	}
	if err != nil {
		return []error{err}
	}
	return nil
}

// TestStartMailRequiresTLS: the variables reach the listener serve starts.
func TestStartMailRequiresTLS(t *testing.T) {
	dir := t.TempDir()
	pair := newCertPair(t)
	vars := map[string]string{
		"SMTP_ADDR": freeAddr(t), "MAIL_FROM": "support@vendor.com", "SMTP_REQUIRE_TLS": "true",
		"SMTP_TLS_CERT": writeFile(t, filepath.Join(dir, "cert.pem"), pair.certPEM()),
		"SMTP_TLS_KEY":  writeFile(t, filepath.Join(dir, "key.pem"), pair.keyPEM(t)),
	}
	env, err := loadEnv(envOf(vars))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	db, err := storage.Open(context.Background(), "sqlite:"+filepath.Join(dir, "d.db"), storage.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: quiet, Mail: commands.MailOptions{Address: env.MailFrom}})
	m, err := startMail(env, db, svc, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer m.stop()

	c, err := gosmtp.Dial(env.SMTPAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var se *gosmtp.SMTPError
	if err := c.Mail("cy@acme.com", nil); !errors.As(err, &se) || se.Code != 530 {
		t.Errorf("MAIL in clear: %v, want 530", err)
	}

	tc, err := gosmtp.DialStartTLS(env.SMTPAddr, pair.client)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if err := tc.Mail("cy@acme.com", nil); err != nil {
		t.Errorf("MAIL after STARTTLS: %v", err)
	}
}

// freeAddr is a loopback address nothing listens on, for code that takes
// an address rather than a listener.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
