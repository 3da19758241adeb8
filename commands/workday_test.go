package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
)

// A timer started at 17:00 in Paris reminds its owner at 18:00 Paris, the
// end of their day, before the 2h threshold; started at 19:00 it waits
// the 2h.
func TestWorkdayEndReminder(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		paris := agent
		paris.TimeZone = "Europe/Paris"
		tk := e.ticket(t, commands.TicketInput{})
		e.clock.Set(time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)) // 17:00 in Paris
		if _, err := e.svc.StartTimer(ctx, paris, tk.Key()); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(59 * time.Minute)
		if n, _ := e.svc.RemindForgottenTimers(ctx); n != 0 {
			t.Fatalf("reminded at 17:59: %d", n)
		}
		e.clock.Advance(time.Minute)
		if n, err := e.svc.RemindForgottenTimers(ctx); n != 1 || err != nil {
			t.Fatalf("at 18:00 Paris: %d %v", n, err)
		}
		if _, _, err := e.svc.StopTimer(ctx, paris); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)) // 19:00 in Paris
		if _, err := e.svc.StartTimer(ctx, paris, tk.Key()); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(119 * time.Minute)
		if n, _ := e.svc.RemindForgottenTimers(ctx); n != 0 {
			t.Fatalf("an evening timer reminded before 2h: %d", n)
		}
		e.clock.Advance(time.Minute)
		if n, _ := e.svc.RemindForgottenTimers(ctx); n != 1 {
			t.Fatalf("an evening timer not reminded after 2h: %d", n)
		}
	})
}
