// Package command implements the platform's commands, one file each. Each command is a handler of its own that
// holds only the ports it needs: its unit of work shows it only the repositories it touches (streaming.Narrow).
// A command validates what the contract cannot express, runs its changes and its domain event in one transaction,
// and returns domain types. Authorization of the caller happens in the transport before a command runs; commands
// check ownership of the objects a request refers to.
package command

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Passwords hashes and checks passwords. The implementation (password.Pool) bounds how many of these memory-hard
// computations run at once and answers CodeBusy with a retry hint past the bound.
type Passwords interface {
	Hash(ctx context.Context, pw string) (string, error)
	Verify(ctx context.Context, pw, encoded string) (bool, error)
	// Dummy is a hash of the same cost as Hash's for a password nobody has, checked for unknown accounts.
	Dummy() string
}

// Deps are the ports every command is built from; New hands each command only its part.
type Deps struct {
	Store      streaming.CommandStore
	Ratings    streaming.RatingRecorder // the store's one-step rating
	Sessions   streaming.SessionStore
	Payments   streaming.PaymentProcessor
	Passwords  Passwords
	SessionTTL time.Duration
	Now        func() time.Time

	// LoginAttempts throttles logins per account and per client address (nil: none).
	LoginAttempts                     streaming.RateLimiter
	LoginsPerAccount, LoginsPerClient streaming.Limit

	// FingerprintKey keys the HMAC of idempotency request fingerprints (configuration; secret).
	FingerprintKey []byte

	// Erasures reads an erasure's progress after DeleteUser.
	Erasures streaming.ErasureQueue
}

// Handler runs every command, each through the handler of its use case. It is what the transport calls.
type Handler struct {
	registerUser           RegisterUserHandler
	login                  LoginHandler
	logout                 LogoutHandler
	createPlan             CreatePlanHandler
	updatePlan             UpdatePlanHandler
	createSubscription     CreateSubscriptionHandler
	cancelSubscription     CancelSubscriptionHandler
	changeSubscriptionPlan ChangeSubscriptionPlanHandler
	updatePaymentMethod    UpdatePaymentMethodHandler
	upsertContent          UpsertContentHandler
	rateContent            RateContentHandler
	deleteUser             DeleteUserHandler
}

// New builds every command's handler from d. The view functions are identity conversions the compiler checks.
func New(d Deps) *Handler {
	return &Handler{
		registerUser: RegisterUserHandler{Passwords: d.Passwords, Now: d.Now,
			Tx: streaming.Narrow(d.Store, func(tx streaming.CommandTx) RegisterUserTx { return tx })},
		login: LoginHandler{Sessions: d.Sessions, Passwords: d.Passwords, SessionTTL: d.SessionTTL, Now: d.Now,
			Attempts: d.LoginAttempts, PerAccount: d.LoginsPerAccount, PerClient: d.LoginsPerClient,
			Tx: streaming.Narrow(d.Store, func(tx streaming.CommandTx) streaming.Users { return tx })},
		logout: LogoutHandler{Sessions: d.Sessions},
		createPlan: CreatePlanHandler{Now: d.Now,
			Tx: streaming.Narrow(d.Store, func(tx streaming.CommandTx) CreatePlanTx { return tx })},
		updatePlan: UpdatePlanHandler{Now: d.Now,
			Tx: streaming.Narrow(d.Store, func(tx streaming.CommandTx) UpdatePlanTx { return tx })},
		createSubscription: CreateSubscriptionHandler{Processor: d.Payments, FingerprintKey: d.FingerprintKey, Now: d.Now,
			Tx: streaming.Narrow(d.Store, func(tx streaming.CommandTx) CreateSubscriptionTx { return tx })},
		cancelSubscription: CancelSubscriptionHandler{Now: d.Now,
			Tx: streaming.Narrow(d.Store, func(tx streaming.CommandTx) CancelSubscriptionTx { return tx })},
		changeSubscriptionPlan: ChangeSubscriptionPlanHandler{Processor: d.Payments, Now: d.Now,
			Tx: streaming.Narrow(d.Store, func(tx streaming.CommandTx) ChangeSubscriptionPlanTx { return tx })},
		updatePaymentMethod: UpdatePaymentMethodHandler{Now: d.Now,
			Tx: streaming.Narrow(d.Store, func(tx streaming.CommandTx) UpdatePaymentMethodTx { return tx })},
		upsertContent: UpsertContentHandler{Now: d.Now,
			Tx: streaming.Narrow(d.Store, func(tx streaming.CommandTx) UpsertContentTx { return tx })},
		rateContent: RateContentHandler{Now: d.Now, Ratings: d.Ratings},
		deleteUser: DeleteUserHandler{Sessions: d.Sessions, Erasures: d.Erasures, Now: d.Now,
			Tx: streaming.Narrow(d.Store, func(tx streaming.CommandTx) DeleteUserTx { return tx })},
	}
}

// now is the handlers' clock: clock when set, else the wall clock.
func now(clock func() time.Time) time.Time {
	if clock != nil {
		return clock()
	}
	return time.Now()
}

// event builds an outbox event whose payload is v as JSON.
func event(at time.Time, aggregate, id string, version int64, typ string, v any) (streaming.Event, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return streaming.Event{}, err
	}
	return streaming.Event{AggregateType: aggregate, AggregateID: id, Version: version, Type: typ,
		Payload: payload, OccurredAt: at.UTC()}, nil
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
