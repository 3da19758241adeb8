package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// connState is the Socket Mode connection's health, for /readyz: ready
// only while a connection is up, so an orchestrator stops routing to (or
// restarts) a replica that lost Slack.
type connState struct {
	mu        sync.Mutex
	connected bool
	lastErr   error
}

// Ready reports an error unless Socket Mode is connected.
func (b *Bot) Ready(context.Context) error {
	b.conn.mu.Lock()
	defer b.conn.mu.Unlock()
	switch {
	case b.conn.connected:
		return nil
	case b.conn.lastErr != nil:
		return fmt.Errorf("slack: socket mode not connected: %v", b.conn.lastErr)
	}
	return errors.New("slack: socket mode not connected yet")
}

func (c *connState) down(err error) {
	c.mu.Lock()
	c.connected, c.lastErr = false, err
	c.mu.Unlock()
}

// track follows the connection from the client's events. A connection
// error is logged at once; one that retrying cannot cure (the app token
// refused, a scope missing) ends Run with what to do, instead of the
// client retrying with backoff for ever.
func (c *connState) track(evt socketmode.Event, log *slog.Logger) error {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		c.mu.Lock()
		c.connected, c.lastErr = true, nil
		c.mu.Unlock()
	case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect:
		c.mu.Lock()
		c.connected = false
		c.mu.Unlock()
	case socketmode.EventTypeInvalidAuth:
		err := errors.New("invalid_auth")
		c.down(err)
		return explainAppToken(err)
	case socketmode.EventTypeConnectionError:
		var err error = errors.New("connection error")
		if ce, ok := evt.Data.(*slack.ConnectionErrorEvent); ok && ce.ErrorObj != nil {
			err = ce.ErrorObj
		}
		c.down(err)
		if fatalSlackErrors[errCode(err)] != "" {
			return explainAppToken(err)
		}
		log.Error("slack: socket mode connection failed, retrying", "err", err)
	}
	return nil
}

// explainAppToken says what to do when Slack refuses to open a Socket
// Mode connection: that call (apps.connections.open) uses the app token.
func explainAppToken(err error) error {
	switch code := errCode(err); code {
	case "invalid_auth", "not_authed", "token_revoked", "account_inactive":
		return fmt.Errorf("SLACK_APP_TOKEN: Slack refused the app-level token (%s): create one with the connections:write scope under Basic Information → App-Level Tokens of your Slack app", code)
	case "missing_scope":
		return fmt.Errorf("SLACK_APP_TOKEN: the app-level token lacks connections:write (%s): create a new one with that scope under Basic Information → App-Level Tokens", code)
	case "not_allowed_token_type":
		return fmt.Errorf("SLACK_APP_TOKEN: not an app-level token (%s): it starts with xapp-, from Basic Information → App-Level Tokens", code)
	}
	return explainFatal("socket mode", err)
}

// explainBotToken says what to do when Slack refuses the bot token.
func explainBotToken(err error) error {
	switch code := errCode(err); code {
	case "invalid_auth", "not_authed":
		return fmt.Errorf("SLACK_BOT_TOKEN: Slack refused the bot token (%s): copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions of your Slack app", code)
	case "token_revoked", "account_inactive":
		return fmt.Errorf("SLACK_BOT_TOKEN: the bot token is no longer valid (%s): reinstall the app to the workspace (OAuth & Permissions) and use the new token", code)
	case "not_allowed_token_type":
		return fmt.Errorf("SLACK_BOT_TOKEN: not a bot token (%s): use the Bot User OAuth Token, starting with xoxb-", code)
	}
	return explainFatal("auth.test", err)
}

// Identity is who the bot token is, and what it may do.
type Identity struct {
	Team, TeamID, BotUserID string
	// Scopes are the bot token's granted scopes, from the X-OAuth-Scopes
	// header Slack adds to Web API answers.
	Scopes []string
}

// CheckTokens asks Slack whether both tokens work, before anything else
// starts: auth.test with the bot token, then apps.connections.open with
// the app token (the URL it hands out is left unused). A refusal names
// its variable and what to do.
func CheckTokens(ctx context.Context, botToken, appToken, apiURL string) (*Identity, error) {
	rec := &scopeRecorder{next: webClient().Transport}
	opts := []slack.Option{slack.OptionAppLevelToken(appToken), slack.OptionHTTPClient(&http.Client{Transport: rec, Timeout: 30 * time.Second})}
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	api := slack.New(botToken, opts...)
	auth, err := api.AuthTestContext(ctx)
	if err != nil && slackErr(err) == "" {
		where := "https://slack.com/api/"
		if apiURL != "" {
			where = apiURL + " (SLACK_API_URL)"
		}
		return nil, fmt.Errorf("slack: cannot reach the Web API at %s: %w", where, err)
	}
	if err != nil {
		return nil, explainBotToken(err)
	}
	id := &Identity{Team: auth.Team, TeamID: auth.TeamID, BotUserID: auth.UserID, Scopes: rec.scopes()}
	if _, _, err := api.StartSocketModeContext(ctx); err != nil {
		return id, explainAppToken(err)
	}
	return id, nil
}

// scopeRecorder keeps the X-OAuth-Scopes header of auth.test's answer:
// slack-go does not expose response headers.
type scopeRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	raw  string
	seen bool
}

func (r *scopeRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil && strings.HasSuffix(req.URL.Path, "/auth.test") {
		r.mu.Lock()
		r.raw, r.seen = resp.Header.Get("X-OAuth-Scopes"), resp.Header.Get("X-OAuth-Scopes") != ""
		r.mu.Unlock()
	}
	return resp, err
}

// scopes is nil when Slack sent no header (an unknown grant), else the list.
func (r *scopeRecorder) scopes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.seen {
		return nil
	}
	var out []string
	for _, s := range strings.Split(r.raw, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// errCode is the Slack error code of err: slack-go returns some as typed
// responses and the Socket Mode client some as plain errors.
func errCode(err error) string {
	if c := slackErr(err); c != "" {
		return c
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// CheckMember tells whether the bot is in a channel, with what to do if
// not. It reads one message of the channel's history, which needs only
// the history scopes the bot has anyway: Slack answers not_in_channel to
// a bot outside a public channel, channel_not_found outside a private one.
func CheckMember(ctx context.Context, botToken, apiURL, channel string) error {
	opts := []slack.Option{slack.OptionHTTPClient(&http.Client{Transport: webClient().Transport, Timeout: 30 * time.Second})}
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	_, err := slack.New(botToken, opts...).GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: 1})
	switch code := errCode(err); code {
	case "":
		return nil
	case "not_in_channel":
		return errors.New("the bot is not a member: type /invite @deskbot in that channel")
	case "channel_not_found":
		return errors.New("no such channel, or a private one the bot is not in: check the ID (channel details → About) and /invite @deskbot there")
	case "missing_scope":
		return errors.New("cannot check: the bot lacks channels:history or groups:history (see the scopes above)")
	default:
		return fmt.Errorf("cannot check: %v", err)
	}
}
