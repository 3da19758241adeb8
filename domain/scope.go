package domain

// Scope is whose data a reader may see. Every read a customer can cause
// runs in their scope (Store.ViewAs), and storage adds it to each query,
// so no use case or renderer has to remember to filter: a ticket of
// another customer reads as not found, a link to it keeps only the fact
// that it exists (its key and title are not read), and their comments,
// time, customers and views are not listed.
//
// The zero Scope sees everything: agents and deskbot itself.
type Scope struct {
	// Customer limits reads to CustomerID's tickets and data. A customer
	// whose company is unknown (CustomerID zero) sees no ticket at all.
	Customer   bool
	CustomerID int64
	// UserID is the customer's own Slack ID: the saved views they may see
	// are theirs alone, never the views agents share.
	UserID string
	// Public reads each ticket as its own customer sees it, whoever that
	// is: a card posted in the customer's channel. Tickets of several
	// customers may be read at once; what links them to each other's
	// tickets, and internal notes, are left out.
	Public bool
}

// Scope is what the actor may read.
func (a Actor) Scope() Scope {
	if a.IsAgent() {
		return Scope{}
	}
	return Scope{Customer: true, CustomerID: a.CustomerID, UserID: a.UserID}
}

// PublicScope reads tickets as their customers see them (cards).
var PublicScope = Scope{Public: true}

// Sees tells whether a ticket of customerID is within the scope.
func (s Scope) Sees(customerID int64) bool {
	return !s.Customer || (s.CustomerID != 0 && s.CustomerID == customerID)
}
