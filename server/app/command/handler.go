// Package command implements the platform's commands, one file each. A command validates what the contract cannot
// express, runs its changes and its domain event in one transaction of the CommandStore, and returns domain types.
// Authorization of the caller happens in the transport before a command runs; commands check ownership of the
// objects a request refers to.
package command

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Handler carries the dependencies of every command.
type Handler struct {
	Store      streaming.CommandStore
	Sessions   streaming.SessionStore
	Payments   streaming.PaymentProcessor
	Passwords  password.Params
	SessionTTL time.Duration
	Now        func() time.Time
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// event builds an outbox event whose payload is v as JSON.
func (h *Handler) event(aggregate, id string, version int64, typ string, v any) (streaming.Event, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return streaming.Event{}, err
	}
	return streaming.Event{AggregateType: aggregate, AggregateID: id, Version: version, Type: typ,
		Payload: payload, OccurredAt: h.now().UTC()}, nil
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
