package bot

import "github.com/deskbot/deskbot/domain/textclean"

// cleanInput is the edge's one cleaning step (package textclean) over a
// whole decoded payload: every string in it, whichever a use case later
// reads, is free of NUL, other control characters and invalid UTF-8, and
// shows any bidirectional override as [U+202E]. Slack's JSON carries all
// of these (\u0000 included), and PostgreSQL refuses NUL.
func cleanInput[T any](v T) T {
	textclean.Strings(&v, textclean.Visible)
	return v
}
