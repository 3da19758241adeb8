package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// HookTicket is the ticket as every delivery shows it.
type HookTicket struct {
	Key       string       `json:"key"`
	Title     string       `json:"title"`
	Type      string       `json:"type"`
	Status    string       `json:"status"`
	Priority  string       `json:"priority"`
	Assignee  string       `json:"assignee,omitempty"`
	Version   string       `json:"version,omitempty"`
	Customer  HookCustomer `json:"customer"`
	Requester string       `json:"requester,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
}

// HookCustomer names the ticket's customer.
type HookCustomer struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// HookBody is a delivery's JSON body (documented in the README).
type HookBody struct {
	ID        string         `json:"id"`
	Type      string         `json:"type"`
	CreatedAt time.Time      `json:"created_at"`
	Actor     string         `json:"actor,omitempty"`
	Ticket    HookTicket     `json:"ticket"`
	Data      map[string]any `json:"data"`
}

// NewHookTicket is the ticket part of a body.
func NewHookTicket(t *Ticket, c *Customer) HookTicket {
	h := HookTicket{Key: t.Key(), Title: t.Title, Type: t.Type, Status: t.Status, Priority: t.Priority,
		Assignee: t.AssigneeID, Version: t.Version, Requester: cmpOr(t.RequesterID, t.RequesterEmail), CreatedAt: t.CreatedAt.UTC()}
	if c != nil {
		h.Customer = HookCustomer{Key: c.Key, Name: c.Name}
	} else {
		h.Customer = HookCustomer{Key: t.CustomerKey}
	}
	return h
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Marshal encodes the body.
func (b *HookBody) Marshal() (string, error) {
	out, err := json.Marshal(b)
	if err != nil {
		return "", fmt.Errorf("webhook: unable to encode body: %w", err)
	}
	return string(out), nil
}

// Signature headers of a delivery (README, "Verifying deliveries").
const (
	HookSignatureHeader = "X-Deskbot-Signature"
	HookTimestampHeader = "X-Deskbot-Request-Timestamp"
	HookDeliveryHeader  = "X-Deskbot-Delivery"
	HookEventHeader     = "X-Deskbot-Event"
)

// SignWebhook is the X-Deskbot-Signature value of a body sent at ts
// (Unix seconds): v1= and the hex HMAC-SHA256 of "v1:<ts>:<body>".
func SignWebhook(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v1:%d:", ts)
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}
