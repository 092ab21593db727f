package streaming

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for callers. The transport maps each code to one gRPC status code.
type Code string

const (
	CodeInvalid          Code = "invalid"           // bad input; Field names the culprit
	CodeNotFound         Code = "not_found"         // the object does not exist (or the caller may not know it does)
	CodeConflict         Code = "conflict"          // already exists, or an idempotency key reused for another request
	CodePrecondition     Code = "precondition"      // state does not allow it: plan unavailable, already subscribed, payment declined
	CodeUnauthenticated  Code = "unauthenticated"   // no or bad credentials
	CodePermissionDenied Code = "permission_denied" // authenticated, but not allowed
	CodeUnavailable      Code = "unavailable"       // a store is down; retry later
	CodeBusy             Code = "busy"              // overloaded; retry after RetryAfter
	CodeQuotaExceeded    Code = "quota_exceeded"    // a limit of the caller's is used up (every stream slot leased); Quota names what holds it
	CodeInternal         Code = "internal"          // a bug or an unexpected failure; never shown in detail
)

// Error is the domain's error: a code, a message safe to show to the caller, and the field at fault for invalid
// input. The wrapped cause is for logs only.
type Error struct {
	Code       Code
	Message    string
	Field      string
	RetryAfter time.Duration
	// Quota names what holds a used-up limit (CodeQuotaExceeded): the devices holding every stream slot.
	Quota []QuotaViolation
	Err   error
}

// QuotaViolation is one holder of a used-up limit, shown to the caller.
type QuotaViolation struct {
	Subject     string
	Description string
}

func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		msg = string(e.Code) + ": " + e.Field + ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid is an invalid-argument error about one field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Unavailable wraps a store failure: the caller sees the store's name, logs see the cause.
func Unavailable(store string, cause error) *Error {
	return &Error{Code: CodeUnavailable, Message: store + " is unavailable, retry later", Err: cause}
}

// ErrorCode is the code of err's first *Error, CodeInternal for any other error, "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// AsError returns err's first *Error, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
