package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// HooksPrefix is where the trackers' webhooks are served on the public
// listener: /hooks/github and /hooks/gitlab.
const HooksPrefix = "/hooks"

// maxHookBody bounds a delivery (GitHub caps payloads at 25 MB; the
// events deskbot reads are far smaller).
const maxHookBody = 5 << 20

// HookOptions wires the webhook receiver.
type HookOptions struct {
	Service *commands.Service
	Getenv  func(string) string // reads the webhook secrets
	Logger  *slog.Logger
	Kick    func() // wakes the outbox after a delivery queued messages; may be nil
}

// Hooks receives the trackers' webhooks.
type Hooks struct{ o HookOptions }

// NewHooks returns the receiver.
func NewHooks(o HookOptions) *Hooks {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Hooks{o: o}
}

// Handler serves POST /hooks/github and POST /hooks/gitlab.
func (h *Hooks) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+HooksPrefix+"/github", func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, domain.TrackerGitHub) })
	mux.HandleFunc("POST "+HooksPrefix+"/gitlab", func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, domain.TrackerGitLab) })
	return mux
}

// delivery is one request's headers as the tracker kind names them.
type delivery struct {
	id, event string
	verified  func(secret string, body []byte) bool
}

func headersOf(kind string, r *http.Request) delivery {
	if kind == domain.TrackerGitHub {
		sig := r.Header.Get("X-Hub-Signature-256")
		return delivery{id: r.Header.Get("X-GitHub-Delivery"), event: r.Header.Get("X-GitHub-Event"),
			verified: func(secret string, body []byte) bool { return VerifyGitHub(secret, body, sig) }}
	}
	id := r.Header.Get("X-Gitlab-Event-UUID")
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		id = k // the same on GitLab's retries of one event, where the UUID may not be
	}
	token := r.Header.Get("X-Gitlab-Token")
	return delivery{id: id, event: r.Header.Get("X-Gitlab-Event"),
		verified: func(secret string, _ []byte) bool { return VerifyGitLab(secret, token) }}
}

func (h *Hooks) serve(w http.ResponseWriter, r *http.Request, kind string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHookBody))
	if err != nil {
		answer(w, http.StatusRequestEntityTooLarge, "the delivery is too large")
		return
	}
	d := headersOf(kind, r)
	repo := payloadRepo(kind, body)
	def := h.o.Service.Config().TrackerFor(kind, repo)
	if def == nil {
		h.o.Logger.Warn("tracker: webhook for a repository no tracker is configured for", "kind", kind, "repo", repo)
		answer(w, http.StatusNotFound, "no "+kind+" tracker is configured for this repository")
		return
	}
	secret := ""
	if def.WebhookSecretEnv != "" {
		secret = strings.TrimSpace(h.o.Getenv(def.WebhookSecretEnv))
	}
	if !d.verified(secret, body) {
		h.o.Logger.Warn("tracker: refused a webhook with a bad signature", "tracker", def.Name, "delivery", d.id, "remote", r.RemoteAddr)
		answer(w, http.StatusUnauthorized, "bad signature")
		return
	}
	if d.id == "" {
		answer(w, http.StatusBadRequest, "the delivery has no id")
		return
	}
	var ev *domain.TrackerEvent
	if kind == domain.TrackerGitHub {
		ev, err = GitHubEvent(def.Name, d.event, body)
	} else {
		ev, err = GitLabEvent(def.Name, d.event, body)
	}
	if err != nil {
		answer(w, http.StatusBadRequest, err.Error())
		return
	}
	n, err := h.o.Service.TrackerDelivery(context.WithoutCancel(r.Context()), kind+":"+def.Name, d.id, ev)
	switch {
	case errors.Is(err, commands.ErrReplayed):
		h.o.Logger.Warn("tracker: refused a replayed webhook", "tracker", def.Name, "delivery", d.id)
		answer(w, http.StatusConflict, "this delivery was already handled")
		return
	case err != nil:
		h.o.Logger.Error("tracker: unable to apply a webhook", "tracker", def.Name, "delivery", d.id, "err", err)
		answer(w, http.StatusInternalServerError, "internal error; the tracker may redeliver")
		return
	}
	if n > 0 && h.o.Kick != nil {
		h.o.Kick()
	}
	answer(w, http.StatusOK, "ok")
}

func answer(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
