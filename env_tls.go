package main

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
)

// badFunc records a problem with a variable.
type badFunc func(name, format string, args ...any)

// checkSMTPTLS loads the listener's certificate at start-up, so a wrong
// path or a key from another certificate is reported with the other
// problems rather than failing senders' handshakes later.
func (e *Env) checkSMTPTLS(requireTLS string, bad badFunc) {
	switch {
	case e.SMTPTLSCert != "" && e.SMTPTLSKey == "":
		bad("SMTP_TLS_KEY", "is required when SMTP_TLS_CERT is set (the path to the certificate's PEM private key)")
	case e.SMTPTLSCert == "" && e.SMTPTLSKey != "":
		bad("SMTP_TLS_CERT", "is required when SMTP_TLS_KEY is set (the path to the PEM certificate chain)")
	case e.SMTPTLSCert != "":
		e.SMTPCert = loadKeyPair(e.SMTPTLSCert, e.SMTPTLSKey, bad)
	}
	if requireTLS == "" {
		return
	}
	req, err := strconv.ParseBool(requireTLS)
	switch {
	case err != nil:
		bad("SMTP_REQUIRE_TLS", "%q must be true or false", requireTLS)
	case req && e.SMTPTLSCert == "" && e.SMTPTLSKey == "":
		bad("SMTP_REQUIRE_TLS", "needs a certificate to offer STARTTLS with: set SMTP_TLS_CERT and SMTP_TLS_KEY")
	}
	e.SMTPRequireTLS = req
}

// loadKeyPair is tls.LoadX509KeyPair with errors that say which file is
// at fault: the listener's operator has two variables to fix, not one.
func loadKeyPair(certFile, keyFile string, bad badFunc) *tls.Certificate {
	chain, leaf, certErr := readChain(certFile)
	if certErr != nil {
		bad("SMTP_TLS_CERT", "%v", certErr)
	}
	key, keyErr := readKey(keyFile)
	if keyErr != nil {
		bad("SMTP_TLS_KEY", "%v", keyErr)
	}
	if certErr != nil || keyErr != nil {
		return nil
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(leaf.PublicKey) {
		bad("SMTP_TLS_KEY", "%s is not the private key of the certificate in %s (SMTP_TLS_CERT)", keyFile, certFile)
		return nil
	}
	return &tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf}
}

// readChain returns the DER certificates of a PEM file, the server's
// own first, and that one parsed.
func readChain(path string) ([][]byte, *x509.Certificate, error) {
	blocks, err := readPEM(path)
	if err != nil {
		return nil, nil, err
	}
	var chain [][]byte
	for _, b := range blocks {
		if b.Type == "CERTIFICATE" {
			chain = append(chain, b.Bytes)
		}
	}
	if len(chain) == 0 {
		if slices.ContainsFunc(blocks, isKeyBlock) {
			return nil, nil, fmt.Errorf("%s holds a private key but no certificate: are SMTP_TLS_CERT and SMTP_TLS_KEY swapped?", path)
		}
		return nil, nil, fmt.Errorf("%s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path)
	}
	// Every one, not only the leaf: clients are sent the whole chain.
	var leaf *x509.Certificate
	for i, der := range chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: certificate %d does not parse: %v", path, i+1, err)
		}
		if i == 0 {
			leaf = c
		}
	}
	return chain, leaf, nil
}

// readKey returns the first private key of a PEM file, in any of the
// encodings tls.X509KeyPair takes.
func readKey(path string) (crypto.Signer, error) {
	blocks, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(blocks, isKeyBlock)
	if i < 0 {
		return nil, fmt.Errorf("%s holds no PEM private key (-----BEGIN PRIVATE KEY-----)", path)
	}
	if key := parseKey(blocks[i].Bytes); key != nil {
		return key, nil
	}
	return nil, fmt.Errorf("%s: the private key does not parse as an unencrypted RSA, ECDSA or Ed25519 key", path)
}

// parseKey tries PKCS #8, PKCS #1 and SEC 1, as tls.X509KeyPair does.
func parseKey(der []byte) crypto.Signer {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		s, _ := k.(crypto.Signer)
		return s
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k
	}
	return nil
}

func isKeyBlock(b *pem.Block) bool { return strings.HasSuffix(b.Type, "PRIVATE KEY") }

// readPEM returns a file's PEM blocks, text around them ignored.
func readPEM(path string) ([]*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		// The path is said once, by us.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("unable to read %s: %v", path, err)
	}
	var blocks []*pem.Block
	for b, rest := pem.Decode(data); b != nil; b, rest = pem.Decode(rest) {
		blocks = append(blocks, b)
	}
	return blocks, nil
}
