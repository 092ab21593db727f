package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error is a failed call's gRPC status with its details decoded. Every error the SDK's stubs return for a status
// the server (or gRPC) gave is one, so errors.As finds it; AsError makes one from any status error. It keeps the
// status: status.Code, status.Convert and status.FromError see the original code, message and details, and
// Error() is the status error's usual text.
type Error struct {
	Code    codes.Code
	Message string
	// Reason, Domain and Metadata come from a google.rpc.ErrorInfo, when the answer carries one ("" and nil
	// otherwise: this server's answers carry none today; the code and the other details say what happened).
	Reason, Domain string
	Metadata       map[string]string
	// Violations are the fields at fault of a google.rpc.BadRequest (InvalidArgument: a contract rule or a domain
	// check on one field).
	Violations []FieldViolation
	// Quota are the violations of a google.rpc.QuotaFailure (ResourceExhausted: every stream slot of the plan held,
	// each named "device:<id>"). Waiting does not help with those: the user stops a device.
	Quota []QuotaViolation

	retryDelay    time.Duration
	hasRetryDelay bool
	st            *status.Status
}

// FieldViolation is one field at fault in a google.rpc.BadRequest.
type FieldViolation struct {
	Field       string // the field's path in the request, e.g. "email" or "content.title"
	Description string
	Reason      string // the rule's id, when the server names it (protovalidate's, e.g. "string.email")
}

// QuotaViolation is one entry of a google.rpc.QuotaFailure.
type QuotaViolation struct {
	Subject, Description string
}

func (e *Error) Error() string { return e.st.Err().Error() }

// GRPCStatus is the status the error was made from (status.FromError and status.Code use it).
func (e *Error) GRPCStatus() *status.Status { return e.st }

// RetryAfter is the wait a google.rpc.RetryInfo asks for before the call is sent again.
func (e *Error) RetryAfter() (time.Duration, bool) { return e.retryDelay, e.hasRetryDelay }

// Retryable reports whether the answer invites sending the call again (after RetryAfter, when set): Unavailable
// (the server or a store it needs is away), Aborted, or ResourceExhausted with a RetryInfo (busy, or an ingest
// quota: the server did nothing and says when to come back). ResourceExhausted without a RetryInfo (a QuotaFailure)
// is not: waiting does not free it. Whether the call is safe to repeat is another matter: see the retry table in
// the package documentation.
func (e *Error) Retryable() bool {
	switch e.Code {
	case codes.Unavailable, codes.Aborted:
		return true
	case codes.ResourceExhausted:
		return e.hasRetryDelay
	}
	return false
}

// AsError returns err as an *Error: the one in err's chain, or one made from err's gRPC status. ok is false when err
// is nil or carries no status (a context error from before the call, io.EOF, ...).
func AsError(err error) (*Error, bool) {
	if err == nil {
		return nil, false
	}
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	st, ok := status.FromError(err)
	if !ok || st.Code() == codes.OK {
		return nil, false
	}
	return fromStatus(st), true
}

// fromStatus decodes st's details.
func fromStatus(st *status.Status) *Error {
	e := &Error{Code: st.Code(), Message: st.Message(), st: st}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			e.Reason, e.Domain, e.Metadata = d.GetReason(), d.GetDomain(), d.GetMetadata()
		case *errdetails.RetryInfo:
			e.retryDelay, e.hasRetryDelay = max(0, d.GetRetryDelay().AsDuration()), true
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				e.Violations = append(e.Violations, FieldViolation{Field: v.GetField(), Description: v.GetDescription(), Reason: v.GetReason()})
			}
		case *errdetails.QuotaFailure:
			for _, v := range d.GetViolations() {
				e.Quota = append(e.Quota, QuotaViolation{Subject: v.GetSubject(), Description: v.GetDescription()})
			}
		}
	}
	return e
}

// wrapError turns a status error into an *Error and leaves anything else (nil, io.EOF) as it is.
func wrapError(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.OK {
		return fromStatus(st)
	}
	return err
}

// IsRetryable reports whether err is an answer that invites a retry (see Error.Retryable). It says nothing about
// whether the call is safe to repeat.
func IsRetryable(err error) bool {
	e, ok := AsError(err)
	return ok && e.Retryable()
}

// RetryAfter is the wait the server asked for in err's google.rpc.RetryInfo (ResourceExhausted when busy or over
// an ingest quota); ok is false when err carries none.
func RetryAfter(err error) (time.Duration, bool) {
	e, ok := AsError(err)
	if !ok {
		return 0, false
	}
	return e.RetryAfter()
}

// FieldViolations are the fields at fault in err's google.rpc.BadRequest (InvalidArgument), nil when there are none.
func FieldViolations(err error) []FieldViolation {
	if e, ok := AsError(err); ok {
		return e.Violations
	}
	return nil
}

// Reason is the reason of err's google.rpc.ErrorInfo, "" when it carries none.
func Reason(err error) string {
	if e, ok := AsError(err); ok {
		return e.Reason
	}
	return ""
}

// RetryPolicy says how Retry repeats a call.
type RetryPolicy struct {
	// Attempts is the most calls made, the first included (4 when 0).
	Attempts int
	// InitialBackoff is the wait after the first failure (250ms when 0), doubled after each up to MaxBackoff (5s
	// when 0), with jitter. A RetryInfo the server sends is waited instead.
	InitialBackoff, MaxBackoff time.Duration
	// AttemptTimeout bounds each attempt (none when 0); an attempt that runs out of it is retried while ctx lasts.
	AttemptTimeout time.Duration
}

// Retry calls call until it succeeds, fails with an error that is not retryable (IsRetryable), Attempts are used
// up, or ctx ends, and returns the last error. Between attempts it waits the server's RetryInfo delay, or else an
// exponential backoff with jitter.
//
// The SDK already retries the calls that are safe to repeat (see the package documentation); Retry is for calls
// the caller knows to be safe although the SDK cannot (a RegisterUser whose AlreadyExists the caller handles, an
// UpsertContent, a RateContent), and for a busy answer (ResourceExhausted with a RetryInfo longer than the client's
// WithRetryInfoWait).
func Retry(ctx context.Context, p RetryPolicy, call func(ctx context.Context) error) error {
	if p.Attempts <= 0 {
		p.Attempts = 4
	}
	bo := backoff{initial: p.InitialBackoff, max: p.MaxBackoff}
	if bo.initial <= 0 {
		bo.initial = 250 * time.Millisecond
	}
	if bo.max <= 0 {
		bo.max = 5 * time.Second
	}
	for attempt := 1; ; attempt++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if p.AttemptTimeout > 0 {
			actx, cancel = context.WithTimeout(ctx, p.AttemptTimeout)
		}
		err := call(actx)
		timedOut := err != nil && actx.Err() != nil && ctx.Err() == nil // this attempt's own deadline, not ctx's
		cancel()
		if err == nil || attempt >= p.Attempts || (!timedOut && !IsRetryable(err)) {
			return err
		}
		wait, ok := RetryAfter(err)
		if !ok {
			wait = bo.next()
		}
		if sleep(ctx, wait) != nil {
			return err
		}
	}
}

// backoff is an exponential backoff with "equal jitter": the n-th wait lies in [d/2, d) for d = initial·2ⁿ capped
// at max, so waits grow but callers that failed together do not come back together.
type backoff struct {
	initial, max time.Duration
	n            int
}

func (b *backoff) next() time.Duration {
	d := b.initial
	for i := 0; i < b.n && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	b.n++
	return d/2 + rand.N(d/2+1)
}

func (b *backoff) reset() { b.n = 0 }

// sleep waits d or until ctx ends (its error then).
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
