package bot

import (
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
)

func TestEmailNoticeText(t *testing.T) {
	tests := []struct {
		name      string
		job       commands.PostJob
		want, not []string
	}{
		{"a customer's mail, escaped",
			commands.PostJob{Notice: commands.NoticeEmailIn, Args: map[string]string{"from": "Cy <cy@acme.com>", "subject": "<!here> help",
				"body": "line one <!channel>\nline two & more"}},
			[]string{"*Email* from Cy &lt;cy@acme.com&gt;", "_&lt;!here&gt; help_", ">line one &lt;!channel&gt;\n>line two &amp; more"},
			[]string{"<!channel>", "<!here>", "internal"}},
		{"an auto-reply",
			commands.PostJob{Notice: commands.NoticeEmailIn, Args: map[string]string{"from": "cy@acme.com", "kind": "auto-reply", "internal": "1", "body": "Away"}},
			[]string{"*Auto-reply* from cy@acme.com (internal note, not answered)", ">Away"}, nil},
		{"the first mail's oversized files",
			commands.PostJob{Notice: commands.NoticeEmailIn, Args: map[string]string{"first": "1", "skipped": "dump.bin (30.0 MB)\n<x>.iso (4.0 GB)"}},
			[]string{":paperclip: Over the attachment size limit", "• dump.bin (30.0 MB)", "• &lt;x&gt;.iso (4.0 GB)"}, []string{"Email"}},
		{"a reply out",
			commands.PostJob{Notice: commands.NoticeEmailOut, By: "UAGENT", Args: map[string]string{"to": "cy@acme.com", "body": "Fixed"}},
			[]string{"<@UAGENT> replied by email to cy@acme.com:\n>Fixed"}, nil},
		{"a failure",
			commands.PostJob{Notice: commands.NoticeEmailFailed, Args: map[string]string{"to": "cy@acme.com", "reason": "550 <no>"}},
			[]string{"could not be delivered: 550 &lt;no&gt;"}, nil},
	}
	for _, tc := range tests {
		got := emailNoticeText(tc.job)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: %q has %q", tc.name, got, n)
			}
		}
	}
}
