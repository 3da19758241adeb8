package bot

import (
	"sync"

	"github.com/deskbot/deskbot/commands"
)

// cardsAhead holds the cards read ahead for outbox messages about to be
// delivered (readCardsAhead), by outbox message ID. A card read ahead is
// as new as its message's change, but it may predate the card's first
// post when another message of the same ticket was in flight: a ticket's
// posts bump its generation, and a view read under an older generation
// is not used (routing it as a post would post the card twice).
type cardsAhead struct {
	mu    sync.Mutex
	views map[int64]aheadView // outbox message ID →
	gen   map[int64]uint64    // ticket ID → card posts recorded so far
}

type aheadView struct {
	view *commands.CardView
	gen  uint64
}

// generation is read before the cards are, so a post recorded meanwhile
// makes what is read stale rather than trusted.
func (c *cardsAhead) generation(ticketID int64) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen[ticketID]
}

func (c *cardsAhead) store(outboxID int64, v *commands.CardView, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.views == nil {
		c.views = map[int64]aheadView{}
	}
	c.views[outboxID] = aheadView{v, gen}
}

// load returns the card read ahead for the message, if it is still good.
func (c *cardsAhead) load(outboxID int64) (*commands.CardView, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.views[outboxID]
	if !ok {
		return nil, false
	}
	if a.gen != c.gen[a.view.Ticket.ID] {
		delete(c.views, outboxID)
		return nil, false
	}
	return a.view, true
}

func (c *cardsAhead) take(outboxID int64) (*commands.CardView, bool) {
	v, ok := c.load(outboxID)
	c.forget(outboxID)
	return v, ok
}

func (c *cardsAhead) forget(outboxID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.views, outboxID)
}

// posted records that a ticket's card ts was recorded.
func (c *cardsAhead) posted(ticketID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == nil {
		c.gen = map[int64]uint64{}
	}
	c.gen[ticketID]++
}
