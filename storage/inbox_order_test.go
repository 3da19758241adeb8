package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// An input waits only for the same person's unfinished earlier inputs on
// its topic; the key is stored with the input and taken back with it.
func TestEarlierInput(t *testing.T) {
	clock := storagetest.NewClock(t0)
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		in := []*domain.InboxInput{
			{DedupKey: "e:1", Kind: "interactive", Payload: `{}`, Person: "U1", Topic: "timer"},
			{DedupKey: "e:2", Kind: "interactive", Payload: `{}`, Person: "U1", Topic: "ticket:ACME-1"},
			{DedupKey: "e:3", Kind: "slash_commands", Payload: `{}`, Person: "U1"},
			{DedupKey: "e:4", Kind: "interactive", Payload: `{}`, Person: "U2", Topic: "timer"},
			{DedupKey: "e:5", Kind: "interactive", Payload: `{}`, Person: "U1", Topic: "timer"},
		}
		if _, err := db.StoreInputs(ctx, "p1", time.Second, in); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			x      *domain.InboxInput
			except []int64
			want   bool
		}{
			{"the person's later timer click", in[4], nil, true},
			{"finished here, its mark not written", in[4], []int64{in[0].ID}, false},
			{"the first on its topic", in[0], nil, false},
			{"another topic of the person", in[1], nil, false},
			{"another person's timer", in[3], nil, false},
		}
		for _, c := range cases {
			got, err := db.EarlierInput(ctx, c.x.ID, c.x.Person, c.x.Topic, c.except)
			if err != nil || got != c.want {
				t.Errorf("%s: EarlierInput = %v, %v; want %v", c.name, got, err, c.want)
			}
		}
		if err := db.InputsDone(ctx, []int64{in[0].ID}); err != nil {
			t.Fatal(err)
		}
		if got, err := db.EarlierInput(ctx, in[4].ID, "U1", "timer", nil); err != nil || got {
			t.Errorf("after the earlier one is done: %v, %v", got, err)
		}
		clock.Advance(2 * time.Second) // p1 died: its leases run out
		got, err := db.ClaimInputs(ctx, "p2", 10, time.Minute)
		if err != nil || len(got) != 4 || got[0].Person != "U1" || got[0].Topic != "ticket:ACME-1" || got[1].Topic != "" {
			t.Fatalf("ClaimInputs = %+v, %v", got, err)
		}
	}, storage.WithClock(clock.Now))
}
