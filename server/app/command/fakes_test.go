package command_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Function-field fakes of our ports (never of a store: the PostgreSQL adapter is tested against PostgreSQL). A
// method whose function is nil panics, which fails the test: a command touched a port it should not.

// at is the fakes' clock.
var at = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

func clock() time.Time { return at }

// fakeUoW runs fn once on tx, as a transaction that commits when fn returns nil.
type fakeUoW[T any] struct {
	tx   T
	runs int
}

func (u *fakeUoW[T]) InTx(_ context.Context, fn func(tx T) error) error {
	u.runs++
	return fn(u.tx)
}

type fakeUsers struct {
	createUser  func(u *streaming.User) error
	userByID    func(id string) (*streaming.User, error)
	userByEmail func(email string) (*streaming.User, error)
}

func (f *fakeUsers) CreateUser(_ context.Context, u *streaming.User) error { return f.createUser(u) }
func (f *fakeUsers) UserByID(_ context.Context, id string) (*streaming.User, error) {
	return f.userByID(id)
}
func (f *fakeUsers) UserByEmail(_ context.Context, email string) (*streaming.User, error) {
	return f.userByEmail(email)
}

type fakePlans struct {
	createPlan    func(p *streaming.Plan) error
	planByID      func(id string) (*streaming.Plan, error)
	planForUpdate func(id string) (*streaming.Plan, error)
	updatePlan    func(p *streaming.Plan) error
}

func (f *fakePlans) CreatePlan(_ context.Context, p *streaming.Plan) error { return f.createPlan(p) }
func (f *fakePlans) PlanByID(_ context.Context, id string) (*streaming.Plan, error) {
	return f.planByID(id)
}
func (f *fakePlans) PlanForUpdate(_ context.Context, id string) (*streaming.Plan, error) {
	return f.planForUpdate(id)
}
func (f *fakePlans) UpdatePlan(_ context.Context, p *streaming.Plan) error { return f.updatePlan(p) }

type fakeSubscriptions struct {
	hasActive             func(userID string) (bool, error)
	createSubscription    func(s *streaming.Subscription) error
	subscriptionForUpdate func(id string) (*streaming.Subscription, error)
	updateSubscription    func(s *streaming.Subscription) error
	listSubscriptions     func(userID string, limit int, after string) ([]streaming.Subscription, error)
}

func (f *fakeSubscriptions) HasActiveSubscription(_ context.Context, userID string) (bool, error) {
	return f.hasActive(userID)
}
func (f *fakeSubscriptions) CreateSubscription(_ context.Context, s *streaming.Subscription) error {
	return f.createSubscription(s)
}
func (f *fakeSubscriptions) SubscriptionForUpdate(_ context.Context, id string) (*streaming.Subscription, error) {
	return f.subscriptionForUpdate(id)
}
func (f *fakeSubscriptions) UpdateSubscription(_ context.Context, s *streaming.Subscription) error {
	return f.updateSubscription(s)
}
func (f *fakeSubscriptions) ListSubscriptions(_ context.Context, userID string, limit int, after string) ([]streaming.Subscription, error) {
	return f.listSubscriptions(userID, limit, after)
}

type fakePayments struct {
	createPayment func(p *streaming.Payment) error
}

func (f *fakePayments) CreatePayment(_ context.Context, p *streaming.Payment) error {
	return f.createPayment(p)
}

type fakePaymentAttempts struct {
	create    func(a *streaming.PaymentAttempt) error
	forUpdate func(scope, key string) (*streaming.PaymentAttempt, error)
	update    func(a *streaming.PaymentAttempt) error
}

func (f *fakePaymentAttempts) CreatePaymentAttempt(_ context.Context, a *streaming.PaymentAttempt) error {
	return f.create(a)
}
func (f *fakePaymentAttempts) PaymentAttemptForUpdate(_ context.Context, scope, key string) (*streaming.PaymentAttempt, error) {
	return f.forUpdate(scope, key)
}
func (f *fakePaymentAttempts) UpdatePaymentAttempt(_ context.Context, a *streaming.PaymentAttempt) error {
	return f.update(a)
}

type fakeContents struct {
	upsertContent func(c *streaming.Content) (bool, error)
	contentByID   func(id string) (*streaming.Content, error)
	contentsByID  func(ids []string) ([]streaming.Content, error)
}

func (f *fakeContents) UpsertContent(_ context.Context, c *streaming.Content) (bool, error) {
	return f.upsertContent(c)
}
func (f *fakeContents) ContentByID(_ context.Context, id string) (*streaming.Content, error) {
	return f.contentByID(id)
}
func (f *fakeContents) ContentsByID(_ context.Context, ids []string) ([]streaming.Content, error) {
	return f.contentsByID(ids)
}

// fakeOutbox records the events; err fails every append.
type fakeOutbox struct {
	events []streaming.Event
	err    error
}

func (f *fakeOutbox) AppendEvent(_ context.Context, e streaming.Event) error {
	if f.err != nil {
		return f.err
	}
	f.events = append(f.events, e)
	return nil
}

type fakeIdempotency struct {
	claim    func(scope, key, requestHash string) ([]byte, bool, error)
	complete func(scope, key string, response []byte) error
	release  func(scope, key string) error
}

func (f *fakeIdempotency) ClaimIdempotencyKey(_ context.Context, scope, key, requestHash string) ([]byte, bool, error) {
	return f.claim(scope, key, requestHash)
}
func (f *fakeIdempotency) ReleaseIdempotencyKey(_ context.Context, scope, key string) error {
	return f.release(scope, key)
}
func (f *fakeIdempotency) CompleteIdempotencyKey(_ context.Context, scope, key string, response []byte) error {
	return f.complete(scope, key, response)
}

type fakeSessions struct {
	create     func(s streaming.Session) error
	user       func(token string) (string, error)
	delete     func(token string) error
	deleteUser func(userID string) (int, error)
}

func (f *fakeSessions) CreateSession(_ context.Context, s streaming.Session) error {
	return f.create(s)
}

func (f *fakeSessions) SessionUser(_ context.Context, token string) (string, error) {
	return f.user(token)
}

func (f *fakeSessions) DeleteSession(_ context.Context, token string) error { return f.delete(token) }

func (f *fakeSessions) DeleteUserSessions(_ context.Context, userID string) (int, error) {
	return f.deleteUser(userID)
}

type fakeProcessor struct {
	charge func(c streaming.Charge) (streaming.ChargeResult, error)
}

func (f *fakeProcessor) Charge(_ context.Context, c streaming.Charge) (streaming.ChargeResult, error) {
	return f.charge(c)
}

// wantErr fails unless err has code (none when code is ""), and, when given, message.
func wantErr(t *testing.T, err error, code streaming.Code, message string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("error = %v, want none", err)
		}
		return
	}
	e := streaming.AsError(err)
	if streaming.ErrorCode(err) != code || (message != "" && (e == nil || e.Message != message)) {
		t.Fatalf("error = %v; want code %s message %q", err, code, message)
	}
}

// wantEvent fails unless events is exactly one event of typ about aggregate id at version, at the clock's time,
// and returns its payload decoded into P.
func wantEvent[P any](t *testing.T, events []streaming.Event, aggregate, id string, version int64, typ string) P {
	t.Helper()
	var p P
	if len(events) != 1 {
		t.Fatalf("%d events, want 1: %+v", len(events), events)
	}
	e := events[0]
	if e.AggregateType != aggregate || e.AggregateID != id || e.Version != version || e.Type != typ || !e.OccurredAt.Equal(at) {
		t.Fatalf("event = %+v; want %s %s/%s v%d at %s", e, typ, aggregate, id, version, at)
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		t.Fatalf("payload %s: %v", e.Payload, err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

var errStore = streaming.Unavailable("PostgreSQL", nil)

func notFound(what string) error {
	return streaming.Errorf(streaming.CodeNotFound, "%s not found", what)
}

type fakeInvoices struct {
	create         func(inv *streaming.Invoice) error
	forUpdate      func(id string) (*streaming.Invoice, error)
	update         func(inv *streaming.Invoice) error
	openProration  func(subscriptionID string) (*streaming.Invoice, error)
	openPeriod     func(subscriptionID string) (*streaming.Invoice, error)
	voidOpen       func(subscriptionID string) error
	credit         func(subscriptionID string) (int64, error)
	setCredit      func(subscriptionID string, cents int64) error
	saveToken      func(subscriptionID, token string) error
	token          func(subscriptionID string) (string, error)
	dueSubs        func(now time.Time, limit int) ([]streaming.Subscription, error)
	dueInvoicesFor func(now time.Time, limit int) ([]streaming.Invoice, error)
}

func (f *fakeInvoices) CreateInvoice(_ context.Context, inv *streaming.Invoice) error {
	return f.create(inv)
}
func (f *fakeInvoices) InvoiceForUpdate(_ context.Context, id string) (*streaming.Invoice, error) {
	return f.forUpdate(id)
}
func (f *fakeInvoices) UpdateInvoice(_ context.Context, inv *streaming.Invoice) error {
	return f.update(inv)
}
func (f *fakeInvoices) OpenProrationForUpdate(_ context.Context, id string) (*streaming.Invoice, error) {
	return f.openProration(id)
}
func (f *fakeInvoices) OpenPeriodInvoiceForUpdate(_ context.Context, id string) (*streaming.Invoice, error) {
	return f.openPeriod(id)
}
func (f *fakeInvoices) VoidOpenInvoices(_ context.Context, id string) error { return f.voidOpen(id) }
func (f *fakeInvoices) SubscriptionCredit(_ context.Context, id string) (int64, error) {
	return f.credit(id)
}
func (f *fakeInvoices) SetSubscriptionCredit(_ context.Context, id string, cents int64) error {
	return f.setCredit(id, cents)
}
func (f *fakeInvoices) SavePaymentToken(_ context.Context, id, token string) error {
	return f.saveToken(id, token)
}
func (f *fakeInvoices) PaymentToken(_ context.Context, id string) (string, error) { return f.token(id) }
func (f *fakeInvoices) DueSubscriptions(_ context.Context, now time.Time, limit int) ([]streaming.Subscription, error) {
	return f.dueSubs(now, limit)
}
func (f *fakeInvoices) DueInvoices(_ context.Context, now time.Time, limit int) ([]streaming.Invoice, error) {
	return f.dueInvoicesFor(now, limit)
}
