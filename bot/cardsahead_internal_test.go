package bot

import (
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// A card read ahead before its ticket's first post was recorded is not
// used: it would route the next change as a second post.
func TestCardsAheadStaleAfterAPost(t *testing.T) {
	var c cardsAhead
	view := &commands.CardView{Ticket: &domain.Ticket{ID: 7}}
	gen := c.generation(7)
	c.store(100, view, gen)
	c.store(101, view, gen)
	if v, ok := c.load(100); !ok || v != view {
		t.Fatal("a fresh card read ahead is used")
	}
	c.posted(7)
	if _, ok := c.load(101); ok {
		t.Error("a card read before the post was recorded is used after it")
	}
	c.store(102, view, c.generation(7))
	if _, ok := c.take(102); !ok {
		t.Error("a card read after the post is used")
	}
	if _, ok := c.load(102); ok {
		t.Error("take forgets the card")
	}
}
