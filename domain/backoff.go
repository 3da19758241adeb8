package domain

import (
	"math/rand/v2"
	"time"
)

// Backoff is how long to wait before retrying an outbox message that
// failed attempts times: first, doubling per attempt up to limit, with
// equal jitter (a random half of it), so the messages of one outage do
// not all come back at once. Every transport's outbox delivery uses it.
func Backoff(attempts int, first, limit time.Duration) time.Duration {
	d := first
	for i := 0; i < attempts && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d/2 + rand.N(d/2+1)
}
