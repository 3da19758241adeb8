package main

import (
	"fmt"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

const keysUsage = `Usage: deskbot keys SUBCOMMAND

The keys that sign the links to the customers' ticket pages
(PUBLIC_URL/t/…), kept in the database (DATABASE_URL).

Subcommands:
  deskbot keys rotate          make a new signing key; links signed by the old
                               one keep working for PUBLIC_KEY_GRACE (30 days)
  deskbot keys revoke TICKET   stop every link to one ticket mailed so far
`

func keysCommands() []subcommand {
	return []subcommand{
		{"rotate", "", "make a new link signing key (old links work for PUBLIC_KEY_GRACE)", keysRotate},
		{"revoke", "TICKET", "stop the links to one ticket's page mailed so far", keysRevoke},
	}
}

func keysCmd(c *cli, args []string) error {
	return dispatch(c, "deskbot keys", keysCommands(), keysUsage, args, "")
}

// keysService opens the database for a keys subcommand.
func keysService(c *cli) (*commands.Service, func(), error) {
	env, err := c.env()
	if err != nil {
		return nil, nil, err
	}
	db, _, err := openDB(c.ctx, env, newLogger(env, c.stderr))
	if err != nil {
		return nil, nil, err
	}
	svc := commands.New(db, domain.DefaultConfig(), commands.Options{Logger: newLogger(env, c.stderr), Portal: env.Portal.portalOptions()})
	return svc, func() { db.Close() }, nil
}

func keysRotate(c *cli, args []string) error {
	fs := newFlags("keys rotate", "Usage: deskbot keys rotate\n\nRetires the key signing the customers' ticket links and makes a new one.\nLinks signed by the old key keep working for PUBLIC_KEY_GRACE.\n")
	if err := fs.parse(c, args, 0); err != nil {
		return err
	}
	svc, done, err := keysService(c)
	if err != nil {
		return err
	}
	defer done()
	k, err := svc.RotateLinkKey(c.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "New link signing key %d; older keys are retired and verify until their grace period ends.\n", k.ID)
	return nil
}

func keysRevoke(c *cli, args []string) error {
	fs := newFlags("keys revoke", "Usage: deskbot keys revoke TICKET\n\nStops every link to the ticket's page mailed so far (ACME-42); the\nnext mail about it carries a fresh link.\n")
	if err := fs.parse(c, args, 1); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{fmt.Errorf("keys revoke: name the ticket, like ACME-42"), fs.usage()}
	}
	svc, done, err := keysService(c)
	if err != nil {
		return err
	}
	defer done()
	t, err := svc.RevokeLinks(c.ctx, domain.SystemActor("cli"), fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Links to %s mailed so far no longer open it.\n", t.Key())
	return nil
}
