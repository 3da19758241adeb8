package storage

// The reader's scope in SQL: every read a customer can cause adds one of
// these to its WHERE, so what another customer owns is never read out of
// the database for them (domain.Scope).

// scoped is " AND col = ?" with the customer's customer for a scoped
// reader, "" for agents. col names a customer_id column.
func (tx *Tx) scoped(col string) (string, []any) {
	if !tx.scope.Customer {
		return "", nil
	}
	return " AND " + col + " = ?", []any{tx.scope.CustomerID}
}

// scopedTicket is scoped for rows that carry a ticket_id column: the
// ticket must be the customer's.
func (tx *Tx) scopedTicket(col string) (string, []any) {
	if !tx.scope.Customer {
		return "", nil
	}
	return " AND " + col + " IN (SELECT id FROM tickets WHERE customer_id = ?)", []any{tx.scope.CustomerID}
}
