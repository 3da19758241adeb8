package linktoken

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tok := Sign(secret, 3, 42, "Cy@Acme.com", t0)
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	flipped := append([]byte(nil), raw...)
	flipped[2] ^= 1 // the ticket id
	tampered := base64.RawURLEncoding.EncodeToString(flipped)

	tests := []struct {
		name   string
		token  string
		secret []byte
		now    time.Time
		want   error
	}{
		{"fresh", tok, secret, t0.Add(time.Hour), nil},
		{"last second", tok, secret, t0.Add(90*24*time.Hour - time.Second), nil},
		{"expired", tok, secret, t0.Add(90 * 24 * time.Hour), ErrExpired},
		{"other key", tok, []byte("another secret, as long as the first"), t0, ErrInvalid},
		{"tampered", tampered, secret, t0, ErrInvalid},
		{"truncated", tok[:len(tok)-2], secret, t0, ErrInvalid},
		{"last character respelled", respelled(tok), secret, t0, ErrInvalid},
		{"not base64", "<script>", secret, t0, ErrInvalid},
		{"empty", "", secret, t0, ErrInvalid},
		{"from the future", tok, secret, t0.Add(-time.Hour), ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Verify(tt.token, tt.secret, tt.now, 90*24*time.Hour)
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if tt.want == nil && (c.TicketID != 42 || c.KeyID != 3 || !c.Issued.Equal(t0) || !c.Matches("cy@acme.com ") || c.Matches("eve@acme.com")) {
				t.Errorf("claims %+v", c)
			}
		})
	}
}

// respelled flips an unused low bit of the last character: a lenient
// decoder reads the same bytes.
func respelled(tok string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, tok[len(tok)-1])
	return tok[:len(tok)-1] + string(alphabet[i^1])
}
