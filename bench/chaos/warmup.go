package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
)

// warmUp has every agent run `/time help` rounds times, a round a second,
// and waits until each was answered: every replica then knows every agent
// (users.info is Tier 4, ~100 calls a minute for the whole app, so three
// cold replicas take ~20 s to learn 16 agents). The ledger measures the
// helpdesk in service, not its first minute after a cold start of every
// replica at once; a replica killed during the run still starts cold.
func warmUp(ctx context.Context, emu *slackemu.Server, agents []string, rounds int) error {
	if rounds == 0 {
		return nil
	}
	const help = "timers and timesheets"
	answered := func() int {
		n := 0
		for _, c := range emu.Calls("response_url") {
			if strings.Contains(string(c.Body), help) {
				n++
			}
		}
		return n
	}
	before := answered()
	for r := range rounds {
		for _, a := range agents {
			go func() {
				sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
				defer cancel()
				_, _ = emu.SlashCommand(sctx, slackemu.SlashCommand{Command: "/time", Text: "help", UserID: a, ChannelID: triageChan})
			}()
		}
		if r < rounds-1 {
			sleepCtx(ctx, time.Second)
		}
	}
	want := before + rounds*len(agents)
	deadline := time.Now().Add(90 * time.Second)
	for answered() < want {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("chaos: warm-up: %d of %d `/time help` answered in 90 s", answered()-before, want-before)
		}
		sleepCtx(ctx, 500*time.Millisecond)
	}
	return nil
}
