// Package backup is deskbot's export file: JSON Lines, a header line and
// then one line per table row, each value typed by its column (format.go,
// values.go). It also maps other helpdesks' exports — Zammad, FreeScout,
// a generic CSV — onto customers and tickets (foreign*.go). It is pure:
// storage reads and writes the rows, the command line opens the files.
package backup
