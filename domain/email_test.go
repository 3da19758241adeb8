package domain_test

import (
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
)

func TestEmailConfig(t *testing.T) {
	c, err := domain.ParseOwnConfig("deskbot.yaml", []byte(validYAML+`email:
  agents: [Ana@Gmail.com]
  domains: ["@Help.Vendor.com"]
  attachment_limit: 5MB
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Email.Agents[0] != "ana@gmail.com" || c.Email.Domains[0] != "help.vendor.com" || c.Email.AttachmentLimitOrDefault() != 5<<20 {
		t.Errorf("email %+v", c.Email)
	}
	if c, _ := domain.ParseOwnConfig("x.yaml", []byte(validYAML)); c.Email.AttachmentLimitOrDefault() != domain.DefaultAttachmentLimit {
		t.Error("no email section: the default limit")
	}
	for _, tc := range []struct{ yaml, want string }{
		{"email:\n  agents: [ana]\n", `email.agents: "ana" is not an email address`},
		{"email:\n  domains: [vendor]\n", `email.domains: "vendor" is not a domain`},
		{"email:\n  attachment_limit: lots\n", `"lots" is not a size like 10MB`},
		{"email:\n  agent: [a@b.com]\n", `unknown key "agent"`},
	} {
		_, err := domain.ParseOwnConfig("x.yaml", []byte(validYAML+tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
