//go:build !race

package email_test

import "time"

// refuseWithin is the bound on refusing a hostile mail.
const refuseWithin = time.Second
