package slackemu

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

func newEmu(t *testing.T, opts Options) *Server {
	t.Helper()
	s := New(opts)
	t.Cleanup(s.Close)
	s.AddUser(User{ID: "U1", Name: "alice", RealName: "Alice", Email: "alice@example.com"})
	s.AddChannel(Channel{ID: "C1", Name: "helpdesk"})
	return s
}

func newClient(s *Server, opts ...slack.Option) *slack.Client {
	o := s.Options()
	opts = append([]slack.Option{slack.OptionAPIURL(s.APIURL()), slack.OptionAppLevelToken(o.AppToken)}, opts...)
	return slack.New(o.BotToken, opts...)
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// slackErr extracts the Slack error code from a slack-go error.
func slackErrCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// bot runs the real socketmode client against the emulator; handle is
// called for every event (hello, slash commands, interactions, events).
type bot struct {
	api    *slack.Client
	socket *socketmode.Client
	events chan socketmode.Event
}

func startBot(t *testing.T, s *Server, handle func(b *bot, ev socketmode.Event)) *bot {
	t.Helper()
	api := newClient(s)
	b := &bot{api: api, socket: socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0))),
		events: make(chan socketmode.Event, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = b.socket.RunContext(ctx); done <- struct{}{} }()
	go func() {
		defer func() { done <- struct{}{} }()
		for {
			select {
			case ev := <-b.socket.Events:
				if handle != nil {
					handle(b, ev)
				}
				select {
				case b.events <- ev:
				default:
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done; <-done })
	if err := s.WaitConnected(ctxT(t)); err != nil {
		t.Fatalf("bot never connected: %v", err)
	}
	return b
}

// ackAll acks every request; slash commands get a text reply.
func ackAll(b *bot, ev socketmode.Event) {
	if ev.Request == nil || ev.Request.EnvelopeID == "" {
		return
	}
	if cmd, ok := ev.Data.(slack.SlashCommand); ok {
		_ = b.socket.Ack(*ev.Request, map[string]any{"text": "got " + cmd.Text})
		return
	}
	_ = b.socket.Ack(*ev.Request)
}

func TestAuth(t *testing.T) {
	s := newEmu(t, Options{})
	ctx := ctxT(t)
	res, err := newClient(s).AuthTestContext(ctx)
	if err != nil || res.UserID != "UBOT" || res.TeamID != "T0EMU" || res.BotID != BotID {
		t.Fatalf("auth.test = %+v, %v", res, err)
	}
	bad := slack.New("xoxb-wrong", slack.OptionAPIURL(s.APIURL()))
	if _, err := bad.AuthTestContext(ctx); slackErrCode(err) != "invalid_auth" {
		t.Fatalf("wrong token: %v", err)
	}
	app := slack.New(s.Options().AppToken, slack.OptionAPIURL(s.APIURL()))
	if _, err := app.AuthTestContext(ctx); slackErrCode(err) != "not_allowed_token_type" {
		t.Fatalf("app token on bot method: %v", err)
	}
	noApp := slack.New(s.Options().BotToken, slack.OptionAPIURL(s.APIURL()), slack.OptionAppLevelToken(s.Options().BotToken))
	if _, _, err := noApp.StartSocketModeContext(ctx); slackErrCode(err) != "not_allowed_token_type" {
		t.Fatalf("bot token on apps.connections.open: %v", err)
	}
	// No token at all, and an unknown method, straight over HTTP.
	for path, want := range map[string]string{"auth.test": "not_authed", "foo.bar": "unknown_method"} {
		form := url.Values{}
		if path == "foo.bar" {
			form.Set("token", s.Options().BotToken)
		}
		resp, err := http.PostForm(s.APIURL()+path, form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"error":"`+want+`"`) {
			t.Errorf("%s: %d %s, want %s", path, resp.StatusCode, body, want)
		}
	}
}

func TestSocketModeSlashCommandAndReconnect(t *testing.T) {
	s := newEmu(t, Options{})
	b := startBot(t, s, ackAll)
	ctx := ctxT(t)

	sawHello := false
	for !sawHello {
		select {
		case ev := <-b.events:
			sawHello = ev.Type == socketmode.EventTypeHello
		case <-ctx.Done():
			t.Fatal("no hello")
		}
	}
	ack, err := s.SlashCommand(ctx, SlashCommand{Command: "/ticket", Text: "printer", UserID: "U1", ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "got printer") || ack.Latency <= 0 {
		t.Fatalf("ack = %s latency %v", ack.Payload, ack.Latency)
	}
	msgs := s.Messages("C1")
	if len(msgs) != 1 || !msgs[0].Ephemeral || msgs[0].User != "U1" || msgs[0].Text != "got printer" {
		t.Fatalf("ack message = %+v", msgs)
	}

	s.Disconnect("refresh_requested")
	if err := s.WaitConnections(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if got := len(s.Calls("apps.connections.open")); got != 2 {
		t.Fatalf("apps.connections.open called %d times", got)
	}
	s.DropConnection()
	if err := s.WaitConnections(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SlashCommand(ctx, SlashCommand{Command: "/ticket", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatalf("after reconnect: %v", err)
	}
	if s.Connections() != 3 {
		t.Fatalf("Connections() = %d", s.Connections())
	}
}

func TestUnackedEnvelope(t *testing.T) {
	s := newEmu(t, Options{AckTimeout: 200 * time.Millisecond})
	startBot(t, s, nil) // never acks
	_, err := s.Event(ctxT(t), MessageEvent("C1", "U1", "hello", ""), EventID("Ev1"))
	if !errors.Is(err, ErrNoAck) {
		t.Fatalf("err = %v", err)
	}
	un := s.Unacked()
	if len(un) != 1 || un[0].Type != "events_api" {
		t.Fatalf("Unacked() = %+v", un)
	}
}

func TestEventsAndThreads(t *testing.T) {
	s := newEmu(t, Options{})
	got := make(chan *slackevents.MessageEvent, 4)
	startBot(t, s, func(b *bot, ev socketmode.Event) {
		if e, ok := ev.Data.(slackevents.EventsAPIEvent); ok {
			if m, ok := e.InnerEvent.Data.(*slackevents.MessageEvent); ok {
				got <- m
			}
		}
		ackAll(b, ev)
	})
	ctx := ctxT(t)
	root := s.NextTS()
	ev := MessageEvent("C1", "U1", "my laptop is broken", "")
	ev["ts"] = root
	if _, err := s.Event(ctx, ev, RetryAttempt(1), RetryReason("timeout")); err != nil {
		t.Fatal(err)
	}
	if m := <-got; m.TimeStamp != root || m.Text != "my laptop is broken" || m.ChannelType != "channel" {
		t.Fatalf("bot saw %+v", m)
	}
	api := newClient(s)
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("on it", false), slack.MsgOptionTS(root)); err != nil {
		t.Fatal(err)
	}
	replies, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: root})
	if err != nil || len(replies) != 2 || replies[1].Text != "on it" || replies[0].ReplyCount != 1 {
		t.Fatalf("replies = %+v, %v", replies, err)
	}
	if _, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: "1.000001"}); slackErrCode(err) != "thread_not_found" {
		t.Fatalf("unknown thread: %v", err)
	}
}

func TestRateLimitAndFaults(t *testing.T) {
	s := newEmu(t, Options{})
	ctx := ctxT(t)
	s.RateLimit("chat.postMessage", 1, 300*time.Millisecond)
	_, _, err := newClient(s).PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("err = %v, want RateLimitedError(1s)", err)
	}

	s.RateLimit("chat.postMessage", 1, 300*time.Millisecond)
	cfg := slack.DefaultRetryConfig()
	cfg.MaxRetries, cfg.RetryAfterJitter = 2, 0
	retrying := newClient(s, slack.OptionRetryConfig(cfg))
	if _, _, err := retrying.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("retrying client: %v", err)
	}
	calls := s.Calls("chat.postMessage")
	if len(calls) != 3 || calls[1].Status != 429 || calls[2].Status != 200 || !calls[2].OK() {
		t.Fatalf("calls = %+v", calls)
	}

	s.FailNext("users.info", "fatal_error", 1)
	if _, err := newClient(s).GetUserInfoContext(ctx, "U1"); slackErrCode(err) != "fatal_error" {
		t.Fatalf("FailNext: %v", err)
	}
	if u, err := newClient(s).GetUserInfoContext(ctx, "U1"); err != nil || u.Name != "alice" {
		t.Fatalf("after fault: %+v %v", u, err)
	}
}

func sections(n int) []slack.Block {
	var bl []slack.Block
	for i := 0; i < n; i++ {
		bl = append(bl, slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "x", false, false), nil, nil))
	}
	return bl
}

func TestMessageLimits(t *testing.T) {
	// Many posts into one channel at once: the rate limits are not what
	// this test is about.
	s := newEmu(t, Options{Unthrottled: true})
	ctx := ctxT(t)
	api := newClient(s)
	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(sections(51)...))
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_blocks" || len(se.ResponseMetadata.Messages) == 0 ||
		!strings.Contains(se.ResponseMetadata.Messages[0], "must be less than 51 items") {
		t.Fatalf("51 blocks: %#v", err)
	}
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(sections(50)...), slack.MsgOptionText("fallback", false))
	if err != nil {
		t.Fatalf("50 blocks: %v", err)
	}
	cases := []struct {
		name string
		ch   string
		opts []slack.MsgOption
		want string
	}{
		{"too long", "C1", []slack.MsgOption{slack.MsgOptionText(strings.Repeat("a", 40001), false)}, "msg_too_long"},
		{"no text", "C1", nil, "no_text"},
		{"unknown channel", "C404", []slack.MsgOption{slack.MsgOptionText("x", false)}, "channel_not_found"},
		{"update unknown ts", "C1", []slack.MsgOption{slack.MsgOptionUpdate("1.000001"), slack.MsgOptionText("x", false)}, "message_not_found"},
	}
	for _, c := range cases {
		if _, _, _, err := api.SendMessageContext(ctx, c.ch, c.opts...); slackErrCode(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("edited", false)); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Message("C1", ts); !m.Edited || m.Text != "edited" || m.Blocks == nil {
		t.Fatalf("after update: %+v", m)
	}
	if _, _, err := api.DeleteMessageContext(ctx, "C1", ts); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Message("C1", ts); !m.Deleted {
		t.Fatal("not deleted")
	}
}

func TestViews(t *testing.T) {
	s := newEmu(t, Options{TriggerTTL: time.Minute})
	trigger := make(chan string, 1)
	sub := make(chan slack.InteractionCallback, 1)
	b := startBot(t, s, func(b *bot, ev socketmode.Event) {
		switch d := ev.Data.(type) {
		case slack.SlashCommand:
			trigger <- d.TriggerID
		case slack.InteractionCallback:
			sub <- d
		}
		ackAll(b, ev)
	})
	ctx := ctxT(t)
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: sections(101)}}
	if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home}); slackErrCode(err) != "invalid_arguments" {
		t.Fatalf("101 home blocks: %v", err)
	}
	home.Blocks.BlockSet = sections(100)
	if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home}); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.HomeView("U1"); !ok || v.Type != "home" {
		t.Fatalf("HomeView = %+v", v)
	}

	if _, err := s.SlashCommand(ctx, SlashCommand{Command: "/ticket", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatal(err)
	}
	tid := <-trigger
	modal := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "new_ticket",
		Title:  slack.NewTextBlockObject("plain_text", strings.Repeat("t", 25), false, false),
		Submit: slack.NewTextBlockObject("plain_text", "Create", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("title",
			slack.NewTextBlockObject("plain_text", "Title", false, false), nil,
			slack.NewPlainTextInputBlockElement(nil, "title_input"))}}}
	if _, err := b.api.OpenViewContext(ctx, tid, modal); slackErrCode(err) != "invalid_arguments" {
		t.Fatalf("25-char title: %v", err)
	}
	modal.Title.Text = "New ticket"
	if _, err := b.api.OpenViewContext(ctx, "1.2.bogus", modal); slackErrCode(err) != "invalid_trigger_id" {
		t.Fatalf("bogus trigger: %v", err)
	}
	resp, err := b.api.OpenViewContext(ctx, tid, modal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.api.OpenViewContext(ctx, tid, modal); slackErrCode(err) != "exchanged_trigger_id" {
		t.Fatalf("reused trigger: %v", err)
	}
	open := s.Views()
	if len(open) != 1 || open[0].ID != resp.ID || open[0].CallbackID != "new_ticket" {
		t.Fatalf("Views() = %+v", open)
	}
	if _, err := s.Interactive(ctx, ViewSubmission("U1", open[0], map[string]map[string]any{"title": {"title_input": TextInput("Printer")}})); err != nil {
		t.Fatal(err)
	}
	cb := <-sub
	if cb.Type != slack.InteractionTypeViewSubmission || cb.View.State.Values["title"]["title_input"].Value != "Printer" || cb.User.Name != "alice" {
		t.Fatalf("callback = %+v", cb)
	}
	if len(s.Views()) != 0 {
		t.Fatal("modal should close after a plain ack")
	}
}

func TestBlockActionAndResponseURL(t *testing.T) {
	s := newEmu(t, Options{})
	got := make(chan slack.InteractionCallback, 1)
	b := startBot(t, s, func(b *bot, ev socketmode.Event) {
		if cb, ok := ev.Data.(slack.InteractionCallback); ok {
			got <- cb
		}
		ackAll(b, ev)
	})
	ctx := ctxT(t)
	btn := slack.NewButtonBlockElement("claim", "T-1", slack.NewTextBlockObject("plain_text", "Claim", false, false))
	_, ts, err := b.api.PostMessageContext(ctx, "C1", slack.MsgOptionText("ticket", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("acts", btn)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Interactive(ctx, BlockAction("U1", "C1", ts, "claim", "T-1")); err != nil {
		t.Fatal(err)
	}
	cb := <-got
	if len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].BlockID != "acts" ||
		cb.Message.Timestamp != ts || cb.ResponseURL == "" || cb.TriggerID == "" {
		t.Fatalf("callback = %+v", cb)
	}
	if _, _, err := b.api.PostMessageContext(ctx, "", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("claimed", false)); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Message("C1", ts); m.Text != "claimed" || !m.Edited {
		t.Fatalf("original = %+v", m)
	}
	if len(s.Calls("response_url")) != 1 {
		t.Fatal("response_url call not recorded")
	}

	// A slack.InteractionCallback works too; its zero fields get filled in.
	ic := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: "U1"},
		Channel:        slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: "C1"}}},
		Container:      slack.Container{Type: "message", MessageTs: ts, ChannelID: "C1"},
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: "claim", Value: "T-1"}}}}
	if _, err := s.Interactive(ctx, ic); err != nil {
		t.Fatal(err)
	}
	cb = <-got
	if cb.Channel.Name != "helpdesk" || cb.Message.Text != "claimed" || cb.TriggerID == "" ||
		len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].ActionID != "claim" {
		t.Fatalf("struct payload callback = %+v", cb)
	}
	// Ephemeral response through the response_url, then in_channel.
	if _, _, err := b.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("only you", false)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("everyone", false)); err != nil {
		t.Fatal(err)
	}
	msgs := s.Messages("C1")
	if n := len(msgs); n != 3 || !msgs[1].Ephemeral || msgs[1].User != "U1" || msgs[2].Ephemeral || msgs[2].Text != "everyone" {
		t.Fatalf("messages = %+v", msgs)
	}
}

func TestFileUploadV2(t *testing.T) {
	s := newEmu(t, Options{})
	ctx := ctxT(t)
	f, err := newClient(s).UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "log.txt", Title: "Log", Content: "hello file", FileSize: 10, Channel: "C1", InitialComment: "see log"})
	if err != nil {
		t.Fatal(err)
	}
	files := s.Files()
	if len(files) != 1 || files[0].ID != f.ID || string(files[0].Content) != "hello file" ||
		files[0].Channel != "C1" || files[0].Title != "Log" || !files[0].Completed {
		t.Fatalf("Files() = %+v", files)
	}
	msgs := s.Messages("C1")
	if len(msgs) != 1 || msgs[0].Text != "see log" || len(msgs[0].Files) != 1 {
		t.Fatalf("share message = %+v", msgs)
	}
}

func TestUsersAndConversations(t *testing.T) {
	s := newEmu(t, Options{})
	s.AddUser(User{ID: "UEXT", Name: "bob", TeamID: "T0OTHER", IsStranger: true})
	s.AddChannel(Channel{ID: "CPRIV", Name: "secret", IsPrivate: true, Members: []string{"U1"}})
	s.AddChannel(Channel{ID: "CPUB", Name: "public", Members: []string{"U1"}})
	s.AddUserGroup(UserGroup{ID: "S1", Handle: "it", Members: []string{"U1"}})
	ctx := ctxT(t)
	api := newClient(s)
	if u, err := api.GetUserInfoContext(ctx, "UEXT"); err != nil || !u.IsStranger || u.TeamID != "T0OTHER" {
		t.Fatalf("stranger = %+v %v", u, err)
	}
	if u, err := api.GetUserByEmailContext(ctx, "ALICE@example.com"); err != nil || u.ID != "U1" {
		t.Fatalf("lookupByEmail = %+v %v", u, err)
	}
	if _, err := api.GetUserByEmailContext(ctx, "nobody@example.com"); slackErrCode(err) != "users_not_found" {
		t.Fatal(err)
	}
	ch, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}})
	ch2, _, _, _ := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || !strings.HasPrefix(ch.ID, "D") || ch.ID != ch2.ID {
		t.Fatalf("DM = %+v %+v %v", ch, ch2, err)
	}
	if _, _, err := api.PostMessageContext(ctx, "CPRIV", slack.MsgOptionText("x", false)); slackErrCode(err) != "channel_not_found" {
		t.Fatalf("private not member: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "CPUB", slack.MsgOptionText("x", false)); slackErrCode(err) != "not_in_channel" {
		t.Fatalf("public not member: %v", err)
	}
	if _, _, _, err := api.JoinConversationContext(ctx, "CPUB"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "CPUB", slack.MsgOptionText("x", false)); err != nil {
		t.Fatalf("after join: %v", err)
	}
	if m, err := api.GetUserGroupMembersContext(ctx, "S1"); err != nil || len(m) != 1 {
		t.Fatalf("usergroup = %v %v", m, err)
	}
	if info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "CPUB"}); err != nil || info.Name != "public" {
		t.Fatalf("info = %+v %v", info, err)
	}
	if link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: "CPUB", Ts: s.Messages("CPUB")[0].TS}); err != nil || !strings.Contains(link, "/archives/CPUB/p") {
		t.Fatalf("permalink = %q %v", link, err)
	}
}

// TestGarbageInput sends malformed bodies to every method: the emulator
// must answer JSON and never crash.
func TestGarbageInput(t *testing.T) {
	s := newEmu(t, Options{})
	bodies := []string{"", "{", "[]", `{"view":5,"blocks":"[{\"type\":7}]"}`, `{"view":{"type":"modal","blocks":[null,{"type":"section","fields":3}]}}`}
	for name := range methods {
		for _, body := range bodies {
			req, _ := http.NewRequest("POST", s.APIURL()+name, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+s.Options().BotToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s %q: %v", name, body, err)
			}
			var out map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Errorf("%s %q: not JSON: %v", name, body, err)
			}
			resp.Body.Close()
		}
	}
}

func TestMessageMetadata(t *testing.T) {
	s := newEmu(t, Options{})
	ctx := ctxT(t)
	api := newClient(s)
	meta := slack.SlackMetadata{EventType: "deskbot_outbox", EventPayload: map[string]any{"outbox_id": "42"}}
	_, root, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("card", false), slack.MsgOptionMetadata(meta))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("reply", false), slack.MsgOptionTS(root), slack.MsgOptionMetadata(meta)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("bad", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventPayload: map[string]any{"a": 1}})); slackErrCode(err) != "invalid_metadata_format" {
		t.Fatalf("metadata without event_type: %v", err)
	}

	plain, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil || len(plain.Messages) != 1 || plain.Messages[0].Metadata.EventType != "" {
		t.Fatalf("history without include_all_metadata = %+v, %v", plain, err)
	}
	h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", IncludeAllMetadata: true})
	if err != nil || len(h.Messages) != 1 {
		t.Fatalf("history = %+v, %v", h, err)
	}
	if got := h.Messages[0].Metadata; got.EventType != "deskbot_outbox" || got.EventPayload["outbox_id"] != "42" {
		t.Fatalf("history metadata = %+v", got)
	}
	replies, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: root, IncludeAllMetadata: true})
	if err != nil || len(replies) != 2 || replies[1].Metadata.EventPayload["outbox_id"] != "42" {
		t.Fatalf("replies = %+v, %v", replies, err)
	}
}
