package tracker

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// GitHubSignature is the X-Hub-Signature-256 of body: "sha256=" and the
// hex HMAC-SHA256 of the raw body keyed with the webhook's secret.
func GitHubSignature(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyGitHub checks an X-Hub-Signature-256 header in constant time. An
// empty secret verifies nothing.
func VerifyGitHub(secret string, body []byte, header string) bool {
	if secret == "" {
		return false
	}
	got, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	sum, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(sum, m.Sum(nil))
}

// VerifyGitLab checks an X-Gitlab-Token header (the secret itself, sent
// as is) in constant time. An empty secret verifies nothing.
func VerifyGitLab(secret, token string) bool {
	if secret == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(secret), []byte(token)) == 1
}
