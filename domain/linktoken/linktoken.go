// Package linktoken signs and checks the customers' ticket links: a token
// names a ticket and the address it was mailed to, when it was issued and
// which key signed it, under an HMAC-SHA256 of that key. It is pure: the
// keys, the clock and the ticket's addresses come from the caller.
package linktoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// Claims are what a token says.
type Claims struct {
	KeyID    int64
	TicketID int64
	Issued   time.Time // whole seconds
	// AddressHash is the first bytes of SHA-256 of the lower-cased
	// address: the address itself stays out of URLs and logs.
	AddressHash [addrLen]byte
}

const (
	version = 1
	addrLen = 8
	macLen  = 16
	maxLen  = 200 // far above any real token; refuses junk before decoding
)

var strict = base64.RawURLEncoding.Strict()

// Errors a token is refused with. ErrExpired is told apart: the customer
// may ask for a fresh link, whereas a forged one deserves no hint.
var (
	ErrInvalid = errors.New("linktoken: invalid")
	ErrExpired = errors.New("linktoken: expired")
)

// HashAddress is the hash a token carries for an address.
func HashAddress(addr string) [addrLen]byte {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(addr))))
	var h [addrLen]byte
	copy(h[:], sum[:addrLen])
	return h
}

// Sign makes the token for a ticket and address, signed by key keyID.
func Sign(secret []byte, keyID, ticketID int64, addr string, issued time.Time) string {
	c := Claims{KeyID: keyID, TicketID: ticketID, Issued: issued.Truncate(time.Second), AddressHash: HashAddress(addr)}
	p := c.payload()
	return base64.RawURLEncoding.EncodeToString(append(p, mac(secret, p)...))
}

func (c Claims) payload() []byte {
	b := []byte{version}
	b = binary.AppendUvarint(b, uint64(c.KeyID))
	b = binary.AppendUvarint(b, uint64(c.TicketID))
	b = binary.AppendUvarint(b, uint64(c.Issued.Unix()))
	return append(b, c.AddressHash[:]...)
}

func mac(secret, payload []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// Parse reads a token's claims without checking its signature: the
// caller needs KeyID to find the key, then calls Verify.
func Parse(token string) (Claims, error) {
	var c Claims
	if len(token) > maxLen {
		return c, ErrInvalid
	}
	// Strict: the last character's unused bits must be zero, so one token
	// has one spelling and a changed character never verifies.
	raw, err := strict.DecodeString(token)
	if err != nil || len(raw) < 1+3+addrLen+macLen || raw[0] != version {
		return c, ErrInvalid
	}
	p := raw[1 : len(raw)-macLen]
	var vals [3]uint64
	for i := range vals {
		v, n := binary.Uvarint(p)
		if n <= 0 || v > 1<<62 {
			return c, ErrInvalid
		}
		vals[i], p = v, p[n:]
	}
	if len(p) != addrLen {
		return c, ErrInvalid
	}
	c.KeyID, c.TicketID, c.Issued = int64(vals[0]), int64(vals[1]), time.Unix(int64(vals[2]), 0).UTC()
	copy(c.AddressHash[:], p)
	return c, nil
}

// Verify checks a token's signature under secret, then that it was
// issued no later than now (plus a minute of clock skew) and is younger
// than ttl.
func Verify(token string, secret []byte, now time.Time, ttl time.Duration) (Claims, error) {
	c, err := Parse(token)
	if err != nil {
		return c, err
	}
	raw, _ := strict.DecodeString(token)
	if !hmac.Equal(raw[len(raw)-macLen:], mac(secret, c.payload())) {
		return c, ErrInvalid
	}
	if c.Issued.After(now.Add(time.Minute)) {
		return c, ErrInvalid
	}
	if ttl > 0 && !now.Before(c.Issued.Add(ttl)) {
		return c, ErrExpired
	}
	return c, nil
}

// Matches tells whether the token was issued for addr.
func (c Claims) Matches(addr string) bool {
	h := HashAddress(addr)
	return hmac.Equal(h[:], c.AddressHash[:])
}
