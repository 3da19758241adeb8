// Package tracker talks to the issue trackers engineering works in:
// GitHub's REST API over net/http with typed structs, GitLab's through
// its client library (gitlab.com/gitlab-org/api/client-go), and their
// webhooks (hooks.go). It is a transport: the use cases reach a tracker
// through commands.IssueTracker and never import this package.
package tracker

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Clients makes the client of a configured tracker, reading its token
// from the environment at each call (a config reload may name another
// variable). hc nil: a client with a 30 s timeout.
func Clients(getenv func(string) string, hc *http.Client) commands.TrackerClients {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return func(t *domain.TrackerDef) (commands.IssueTracker, error) {
		token := strings.TrimSpace(getenv(t.TokenEnv))
		if token == "" {
			return nil, domain.Errorf(domain.EINVALID, "The token of tracker %s is missing: set %s (trackers.%s.token_env).", t.Name, t.TokenEnv, t.Name)
		}
		switch t.Kind {
		case domain.TrackerGitHub:
			return &GitHub{Base: t.API(), Token: token, HTTP: hc}, nil
		case domain.TrackerGitLab:
			return NewGitLab(t.API(), token, hc)
		}
		return nil, fmt.Errorf("tracker %s: unknown kind %q", t.Name, t.Kind)
	}
}

// CheckEnv lists what the environment lacks for the configured trackers,
// each naming the config key and the variable: a start-up error.
func CheckEnv(cfg *domain.Config, getenv func(string) string) []error {
	var errs []error
	for _, name := range cfg.TrackerNames() {
		t := cfg.Trackers[name]
		if strings.TrimSpace(getenv(t.TokenEnv)) == "" {
			errs = append(errs, fmt.Errorf("%s: is empty, and trackers.%s.token_env names it as the %s API token", t.TokenEnv, name, t.Kind))
		}
		if t.WebhookSecretEnv != "" && strings.TrimSpace(getenv(t.WebhookSecretEnv)) == "" {
			errs = append(errs, fmt.Errorf("%s: is empty, and trackers.%s.webhook_secret_env names it as the webhook secret", t.WebhookSecretEnv, name))
		}
	}
	return errs
}
