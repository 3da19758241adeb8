package commands_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// lead is an agent lead in configs made by leadConfig.
var lead = domain.Actor{UserID: "ULEAD", Name: "Lea", Role: domain.RoleAgent, Channel: domain.ChannelSlack}

func leadConfig(edit func(c *domain.Config)) *domain.Config {
	c := domain.DefaultConfig()
	c.Slack.Leads = []string{lead.UserID}
	if edit != nil {
		edit(c)
	}
	return c
}

// notices returns the PostJobs queued with a notice.
func notices(t *testing.T, db *storage.DB, notice string) []commands.PostJob {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT payload FROM outbox WHERE kind = 'slack.post' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []commands.PostJob
	for rows.Next() {
		var payload string
		var job commands.PostJob
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(payload), &job); err != nil {
			t.Fatal(err)
		}
		if job.Notice == notice {
			out = append(out, job)
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func (e *env) log(t *testing.T, a domain.Actor, in commands.LogTimeInput) *domain.TimeEntry {
	t.Helper()
	ent, err := e.svc.LogTime(context.Background(), a, in)
	if err != nil {
		t.Fatalf("log %+v: %v", in, err)
	}
	return ent
}

func TestEditTime(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.SetConfig(leadConfig(nil))
		a, b := e.ticket(t, commands.TicketInput{}), e.ticket(t, commands.TicketInput{})
		paris, _ := time.LoadLocation("Europe/Paris")
		day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, paris) }
		// Nov 25 and 26 from 09:00 Paris (08:00 UTC).
		ent := e.log(t, agent, commands.LogTimeInput{Key: a.Key(), Duration: "1h30", Date: day(26), Location: paris, Note: "call"})
		other := e.log(t, agent, commands.LogTimeInput{Key: a.Key(), Duration: "1h", Date: day(25), Location: paris})

		got, err := e.svc.EditTime(ctx, agent, commands.EditTimeInput{EntryID: ent.ID, Duration: "2h", Note: ptr("call with Bob"), Billable: ptr(false), Location: paris})
		if err != nil || got.Seconds != 7200 || !got.StartedAt.Equal(ent.StartedAt) || got.Note != "call with Bob" || got.Billable {
			t.Fatalf("edit: %+v %v", got, err)
		}
		got, err = e.svc.EditTime(ctx, agent, commands.EditTimeInput{EntryID: ent.ID, Date: day(24), Key: b.Key(), Location: paris})
		if err != nil || got.TicketID != b.ID || !got.StartedAt.Equal(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)) || got.Seconds != 7200 {
			t.Fatalf("move: %+v %v", got, err)
		}
		// The history of both tickets tells the move, with the old values.
		es := e.events(t, a.Key())
		last := es[len(es)-1]
		if last.Kind != domain.EventTimeEdited || last.Field != "time_entry:1" ||
			last.OldValue != `2h on ACME-1 by UAGENT from 2026-11-26 08:00 UTC, not billable, note "call with Bob"` ||
			last.NewValue != `2h on ACME-2 by UAGENT from 2026-11-24 08:00 UTC, not billable, note "call with Bob"` {
			t.Errorf("event on the old ticket: %+v", last)
		}
		if es := e.events(t, b.Key()); es[len(es)-1].Kind != domain.EventTimeEdited {
			t.Errorf("no event on the new ticket: %+v", es[len(es)-1])
		}
		// Nothing changed: no event.
		n := len(e.events(t, b.Key()))
		if _, err := e.svc.EditTime(ctx, agent, commands.EditTimeInput{EntryID: ent.ID, Duration: "2h", Location: paris}); err != nil || len(e.events(t, b.Key())) != n {
			t.Errorf("a no-op edit wrote an event: %v", err)
		}

		for _, c := range []struct {
			name  string
			actor domain.Actor
			in    commands.EditTimeInput
			code  string
			field string
			msg   string
		}{
			{"zero", agent, commands.EditTimeInput{EntryID: ent.ID, Duration: "0:00"}, domain.EINVALID, "duration", "more than zero"},
			{"negative", agent, commands.EditTimeInput{EntryID: ent.ID, Duration: "-1h"}, domain.EINVALID, "duration", "is not a duration"},
			{"over a day", agent, commands.EditTimeInput{EntryID: ent.ID, Duration: "24h30"}, domain.EINVALID, "duration", "more than a day"},
			{"future day", agent, commands.EditTimeInput{EntryID: ent.ID, Date: day(29), Location: paris}, domain.EINVALID, "date", "is in the future"},
			{"overlap", agent, commands.EditTimeInput{EntryID: other.ID, Date: day(24), Location: paris}, domain.EINVALID, "duration", "overlaps other time"},
			{"someone else's", agent2, commands.EditTimeInput{EntryID: ent.ID, Duration: "1h"}, domain.EFORBIDDEN, "", "only edit your own time"},
			{"customer", outsider, commands.EditTimeInput{EntryID: ent.ID, Duration: "1h"}, domain.EFORBIDDEN, "", "Only support agents"},
			{"unknown", agent, commands.EditTimeInput{EntryID: 999, Duration: "1h"}, domain.ENOTFOUND, "", "does not exist"},
		} {
			_, err := e.svc.EditTime(ctx, c.actor, c.in)
			if domain.ErrorCode(err) != c.code || domain.ErrorField(err) != c.field || !contains(domain.ErrorMessage(err), c.msg) {
				t.Errorf("%s: got %v; want %s %q %q", c.name, err, c.code, c.field, c.msg)
			}
		}

		// Today's entry grows backwards: it cannot end in the future.
		today := e.log(t, agent, commands.LogTimeInput{Key: a.Key(), Duration: "30m"})
		got, err = e.svc.EditTime(ctx, agent, commands.EditTimeInput{EntryID: today.ID, Duration: "45m"})
		if err != nil || !got.EndedAt.Equal(t0) || !got.StartedAt.Equal(t0.Add(-45*time.Minute)) {
			t.Errorf("today's entry: %+v %v", got, err)
		}

		// A lead may fix anyone's time; the owner hears of it.
		if _, err := e.svc.EditTime(ctx, lead, commands.EditTimeInput{EntryID: other.ID, Duration: "50m"}); err != nil {
			t.Fatalf("lead edit: %v", err)
		}
		jobs := notices(t, e.db, commands.NoticeTimeChanged)
		if len(jobs) != 1 || jobs[0].User != agent.UserID || jobs[0].By != lead.UserID || jobs[0].Args["change"] != "edited" ||
			jobs[0].Args["old"] != "1h on ACME-1 by UAGENT from 2026-11-25 08:00 UTC" || jobs[0].Args["new"] != "50m on ACME-1 by UAGENT from 2026-11-25 08:00 UTC" {
			t.Errorf("notice to the owner: %+v", jobs)
		}

		// A running timer's time is fixed once it stops; its note may change now.
		e.clock.Advance(time.Hour)
		res, err := e.svc.StartTimer(ctx, agent, a.Key())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.EditTime(ctx, agent, commands.EditTimeInput{EntryID: res.Started.ID, Duration: "1h"}); !contains(domain.ErrorMessage(err), "still running") {
			t.Errorf("running duration: %v", err)
		}
		if got, err := e.svc.EditTime(ctx, agent, commands.EditTimeInput{EntryID: res.Started.ID, Note: ptr("deploy")}); err != nil || got.Note != "deploy" || !got.Running() {
			t.Errorf("running note: %+v %v", got, err)
		}
	})
}

func TestDeleteTime(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.SetConfig(leadConfig(nil))
		a := e.ticket(t, commands.TicketInput{})
		ent := e.log(t, agent, commands.LogTimeInput{Key: a.Key(), Duration: "1h", Note: "call"})
		if _, err := e.svc.DeleteTime(ctx, agent2, ent.ID); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("someone else's: %v", err)
		}
		del, err := e.svc.DeleteTime(ctx, agent, ent.ID)
		if err != nil || del.DeletedAt == nil || del.DeletedBy != agent.UserID {
			t.Fatalf("delete: %+v %v", del, err)
		}
		// The row is the audit trail; lists, cards and overlaps skip it.
		if es, _ := e.svc.TimeEntries(ctx, agent, domain.TimeFilter{TicketID: a.ID}); len(es) != 0 {
			t.Errorf("deleted entry listed: %+v", es)
		}
		if card, _ := e.svc.Card(ctx, a.ID); card.Logged != 0 {
			t.Errorf("card still counts %v", card.Logged)
		}
		e.log(t, agent, commands.LogTimeInput{Key: a.Key(), Duration: "1h"})
		es := e.events(t, a.Key())
		if ev := es[len(es)-2]; ev.Kind != domain.EventTimeDeleted || ev.OldValue != `1h on ACME-1 by UAGENT from 2026-11-27 13:00 UTC, note "call"` || ev.NewValue != "" {
			t.Errorf("deletion event: %+v", ev)
		}
		if _, err := e.svc.DeleteTime(ctx, agent, ent.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("delete twice: %v", err)
		}
		if _, err := e.svc.EditTime(ctx, agent, commands.EditTimeInput{EntryID: ent.ID, Duration: "2h"}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("edit a deleted entry: %v", err)
		}
		// A timer started by mistake: deleting it leaves room for the next.
		e.clock.Advance(time.Minute)
		res, err := e.svc.StartTimer(ctx, agent, a.Key())
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.svc.DeleteTime(ctx, lead, res.Started.ID); err != nil {
			t.Fatalf("delete running: %v", err)
		}
		if jobs := notices(t, e.db, commands.NoticeTimeChanged); len(jobs) != 1 || jobs[0].Args["change"] != "deleted" {
			t.Errorf("owner not told: %+v", jobs)
		}
		if run, _, _ := e.svc.RunningTimer(ctx, agent); run != nil {
			t.Errorf("deleted timer still running: %+v", run)
		}
		if _, err := e.svc.StartTimer(ctx, agent, a.Key()); err != nil {
			t.Errorf("start after deleting the running timer: %v", err)
		}
	})
}

func TestTimesheetAndToday(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.SetConfig(leadConfig(nil))
		a, b := e.ticket(t, commands.TicketInput{}), e.ticket(t, commands.TicketInput{})
		for range 8 {
			e.ticket(t, commands.TicketInput{}) // ACME-10 sorts after ACME-2
		}
		c := e.ticket(t, commands.TicketInput{})
		ny, _ := time.LoadLocation("America/New_York")
		day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, ny) }
		// The week of Monday Nov 23, in New York; t0 is Friday 27, 09:00 there.
		e.log(t, agent, commands.LogTimeInput{Key: a.Key(), Duration: "1h", Date: day(23), Location: ny})
		e.log(t, agent, commands.LogTimeInput{Key: c.Key(), Duration: "30m", Date: day(24), Location: ny, Billable: ptr(false)})
		e.log(t, agent, commands.LogTimeInput{Key: a.Key(), Duration: "2h", Date: day(25), Location: ny})
		e.log(t, agent, commands.LogTimeInput{Key: b.Key(), Duration: "15m", Location: ny})               // today, ends now (09:00)
		e.log(t, agent, commands.LogTimeInput{Key: a.Key(), Duration: "1h", Date: day(22), Location: ny}) // the Sunday before
		e.log(t, agent2, commands.LogTimeInput{Key: a.Key(), Duration: "1h", Date: day(23), Location: ny})
		e.clock.Advance(5 * time.Minute)
		if _, err := e.svc.StartTimer(ctx, agent, c.Key()); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(20 * time.Minute)

		ts, err := e.svc.Timesheet(ctx, agent, "", 0, ny)
		if err != nil {
			t.Fatal(err)
		}
		if !ts.Week.From.Equal(day(23)) || !ts.Week.To.Equal(day(30)) || ts.Total != 225*time.Minute || ts.Billable != 195*time.Minute {
			t.Errorf("week %v..%v total %v billable %v", ts.Week.From, ts.Week.To, ts.Total, ts.Billable)
		}
		h := time.Hour
		wantDays := [7]time.Duration{h, 30 * time.Minute, 2 * h, 0, 15 * time.Minute}
		if ts.DayTotals != wantDays {
			t.Errorf("day totals %v, want %v", ts.DayTotals, wantDays)
		}
		if len(ts.Rows) != 3 || ts.Rows[0].Key != "ACME-1" || ts.Rows[1].Key != "ACME-2" || ts.Rows[2].Key != "ACME-11" ||
			ts.Rows[0].Days != [7]time.Duration{h, 0, 2 * h} || ts.Rows[0].Total != 3*h || ts.Rows[2].Title != "Login fails" {
			t.Errorf("rows %+v", ts.Rows)
		}
		if len(ts.Entries) != 4 {
			t.Errorf("%d entries", len(ts.Entries))
		}
		if last, err := e.svc.Timesheet(ctx, agent, "", 1, ny); err != nil || !last.Week.From.Equal(day(16)) || last.Total != h {
			t.Errorf("last week: %+v %v", last, err)
		}
		if _, err := e.svc.Timesheet(ctx, agent2, agent.UserID, 0, ny); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("someone else's timesheet: %v", err)
		}
		if ts, err := e.svc.Timesheet(ctx, lead, agent2.UserID, 0, ny); err != nil || ts.Total != h {
			t.Errorf("lead sees anyone's: %+v %v", ts, err)
		}

		today, err := e.svc.Today(ctx, agent, ny)
		if err != nil {
			t.Fatal(err)
		}
		if !today.Date.Equal(day(27)) || len(today.Entries) != 1 || today.Entries[0].Key() != "ACME-2" || today.Logged != 15*time.Minute ||
			today.Running == nil || today.RunningTicket.Key() != "ACME-11" || today.Running.Duration(today.Now) != 20*time.Minute {
			t.Errorf("today %+v", today)
		}
		if today, err := e.svc.Today(ctx, agent2, ny); err != nil || today.Running != nil || len(today.Entries) != 0 {
			t.Errorf("agent2 today %+v %v", today, err)
		}
	})
}

// A timer lives in the database: a new process on the same file finds it
// running and stops it with the time that really passed.
func TestTimerAcrossRestart(t *testing.T) {
	ctx := context.Background()
	clock := storagetest.NewClock(t0)
	url := "sqlite:" + filepath.Join(t.TempDir(), "deskbot.db")
	open := func() (*commands.Service, *storage.DB) {
		db, err := storage.Open(ctx, url, storage.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return commands.New(db, domain.DefaultConfig(), commands.Options{}), db
	}
	svc, db := open()
	if _, err := svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "ACME"}); err != nil {
		t.Fatal(err)
	}
	tk, err := svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "ACME", Title: "t", Source: domain.SourceSlash})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.StartTimer(ctx, agent, tk.Key()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	clock.Advance(47 * time.Minute)
	svc, db = open()
	defer db.Close()
	run, rt, err := svc.RunningTimer(ctx, agent)
	if err != nil || run == nil || rt.Key() != "ACME-1" || !run.StartedAt.Equal(t0) || run.Duration(clock.Now()) != 47*time.Minute {
		t.Fatalf("after restart: %+v %v", run, err)
	}
	stopped, _, err := svc.StopTimer(ctx, agent)
	if err != nil || stopped.Seconds != 47*60 || !stopped.EndedAt.Equal(t0.Add(47*time.Minute)) {
		t.Fatalf("stop after restart: %+v %v", stopped, err)
	}
}
