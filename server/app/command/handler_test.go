package command_test

import (
	"context"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/streaming"
)

var errFirst = &streaming.Error{Code: streaming.CodeUnavailable, Message: "first call"}

// firstCallTx answers the first repository call of each command with errFirst and records it; any other call
// panics (the embedded interface is nil).
type firstCallTx struct {
	streaming.CommandTx
	calls *[]string
}

func (f firstCallTx) record(name string) error { *f.calls = append(*f.calls, name); return errFirst }
func (f firstCallTx) CreateUser(context.Context, *streaming.User) error {
	return f.record("CreateUser")
}
func (f firstCallTx) UserByEmail(context.Context, string) (*streaming.User, error) {
	return nil, f.record("UserByEmail")
}
func (f firstCallTx) UserByID(context.Context, string) (*streaming.User, error) {
	return nil, f.record("UserByID")
}
func (f firstCallTx) CreatePlan(context.Context, *streaming.Plan) error {
	return f.record("CreatePlan")
}
func (f firstCallTx) PlanForUpdate(context.Context, string) (*streaming.Plan, error) {
	return nil, f.record("PlanForUpdate")
}
func (f firstCallTx) ClaimIdempotencyKey(context.Context, string, string, string) ([]byte, bool, error) {
	return nil, false, f.record("ClaimIdempotencyKey")
}
func (f firstCallTx) SubscriptionForUpdate(context.Context, string) (*streaming.Subscription, error) {
	return nil, f.record("SubscriptionForUpdate")
}
func (f firstCallTx) UpsertContent(context.Context, *streaming.Content) (bool, error) {
	return false, f.record("UpsertContent")
}
func (f firstCallTx) RecordRating(context.Context, *streaming.Rating) error {
	return f.record("RecordRating")
}

// TestNewRoutesEveryCommandThroughTheStore: each command the transport calls runs in a transaction of Deps.Store
// and reaches the repository it starts with (a rating: Deps.Ratings' one step); Logout reaches the session store.
func TestNewRoutesEveryCommandThroughTheStore(t *testing.T) {
	var calls []string
	store := &fakeUoW[streaming.CommandTx]{tx: firstCallTx{calls: &calls}}
	var deleted []string
	h := command.New(command.Deps{Store: store, Ratings: firstCallTx{calls: &calls}, Passwords: cheapPool, SessionTTL: time.Hour, Now: clock,
		Sessions: &fakeSessions{delete: func(token string) error { deleted = append(deleted, token); return nil }}})
	ctx := t.Context()
	runs := []struct {
		first string
		run   func() error
	}{
		{"CreateUser", func() error {
			_, err := h.RegisterUser(ctx, command.RegisterUser{Email: "a@example.com", Password: "p"})
			return err
		}},
		{"UserByEmail", func() error { _, _, err := h.Login(ctx, command.Login{Email: "a@example.com"}); return err }},
		{"CreatePlan", func() error {
			_, err := h.CreatePlan(ctx, command.CreatePlan{Name: "n", MonthlyPrice: "1", Currency: "EUR", MaxStreams: 1,
				MaxQuality: "sd"})
			return err
		}},
		{"PlanForUpdate", func() error { _, err := h.UpdatePlan(ctx, command.UpdatePlan{PlanID: "p"}); return err }},
		{"ClaimIdempotencyKey", func() error {
			_, err := h.CreateSubscription(ctx, command.CreateSubscription{UserID: "u", IdempotencyKey: "k"})
			return err
		}},
		{"SubscriptionForUpdate", func() error {
			_, err := h.CancelSubscription(ctx, command.CancelSubscription{SubscriptionID: "s"})
			return err
		}},
		{"SubscriptionForUpdate", func() error {
			_, err := h.ChangeSubscriptionPlan(ctx, command.ChangeSubscriptionPlan{SubscriptionID: "s"})
			return err
		}},
		{"SubscriptionForUpdate", func() error {
			_, err := h.UpdatePaymentMethod(ctx, command.UpdatePaymentMethod{SubscriptionID: "s"})
			return err
		}},
		{"UpsertContent", func() error { _, _, err := h.UpsertContent(ctx, streaming.Content{}); return err }},
		{"RecordRating", func() error { _, err := h.RateContent(ctx, command.RateContent{UserID: "u"}); return err }},
	}
	for i, r := range runs {
		if err := r.run(); err != errFirst {
			t.Fatalf("command %d: error = %v, want the store's", i, err)
		}
		if len(calls) != i+1 || calls[i] != r.first {
			t.Fatalf("command %d: store calls %v, want %s last", i, calls, r.first)
		}
	}
	if store.runs != len(runs)-1 { // a rating is one step of the store, not a transaction
		t.Fatalf("%d transactions for %d commands and a rating", store.runs, len(runs)-1)
	}
	if err := h.Logout(ctx, "tok"); err != nil || len(deleted) != 1 || deleted[0] != "tok" {
		t.Fatalf("Logout = %v, deleted %v", err, deleted)
	}
}
