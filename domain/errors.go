package domain

import (
	"errors"
	"fmt"
)

// Error codes let transports decide how to answer (an ephemeral hint, a
// modal error, an SMTP reply) without knowing which layer failed.
const (
	EINVALID   = "invalid"
	ENOTFOUND  = "not_found"
	ECONFLICT  = "conflict"
	EFORBIDDEN = "forbidden"
	EINTERNAL  = "internal"
)

// Error is an application error: its Message is safe to show to a user.
type Error struct {
	Code    string
	Message string
	// Field names the input at fault, so a modal can show the message
	// next to it. Empty when the error is not about one field.
	Field string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an application error with a code and a user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrInputSeen fails a transaction that recorded an input (Tx.RecordInput)
// already recorded: a redelivery.
var ErrInputSeen = Errorf(ECONFLICT, "This request was already handled.")

// FieldErrorf returns an invalid-input error about one named field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, EINTERNAL for anything else.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns what a user may see: the message of an application
// error, or "internal error" for anything else, whose detail belongs in the
// log and not in front of a customer.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field an invalid-input error is about, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
