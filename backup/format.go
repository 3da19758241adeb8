package backup

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Format names the file; FormatVersion is the layout of its lines. A
// reader refuses a version above its own: the rows of a newer layout
// would be misread. The schema version (the database's, in the header)
// is storage's business: it says which tables and columns rows carry.
const (
	Format        = "deskbot-export"
	FormatVersion = 1
)

// ConfigTable is the pseudo-table whose one row carries the config file
// the export was made with; it is not a database table.
const ConfigTable = "config"

// Header is the file's first line.
type Header struct {
	Format        string `json:"format"`
	FormatVersion int    `json:"format_version"`
	SchemaVersion int64  `json:"schema_version"` // the goose version of the exporting database
	ExportedAt    string `json:"exported_at"`    // RFC 3339, UTC: the moment the rows are consistent to
}

// Record is one row of one table.
type Record struct {
	Line  int // in the file, from 1 (the header)
	Table string
	Row   map[string]any // column → JSON value: string, json.Number, bool or nil
}

type line struct {
	Table string         `json:"table"`
	Row   map[string]any `json:"row"`
}

// Writer writes an export file.
type Writer struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

// NewWriter writes the header and returns a writer for the rows.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	// Bodies stay readable: <, > and & are not escaped.
	enc.SetEscapeHTML(false)
	h.Format, h.FormatVersion = Format, FormatVersion
	if err := enc.Encode(h); err != nil {
		return nil, err
	}
	return &Writer{bw: bw, enc: enc}, nil
}

// Row writes one row; encoding/json orders its columns by name, so the
// same row is the same line whatever database it came from.
func (w *Writer) Row(table string, row map[string]any) error {
	return w.enc.Encode(line{Table: table, Row: row})
}

// Flush writes what is buffered.
func (w *Writer) Flush() error { return w.bw.Flush() }

// LineError is a line of the file that cannot be read or loaded.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ErrNewerFormat: the file was written by a newer deskbot.
var ErrNewerFormat = errors.New("newer export format")

// Reader reads an export file line by line.
type Reader struct {
	br     *bufio.Reader
	line   int
	Header Header
}

// NewReader reads and checks the header.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{br: bufio.NewReaderSize(r, 1<<16)}
	b, err := rd.next()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: a deskbot export starts with its header line")
	}
	if err != nil {
		return nil, err
	}
	var h Header
	if err := json.Unmarshal(b, &h); err != nil || h.Format != Format {
		return nil, &LineError{1, fmt.Errorf("not a deskbot export: the first line must be its header, {\"format\":%q,…}", Format)}
	}
	switch {
	case h.FormatVersion > FormatVersion:
		return nil, &LineError{1, fmt.Errorf("%w: the file is format %d, this deskbot reads up to %d; import it with a newer deskbot",
			ErrNewerFormat, h.FormatVersion, FormatVersion)}
	case h.FormatVersion < 1:
		return nil, &LineError{1, fmt.Errorf("format_version %d is not a version", h.FormatVersion)}
	case h.SchemaVersion < 1:
		return nil, &LineError{1, fmt.Errorf("schema_version %d is not a version", h.SchemaVersion)}
	}
	rd.Header = h
	return rd, nil
}

// next returns the next non-empty line without its newline.
func (r *Reader) next() ([]byte, error) {
	for {
		b, err := r.br.ReadBytes('\n')
		if len(b) == 0 && err != nil {
			return nil, err
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		r.line++
		if b = bytes.TrimSpace(b); len(b) > 0 {
			return b, nil
		}
	}
}

// Next returns the next row, or io.EOF after the last.
func (r *Reader) Next() (Record, error) {
	b, err := r.next()
	if err != nil {
		return Record{}, err
	}
	rec, err := parseLine(b)
	if err != nil {
		return Record{}, &LineError{r.line, err}
	}
	rec.Line = r.line
	return rec, nil
}

func parseLine(b []byte) (Record, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var l line
	if err := dec.Decode(&l); err != nil {
		return Record{}, fmt.Errorf("not a row: %v", err)
	}
	if dec.More() {
		return Record{}, errors.New("not a row: more than one JSON value on the line")
	}
	if l.Table == "" || l.Row == nil {
		return Record{}, errors.New(`not a row: a row line is {"table":NAME,"row":{COLUMN:VALUE,…}}`)
	}
	if !validColumn(l.Table) {
		return Record{}, fmt.Errorf("%q is not a table name", l.Table)
	}
	for col, v := range l.Row {
		if !validColumn(col) {
			return Record{}, fmt.Errorf("table %s: %q is not a column name", l.Table, col)
		}
		switch v.(type) {
		case nil, string, bool, json.Number:
		default:
			return Record{}, fmt.Errorf("table %s, column %s: a value is a string, number, boolean or null, not %T", l.Table, col, v)
		}
	}
	return Record{Table: l.Table, Row: l.Row}, nil
}

func validColumn(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
