package bot

import (
	"context"
	"fmt"

	"github.com/deskbot/deskbot/commands"
)

// noticeText words a notice the use cases queued. User text is escaped here.
func (b *Bot) noticeText(ctx context.Context, job commands.PostJob) (string, error) {
	var key, title string
	if job.TicketID != 0 {
		t, err := b.svc.TicketByID(ctx, job.TicketID)
		if err != nil {
			return "", err
		}
		key, title = t.Key(), escCut(t.Title, 300)
	}
	switch job.Notice {
	case commands.NoticeAssigned:
		return fmt.Sprintf("%s assigned you *%s*: %s", userRef(job.By), key, title), nil
	}
	return "", fmt.Errorf("unknown notice %q", job.Notice)
}
