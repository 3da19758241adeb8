package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/deskbot/deskbot/commands"
)

// reloadOnHangup rereads DESKBOT_CONFIG on SIGHUP, as daemons do, until ctx
// ends. A file with problems is refused (Reload logs them) and the config
// in force stays.
func reloadOnHangup(ctx context.Context, svc *commands.Service, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		reloadOn(ctx, hup, svc, log)
	}()
}

// reloadOn reloads the config each time sig fires.
func reloadOn(ctx context.Context, sig <-chan os.Signal, svc *commands.Service, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			if _, err := svc.Reload(""); err != nil {
				log.Warn("SIGHUP: config not reloaded", "err", err)
			}
		}
	}
}
