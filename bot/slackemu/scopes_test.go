package slackemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// post calls a Web API method with the bot token and returns the answer's
// headers and body.
func post(t *testing.T, s *Server, method string, form url.Values) (http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.APIURL()+method, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+s.Options().BotToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.Header, body
}

func TestMissingScopeIsRefusedLikeSlack(t *testing.T) {
	s := newEmu(t, Options{Scopes: []string{"chat:write", "im:write"}})
	s.AddChannel(Channel{ID: "CPRIV", Name: "secret", IsPrivate: true})
	for _, c := range []struct {
		method string
		form   url.Values
		needed string // "" means allowed
	}{
		{"chat.postMessage", url.Values{"channel": {"C1"}, "text": {"hi"}}, ""},
		{"conversations.join", url.Values{"channel": {"C1"}}, "channels:join"},
		{"users.info", url.Values{"user": {"U1"}}, "users:read"},
		{"conversations.history", url.Values{"channel": {"C1"}}, "channels:history"},
		{"conversations.history", url.Values{"channel": {"CPRIV"}}, "groups:history"},
		{"conversations.open", url.Values{"users": {"U1"}}, ""},
		{"files.getUploadURLExternal", url.Values{"filename": {"a.csv"}, "length": {"3"}}, "files:write"},
	} {
		_, body := post(t, s, c.method, c.form)
		if c.needed == "" {
			if body["ok"] != true {
				t.Errorf("%s %v: %v", c.method, c.form, body)
			}
			continue
		}
		if body["ok"] != false || body["error"] != "missing_scope" || body["needed"] != c.needed || body["provided"] != "chat:write,im:write" {
			t.Errorf("%s %v: %v, want missing_scope needing %s", c.method, c.form, body, c.needed)
		}
	}
}

func TestAuthTestReportsGrantedScopes(t *testing.T) {
	s := newEmu(t, Options{Scopes: []string{"chat:write", "commands"}})
	h, body := post(t, s, "auth.test", nil)
	if body["ok"] != true || h.Get("X-OAuth-Scopes") != "chat:write,commands" {
		t.Errorf("auth.test: %v, X-OAuth-Scopes %q", body, h.Get("X-OAuth-Scopes"))
	}
	// Without Scopes every scope is granted: emulator tests stay short.
	s = newEmu(t, Options{})
	if _, body := post(t, s, "conversations.join", url.Values{"channel": {"C1"}}); body["ok"] != true {
		t.Errorf("join without Scopes: %v", body)
	}
}

func TestManifestScopes(t *testing.T) {
	got, err := ManifestScopes([]byte("oauth_config:\n  scopes:\n    bot:\n      - users:read  # who\n      - chat:write\n"))
	if err != nil || strings.Join(got, ",") != "chat:write,users:read" {
		t.Errorf("%v %v", got, err)
	}
	if _, err := ManifestScopes([]byte("display_information: {name: x}\n")); err == nil {
		t.Error("a manifest without bot scopes was accepted")
	}
}
