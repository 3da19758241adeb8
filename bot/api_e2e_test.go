package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
)

var secretRe = regexp.MustCompile("dsk_[A-Za-z0-9_-]{43}")

// TestAPITokens: an admin makes, lists and revokes REST API tokens in
// Slack; the secret is shown once, ephemerally, and works until revoked.
func TestAPITokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		w.slash(t, customerID, acmeChan, "/desk", "api token create nope write")
		w.waitReply(t, "Only deskbot admins")
		w.slash(t, agentID, triageChan, "/desk", "api token create ci write")
		reply := string(w.waitReply(t, "API token *ci* (write, every customer)").Body)
		secret := secretRe.FindString(reply)
		if secret == "" || !strings.Contains(reply, `"response_type":"ephemeral"`) {
			t.Fatalf("reply: %s", reply)
		}
		if tok, err := w.svc.Authenticate(ctx, secret); err != nil || tok.Name != "ci" || !tok.CanWrite() {
			t.Fatalf("the shown token does not work: %+v %v", tok, err)
		}
		w.slash(t, agentID, triageChan, "/desk", "api token create acme-portal --customer acme")
		w.waitReply(t, "API token *acme-portal* (read, customer ACME only)")
		w.slash(t, agentID, triageChan, "/desk", "api token create ci read")
		w.waitReply(t, "There is already a token named ci")
		w.slash(t, agentID, triageChan, "/desk", "api token create x write --customer nowhere")
		w.waitReply(t, "There is no customer NOWHERE")
		w.slash(t, agentID, triageChan, "/desk", "api token list")
		list := string(w.waitReply(t, "*API tokens*").Body)
		if !strings.Contains(list, "*acme-portal*") || !strings.Contains(list, "*ci*") || strings.Contains(list, secret) {
			t.Errorf("list: %s", list)
		}
		w.slash(t, agentID, triageChan, "/desk", "api token revoke ci")
		w.waitReply(t, "API token *ci* revoked")
		if _, err := w.svc.Authenticate(ctx, secret); err != commands.ErrBadToken {
			t.Errorf("a revoked token still works: %v", err)
		}
		w.slash(t, agentID, triageChan, "/desk", "api token revoke ci")
		w.waitReply(t, "There is no token named ci.")
	})
}
