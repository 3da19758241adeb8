package storage

import "testing"

func TestArgColumn(t *testing.T) {
	tests := []struct {
		q    string
		i    int
		want string
	}{
		{`INSERT INTO comments (ticket_id, author, body) VALUES (?, ?, ?)`, 2, "comments.body"},
		{`INSERT INTO tickets (customer_id, number, title) VALUES (?,?,?) RETURNING id`, 2, "tickets.title"},
		{`INSERT INTO t (a, b) VALUES (?, 'x,y'), (?, ?)`, 2, "t.b"},
		{`UPDATE tickets SET title=?, description=? WHERE id = ?`, 1, "tickets.description"},
		{`SELECT id FROM tickets WHERE customer_id = ? AND title LIKE ?`, 1, "tickets.title"},
		{`SELECT * FROM unnest(?::text[])`, 0, "unnest value 1"},
		{`UPDATE x SET a = ?`, 5, "x value 6"},
	}
	for _, tt := range tests {
		if got := argColumn(tt.q, tt.i); got != tt.want {
			t.Errorf("argColumn(%q, %d) = %q, want %q", tt.q, tt.i, got, tt.want)
		}
	}
}
