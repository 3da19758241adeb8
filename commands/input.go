package commands

import (
	"context"

	"github.com/deskbot/deskbot/domain"
)

// inputKey is the context key of the input a use case runs for.
type inputKey struct{}

// WithInput names the input (its inbox dedup key) a use case runs for: a
// use case that is not idempotent by itself (a timer's Start or Stop)
// records it in its transaction, and an input worked again — retaken
// after its replica died before marking it done, or retried after an
// error that came after the commit — changes nothing the second time.
func WithInput(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, inputKey{}, key)
}

// errWorkedBefore answers an input worked again.
var errWorkedBefore = domain.Errorf(domain.EINVALID, "That was done already: nothing changed.")

// firstWork records, in tx, that the input ctx names did what's kind of
// work: it fails with errWorkedBefore when it had. No input named: no
// record.
func firstWork(ctx context.Context, tx domain.Tx, what string) error {
	key, _ := ctx.Value(inputKey{}).(string)
	if key == "" {
		return nil
	}
	first, err := tx.MarkProcessed(ctx, "input:"+what, key)
	if err != nil {
		return err
	}
	if !first {
		return errWorkedBefore
	}
	return nil
}
