//go:build race

package email_test

import "time"

// refuseWithin is the bound on refusing a hostile mail (a second),
// stretched for the race detector, which slows the conversation's byte
// handling several times over on a busy machine.
const refuseWithin = 5 * time.Second
