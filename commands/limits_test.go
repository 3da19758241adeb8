package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Text over a limit is refused with a message naming its length and the
// limit, on the field at fault.
func TestTextLimitsAreNamed(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{})
		_, err := e.svc.LogTime(ctx, agent, commands.LogTimeInput{Key: tk.Key(), Duration: "1h", Note: strings.Repeat("n", commands.MaxNote+1)})
		if domain.ErrorField(err) != "note" || !strings.Contains(domain.ErrorMessage(err), "the limit is 500") {
			t.Errorf("long note: %v", err)
		}
		_, err = e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: strings.Repeat("c", commands.MaxComment+1)})
		if domain.ErrorField(err) != "body" || !strings.Contains(domain.ErrorMessage(err), "the limit is 40000") {
			t.Errorf("long comment: %v", err)
		}
		if _, err := e.svc.Comment(ctx, agent, tk.Key(), commands.CommentInput{Body: strings.Repeat("c", commands.MaxComment)}); err != nil {
			t.Errorf("a comment at the limit: %v", err)
		}
	})
}
