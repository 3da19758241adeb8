package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/textclean"
)

// Problem is an RFC 9457 problem document. Detail is the message a
// person would read in Slack for the same error; Field names the input
// at fault when one is.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Field  string `json:"field,omitempty"`
}

// problem writes a problem document.
func problem(w http.ResponseWriter, status int, detail, field string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Field: field})
}

// statusOf maps a domain error code to its HTTP status.
var statusOf = map[string]int{
	domain.EINVALID:   http.StatusUnprocessableEntity,
	domain.ENOTFOUND:  http.StatusNotFound,
	domain.ECONFLICT:  http.StatusConflict,
	domain.EFORBIDDEN: http.StatusForbidden,
	domain.EINTERNAL:  http.StatusInternalServerError,
}

// fail answers an error from the use cases: its user-facing message only,
// the rest (an internal error's detail) goes to the log.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	if code == domain.EINTERNAL {
		s.log.Error("api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	problem(w, status, domain.ErrorMessage(err), domain.ErrorField(err))
}

// reply writes v as JSON.
func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// maxBody bounds what a request body may be: the longest comment (40,000
// characters) in JSON, with room.
const maxBody = 256 << 10

// decode reads a JSON body into v, refusing unknown fields, trailing data
// and oversized bodies with a problem; it reports whether v is usable.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		problem(w, http.StatusBadRequest, "The body is not the JSON this endpoint takes: "+jsonError(err), "")
		return false
	}
	if dec.More() {
		problem(w, http.StatusBadRequest, "The body holds more than one JSON value.", "")
		return false
	}
	// Every string from outside is cleaned at the edge, as bot/ does.
	textclean.Strings(v, textclean.Visible)
	return true
}

// jsonError words a decoding error without echoing the input back.
func jsonError(err error) string {
	var te *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &te):
		return "field " + te.Field + " must be a " + te.Type.String() + "."
	case errors.As(err, &mbe):
		return "it is larger than 256 KiB."
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120]
	}
	return msg + "."
}
