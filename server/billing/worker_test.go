package billing_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/billing"
	"github.com/streamingplatform/streaming/server/payment"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// The worker runs against the real PostgreSQL of the local stack, in a schema of each test's own, on an injected
// clock: a year of renewals takes as long as its statements.

// clock is a test clock shared by the commands and the workers.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// processor is the simulator (payment.Local) behind a script: decide may decline a charge the simulator would
// approve, or fail it after charging (a crash before the answer is recorded). It counts what was charged.
type processor struct {
	mu      sync.Mutex
	charges []streaming.Charge
	decide  func(n int, c streaming.Charge) (decline, fail bool) // n: 1-based number of this charge
}

func (p *processor) Charge(ctx context.Context, c streaming.Charge) (streaming.ChargeResult, error) {
	p.mu.Lock()
	p.charges = append(p.charges, c)
	n := len(p.charges)
	decide := p.decide
	p.mu.Unlock()
	res, err := payment.Local{}.Charge(ctx, c)
	if decide != nil {
		decline, fail := decide(n, c)
		if fail {
			return streaming.ChargeResult{}, errors.New("connection reset after the charge was taken")
		}
		if decline {
			return streaming.ChargeResult{Reference: res.Reference, Reason: "card declined"}, nil
		}
	}
	return res, err
}

func (p *processor) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.charges)
}

type fixture struct {
	store *postgres.CommandStore
	pool  *pgxpool.Pool
	ctx   context.Context
	clock *clock
	proc  *processor
	cmd   *command.Handler
	url   string
}

var policy = streaming.RetryPolicy{Retries: []time.Duration{24 * time.Hour, 72 * time.Hour, 120 * time.Hour}, Grace: 168 * time.Hour}

func setup(t *testing.T, start time.Time) *fixture {
	t.Helper()
	url, _ := storetest.PostgresSchema(t, "billing_test")
	ctx := storetest.Context(t, 3*time.Minute)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatalf("pool: %v", err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	f := &fixture{store: postgres.NewCommandStore(pool), pool: pool, ctx: ctx, clock: &clock{now: start}, proc: &processor{}, url: url}
	f.cmd = command.New(command.Deps{Store: f.store, Payments: f.proc, Now: f.clock.Now, FingerprintKey: []byte("test-fingerprint-key")})
	return f
}

func (f *fixture) worker() *billing.Worker {
	return &billing.Worker{Tx: streaming.Narrow(f.store, func(tx streaming.CommandTx) billing.Tx { return tx }),
		Processor: f.proc, Policy: policy, Now: f.clock.Now, Batch: 10}
}

// subscribe creates a user, a plan at cents and the user's paid subscription at the clock's now.
func (f *fixture) subscribe(t *testing.T, cents int64, token string) *streaming.Subscription {
	t.Helper()
	u := &streaming.User{Email: "user." + storetest.Unique() + "@example.com", DisplayName: "U", Country: "ES", PasswordHash: "h"}
	p := &streaming.Plan{Name: "Plan " + storetest.Unique(), PriceCents: cents, Currency: "EUR", MaxStreams: 2, MaxQuality: "hd", Available: true}
	if err := f.store.InTx(f.ctx, func(tx streaming.CommandTx) error {
		if err := tx.CreateUser(f.ctx, u); err != nil {
			return err
		}
		return tx.CreatePlan(f.ctx, p)
	}); err != nil {
		t.Fatal(err)
	}
	res, err := f.cmd.CreateSubscription(f.ctx, command.CreateSubscription{UserID: u.ID, PlanID: p.ID,
		PaymentMethod: streaming.PaymentCard, PaymentToken: token, IdempotencyKey: "k-" + storetest.Unique()})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	return &res.Subscription
}

func (f *fixture) sub(t *testing.T, id string) *streaming.Subscription {
	t.Helper()
	var s *streaming.Subscription
	if err := f.store.InTx(f.ctx, func(tx streaming.CommandTx) error {
		var err error
		s, err = tx.SubscriptionForUpdate(f.ctx, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// invoices are the subscription's invoices, oldest period first.
func (f *fixture) invoices(t *testing.T, subID string) []streaming.Invoice {
	t.Helper()
	var out []streaming.Invoice
	rows, err := f.pool.Query(f.ctx, `SELECT id FROM invoices WHERE subscription_id = $1 ORDER BY period_start, created_at`, subID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := f.store.InTx(f.ctx, func(tx streaming.CommandTx) error {
		for _, id := range ids {
			inv, err := tx.InvoiceForUpdate(f.ctx, id)
			if err != nil {
				return err
			}
			out = append(out, *inv)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(f.ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// events are the subscription's outbox event types in order.
func (f *fixture) events(t *testing.T, subID string) []string {
	t.Helper()
	rows, err := f.pool.Query(f.ctx, `SELECT event_type FROM outbox WHERE aggregate_id = $1 ORDER BY id`, subID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func (f *fixture) run(t *testing.T, w *billing.Worker) billing.Stats {
	t.Helper()
	st, err := w.RunOnce(f.ctx)
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return st
}

// TestRenewsAYear: a subscription from 31 January renews twelve times, each period charged once, on the anchor's
// day clamped to the month's end, with an event per renewal that carries the new period.
func TestRenewsAYear(t *testing.T) {
	start := time.Date(2026, 1, 31, 9, 15, 0, 0, time.UTC)
	f := setup(t, start)
	s := f.subscribe(t, 999, "tok_visa")
	w := f.worker()
	if st := f.run(t, w); st != (billing.Stats{}) {
		t.Fatalf("a pass before any period ended did %+v", st)
	}
	for i := 1; i <= 12; i++ {
		cur := f.sub(t, s.ID)
		// A little after the period's end, as a worker's interval would be.
		f.clock.Set(cur.CurrentPeriodEnd.Add(30 * time.Second))
		st := f.run(t, w)
		if st.Invoiced != 1 || st.Charged != 1 || st.Renewed != 1 {
			t.Fatalf("renewal %d: %+v", i, st)
		}
		if st := f.run(t, w); st != (billing.Stats{}) {
			t.Fatalf("renewal %d: a second pass did %+v", i, st)
		}
		next := f.sub(t, s.ID)
		want := streaming.AddMonthsClamped(start, i+1)
		if next.Status != streaming.SubscriptionActive || !next.CurrentPeriodStart.Equal(cur.CurrentPeriodEnd) ||
			!next.CurrentPeriodEnd.Equal(want) {
			t.Fatalf("after renewal %d: %s, period %s to %s, want the end %s", i, next.Status, next.CurrentPeriodStart,
				next.CurrentPeriodEnd, want)
		}
	}
	invs := f.invoices(t, s.ID)
	if len(invs) != 13 {
		t.Fatalf("%d invoices, want 13", len(invs))
	}
	wantEnds := []int{28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28} // Feb 2026 … Feb 2027
	for i, inv := range invs {
		if inv.Status != streaming.InvoicePaid || inv.AmountCents != 999 || inv.Attempts != 1 || inv.PaidAt == nil ||
			inv.PeriodEnd.Day() != wantEnds[i] || len(inv.Lines) != 1 || inv.Lines[0].AmountCents != 999 {
			t.Fatalf("invoice %d: %+v", i, inv)
		}
		if i > 0 && !inv.PeriodStart.Equal(invs[i-1].PeriodEnd) {
			t.Fatalf("invoice %d starts %s, the previous ended %s", i, inv.PeriodStart, invs[i-1].PeriodEnd)
		}
	}
	if n := f.proc.count(); n != 13 {
		t.Fatalf("%d charges, want 13 (the first and twelve renewals)", n)
	}
	if n := f.count(t, `SELECT count(*) FROM payments WHERE subscription_id = $1`, s.ID); n != 13 {
		t.Fatalf("%d payments, want 13", n)
	}
	if n := f.count(t, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = 'SubscriptionRenewed'`, s.ID); n != 12 {
		t.Fatalf("%d SubscriptionRenewed events, want 12", n)
	}
	// Each event carries the version its change made: 1 (created), then 2 … 13.
	if n := f.count(t, `SELECT count(DISTINCT version) FROM outbox WHERE aggregate_id = $1 AND version BETWEEN 1 AND 13`, s.ID); n != 13 {
		t.Fatalf("%d distinct event versions, want 13", n)
	}
}

// TestFailedRenewalRecovers: a declined renewal makes the subscription past due (it still plays), is retried on the
// schedule, and a retry that succeeds makes it active again with the period it paid for.
func TestFailedRenewalRecovers(t *testing.T) {
	start := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	f := setup(t, start)
	s := f.subscribe(t, 1299, "tok_visa")
	w := f.worker()
	// The first two renewal attempts are declined (charge 1 was the subscription's own).
	f.proc.decide = func(n int, _ streaming.Charge) (bool, bool) { return n == 2 || n == 3, false }
	due := f.sub(t, s.ID).CurrentPeriodEnd

	f.clock.Set(due)
	if st := f.run(t, w); st.Invoiced != 1 || st.Charged != 1 || st.PastDue != 1 {
		t.Fatalf("due date: %+v", st)
	}
	cur := f.sub(t, s.ID)
	inv := f.invoices(t, s.ID)[1]
	if cur.Status != streaming.SubscriptionPastDue || !cur.CurrentPeriodStart.Equal(due) || inv.Status != streaming.InvoiceOpen ||
		inv.Attempts != 1 || inv.LastError != "card declined" || !inv.NextAttemptAt.Equal(due.Add(24*time.Hour)) {
		t.Fatalf("after the first decline: %+v, invoice %+v", cur, inv)
	}
	// Nothing before the retry is due.
	f.clock.Set(due.Add(23 * time.Hour))
	if st := f.run(t, w); st != (billing.Stats{}) {
		t.Fatalf("before the retry: %+v", st)
	}
	f.clock.Set(due.Add(24 * time.Hour))
	if st := f.run(t, w); st.Charged != 1 || st.PastDue != 0 {
		t.Fatalf("first retry: %+v", st)
	}
	if inv := f.invoices(t, s.ID)[1]; inv.Attempts != 2 || !inv.NextAttemptAt.Equal(due.Add(72*time.Hour)) {
		t.Fatalf("after the second decline: %+v", inv)
	}
	f.clock.Set(due.Add(72 * time.Hour))
	if st := f.run(t, w); st.Charged != 1 || st.Renewed != 1 {
		t.Fatalf("second retry: %+v", st)
	}
	cur = f.sub(t, s.ID)
	inv = f.invoices(t, s.ID)[1]
	if cur.Status != streaming.SubscriptionActive || !cur.CurrentPeriodStart.Equal(due) || inv.Status != streaming.InvoicePaid ||
		inv.Attempts != 3 || inv.NextAttemptAt != nil || !inv.PaidAt.Equal(due.Add(72*time.Hour)) {
		t.Fatalf("recovered: %+v, invoice %+v", cur, inv)
	}
	// Three attempts, three processor keys of the same period, each derived from subscription and period start.
	keys := map[string]bool{}
	for _, c := range f.proc.charges[1:] {
		keys[c.IdempotencyKey] = true
	}
	if len(keys) != 3 || !keys[billing.RenewalKey(s.ID, due, 1)] || !keys[billing.RenewalKey(s.ID, due, 3)] {
		t.Fatalf("keys %v", keys)
	}
	got := f.events(t, s.ID)
	want := []string{"SubscriptionCreated", "SubscriptionPastDue", "SubscriptionRenewed"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// TestUnpaidRenewalExpires: a renewal declined at every retry leaves the subscription past due until the grace
// period ends; then it expires and its invoice is uncollectible. Nothing is charged after that.
func TestUnpaidRenewalExpires(t *testing.T) {
	start := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	f := setup(t, start)
	s := f.subscribe(t, 999, "tok_visa")
	f.proc.decide = func(n int, _ streaming.Charge) (bool, bool) { return n > 1, false }
	w := f.worker()
	due := f.sub(t, s.ID).CurrentPeriodEnd
	for _, after := range []time.Duration{0, 24 * time.Hour, 72 * time.Hour, 120 * time.Hour} {
		f.clock.Set(due.Add(after))
		if st := f.run(t, w); st.Charged != 1 || st.Expired != 0 {
			t.Fatalf("attempt at +%s: %+v", after, st)
		}
		if cur := f.sub(t, s.ID); cur.Status != streaming.SubscriptionPastDue {
			t.Fatalf("at +%s: %s", after, cur.Status)
		}
	}
	f.clock.Set(due.Add(168*time.Hour - time.Second))
	if st := f.run(t, w); st != (billing.Stats{}) {
		t.Fatalf("within the grace period: %+v", st)
	}
	f.clock.Set(due.Add(168 * time.Hour))
	if st := f.run(t, w); st.Expired != 1 || st.Charged != 0 {
		t.Fatalf("end of grace: %+v", st)
	}
	cur := f.sub(t, s.ID)
	inv := f.invoices(t, s.ID)[1]
	if cur.Status != streaming.SubscriptionExpired || cur.EndDate == nil || !cur.EndDate.Equal(due.Add(168*time.Hour)) ||
		inv.Status != streaming.InvoiceUncollectible || inv.Attempts != 4 || inv.NextAttemptAt != nil {
		t.Fatalf("expired: %+v, invoice %+v", cur, inv)
	}
	f.clock.Set(due.AddDate(0, 2, 0))
	if st := f.run(t, w); st != (billing.Stats{}) {
		t.Fatalf("after expiry: %+v", st)
	}
	if n := f.proc.count(); n != 5 {
		t.Fatalf("%d charges, want 5 (the first and four renewal attempts)", n)
	}
	got := f.events(t, s.ID)
	want := []string{"SubscriptionCreated", "SubscriptionPastDue", "SubscriptionExpired"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	// The user may subscribe again: an expired subscription is not current.
	if n := f.count(t, `SELECT count(*) FROM subscriptions WHERE user_id = $1 AND status IN ('active', 'past_due')`, s.UserID); n != 0 {
		t.Fatalf("%d current subscriptions", n)
	}
}

// TestCancelAtPeriodEnd: a canceled subscription plays until its period ends, then ends without a charge.
func TestCancelAtPeriodEnd(t *testing.T) {
	start := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	f := setup(t, start)
	s := f.subscribe(t, 999, "tok_visa")
	f.clock.Set(start.Add(10 * 24 * time.Hour))
	c, err := f.cmd.CancelSubscription(f.ctx, command.CancelSubscription{UserID: s.UserID, SubscriptionID: s.ID, Reason: "moving abroad"})
	if err != nil || c.Status != streaming.SubscriptionActive || !c.CancelAtPeriodEnd || c.CancelReason != "moving abroad" {
		t.Fatalf("cancel: %+v, %v", c, err)
	}
	w := f.worker()
	end := c.CurrentPeriodEnd
	f.clock.Set(end.Add(-time.Second))
	if st := f.run(t, w); st != (billing.Stats{}) {
		t.Fatalf("before the end: %+v", st)
	}
	f.clock.Set(end.Add(time.Minute))
	if st := f.run(t, w); st.Ended != 1 || st.Charged != 0 || st.Invoiced != 0 {
		t.Fatalf("at the end: %+v", st)
	}
	cur := f.sub(t, s.ID)
	if cur.Status != streaming.SubscriptionCanceled || cur.EndDate == nil || !cur.EndDate.Equal(end) || cur.CancelReason != "moving abroad" {
		t.Fatalf("ended: %+v", cur)
	}
	if n := f.proc.count(); n != 1 {
		t.Fatalf("%d charges, want only the first", n)
	}
	got := f.events(t, s.ID)
	want := []string{"SubscriptionCreated", "SubscriptionCanceled", "SubscriptionEnded"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// TestProrationToTheCent: an upgrade with 10 of 30 days left charges a third of the difference now, to the cent; a
// downgrade credits its share, and the next renewal charges the price less that credit.
func TestProrationToTheCent(t *testing.T) {
	start := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC) // a 30-day period
	f := setup(t, start)
	s := f.subscribe(t, 999, "tok_visa")
	premium := &streaming.Plan{Name: "Premium " + storetest.Unique(), PriceCents: 1999, Currency: "EUR", MaxStreams: 4, MaxQuality: "uhd", Available: true}
	mini := &streaming.Plan{Name: "Mini " + storetest.Unique(), PriceCents: 499, Currency: "EUR", MaxStreams: 1, MaxQuality: "sd", Available: true}
	if err := f.store.InTx(f.ctx, func(tx streaming.CommandTx) error {
		if err := tx.CreatePlan(f.ctx, premium); err != nil {
			return err
		}
		return tx.CreatePlan(f.ctx, mini)
	}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(start.Add(20 * 24 * time.Hour)) // 10 days left
	up, err := f.cmd.ChangeSubscriptionPlan(f.ctx, command.ChangeSubscriptionPlan{UserID: s.UserID, SubscriptionID: s.ID, PlanID: premium.ID})
	if err != nil {
		t.Fatal(err)
	}
	// 10.00 × 10/30 = 3.333… → 3.33.
	if up.Proration.AmountCents != 333 || up.Proration.Status != streaming.InvoicePaid || up.Subscription.PriceCents != 1999 {
		t.Fatalf("upgrade: %+v", up.Proration)
	}
	if c := f.proc.charges[len(f.proc.charges)-1]; c.AmountCents != 333 || c.Token != "tok_visa" {
		t.Fatalf("upgrade charge: %+v", c)
	}
	f.clock.Set(start.Add(25*24*time.Hour + time.Hour)) // 4 days and 23 hours left: 5 days
	down, err := f.cmd.ChangeSubscriptionPlan(f.ctx, command.ChangeSubscriptionPlan{UserID: s.UserID, SubscriptionID: s.ID, PlanID: mini.ID})
	if err != nil {
		t.Fatal(err)
	}
	// 15.00 × 5/30 = 2.50 credited.
	if down.Proration.AmountCents != 0 || down.Proration.Status != streaming.InvoiceVoid || down.Proration.Lines[0].AmountCents != -250 {
		t.Fatalf("downgrade: %+v", down.Proration)
	}
	charges := f.proc.count()
	f.clock.Set(down.Subscription.CurrentPeriodEnd)
	if st := f.run(t, f.worker()); st.Renewed != 1 {
		t.Fatalf("renewal: %+v", st)
	}
	invs := f.invoices(t, s.ID)
	last := invs[len(invs)-1]
	// 4.99 − 2.50 = 2.49.
	if last.Kind != streaming.InvoicePeriod || last.AmountCents != 249 || last.Status != streaming.InvoicePaid || len(last.Lines) != 2 ||
		last.Lines[0].AmountCents != 499 || last.Lines[1].AmountCents != -250 {
		t.Fatalf("renewal invoice: %+v", last)
	}
	if f.proc.count() != charges+1 || f.proc.charges[charges].AmountCents != 249 {
		t.Fatalf("renewal charges: %+v", f.proc.charges[charges:])
	}
	if n := f.count(t, `SELECT (credit * 100)::int FROM subscriptions WHERE id = $1`, s.ID); n != 0 {
		t.Fatalf("credit left %d", n)
	}
}

// TestConcurrentRenewalsChargeOnce: 100 workers of two replicas (each its own pool) renew the same due period at
// once: one charge, one paid invoice, one payment, one event.
func TestConcurrentRenewalsChargeOnce(t *testing.T) {
	start := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	f := setup(t, start)
	s := f.subscribe(t, 999, "tok_visa")
	due := f.sub(t, s.ID).CurrentPeriodEnd
	f.clock.Set(due)
	replicas := []*postgres.CommandStore{f.store}
	pool2, err := pgxpool.New(f.ctx, f.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool2.Close)
	replicas = append(replicas, postgres.NewCommandStore(pool2))
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := range errs {
		w := &billing.Worker{Tx: streaming.Narrow(replicas[i%2], func(tx streaming.CommandTx) billing.Tx { return tx }),
			Processor: f.proc, Policy: policy, Now: f.clock.Now}
		wg.Go(func() { _, errs[i] = w.RunOnce(f.ctx) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if n := f.proc.count(); n != 2 {
		t.Fatalf("%d charges, want 2 (the first and one renewal)", n)
	}
	if n := f.count(t, `SELECT count(*) FROM invoices WHERE subscription_id = $1 AND period_start = $2 AND status = 'paid'`, s.ID, due); n != 1 {
		t.Fatalf("%d paid invoices of the period, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM payments WHERE subscription_id = $1`, s.ID); n != 2 {
		t.Fatalf("%d payments, want 2", n)
	}
	if n := f.count(t, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = 'SubscriptionRenewed'`, s.ID); n != 1 {
		t.Fatalf("%d renewal events, want 1", n)
	}
}

// TestCrashBetweenChargeAndRecord: a charge whose answer is lost (the worker died after the processor took the
// money) is sent again after its lease with the same processor key, so the processor answers with the first charge;
// the period is paid once.
func TestCrashBetweenChargeAndRecord(t *testing.T) {
	start := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	f := setup(t, start)
	s := f.subscribe(t, 999, "tok_visa")
	f.proc.decide = func(n int, _ streaming.Charge) (bool, bool) { return false, n == 2 }
	w := f.worker()
	w.Lease = 10 * time.Minute
	due := f.sub(t, s.ID).CurrentPeriodEnd
	f.clock.Set(due)
	if st := f.run(t, w); st.Charged != 1 || st.Renewed != 0 {
		t.Fatalf("lost answer: %+v", st)
	}
	if inv := f.invoices(t, s.ID)[1]; inv.Status != streaming.InvoiceOpen || inv.Charging != 1 || inv.Attempts != 1 {
		t.Fatalf("claimed invoice: %+v", inv)
	}
	f.clock.Set(due.Add(5 * time.Minute))
	if st := f.run(t, w); st != (billing.Stats{}) {
		t.Fatalf("within the lease: %+v", st)
	}
	f.clock.Set(due.Add(10 * time.Minute))
	if st := f.run(t, w); st.Charged != 1 || st.Renewed != 1 {
		t.Fatalf("after the lease: %+v", st)
	}
	if a, b := f.proc.charges[1], f.proc.charges[2]; a.IdempotencyKey != b.IdempotencyKey || a.AmountCents != b.AmountCents {
		t.Fatalf("resent charge differs: %+v vs %+v", a, b)
	}
	if inv := f.invoices(t, s.ID)[1]; inv.Status != streaming.InvoicePaid || inv.Attempts != 1 || inv.Charging != 0 {
		t.Fatalf("paid invoice: %+v", inv)
	}
}

// TestPaymentMethodUpdateRecovers: a past-due subscription whose card was declined gets a new payment method
// (UpdatePaymentMethod); its open invoice is due at once, so the worker's next pass charges the new token, as a new
// attempt with a key of its own, instead of waiting for the retry a day later.
func TestPaymentMethodUpdateRecovers(t *testing.T) {
	start := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	f := setup(t, start)
	s := f.subscribe(t, 999, "tok_visa")
	f.proc.decide = func(n int, c streaming.Charge) (bool, bool) { return c.Token == "tok_visa" && n > 1, false }
	w := f.worker()
	due := f.sub(t, s.ID).CurrentPeriodEnd
	f.clock.Set(due)
	if st := f.run(t, w); st.PastDue != 1 {
		t.Fatalf("declined renewal: %+v", st)
	}
	fixed := due.Add(2 * time.Hour)
	f.clock.Set(fixed)
	upd, err := f.cmd.UpdatePaymentMethod(f.ctx, command.UpdatePaymentMethod{UserID: s.UserID, SubscriptionID: s.ID,
		PaymentMethod: streaming.PaymentPayPal, PaymentToken: "tok_mastercard"})
	if err != nil || upd.Status != streaming.SubscriptionPastDue || upd.PaymentMethod != streaming.PaymentPayPal {
		t.Fatalf("update: %+v, %v", upd, err)
	}
	if inv := f.invoices(t, s.ID)[1]; inv.Status != streaming.InvoiceOpen || inv.Attempts != 1 || !inv.NextAttemptAt.Equal(fixed) {
		t.Fatalf("invoice after the update: %+v", inv)
	}
	if st := f.run(t, w); st.Charged != 1 || st.Renewed != 1 {
		t.Fatalf("pass after the update: %+v", st)
	}
	c := f.proc.charges[len(f.proc.charges)-1]
	if c.Token != "tok_mastercard" || c.Method != streaming.PaymentPayPal || c.IdempotencyKey != billing.RenewalKey(s.ID, due, 2) {
		t.Fatalf("charge after the update: %+v", c)
	}
	cur, inv := f.sub(t, s.ID), f.invoices(t, s.ID)[1]
	if cur.Status != streaming.SubscriptionActive || !cur.CurrentPeriodStart.Equal(due) || inv.Status != streaming.InvoicePaid ||
		inv.Attempts != 2 || !inv.PaidAt.Equal(fixed) {
		t.Fatalf("recovered: %+v, invoice %+v", cur, inv)
	}
	got := f.events(t, s.ID)
	want := []string{"SubscriptionCreated", "SubscriptionPastDue", "SubscriptionPaymentMethodUpdated", "SubscriptionRenewed"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	// The token is kept for renewals and published nowhere.
	if n := f.count(t, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND payload::text LIKE '%tok_%'`, s.ID); n != 0 {
		t.Fatalf("%d events carry a token", n)
	}
}

// TestPaymentMethodUpdateWaitsForACharge: while a renewal attempt is claimed and unrecorded (here its answer was
// lost), the payment method cannot change: that attempt is sent again after its lease with its processor key, and
// must carry the token it was first sent with. Once it is recorded, the change goes through.
func TestPaymentMethodUpdateWaitsForACharge(t *testing.T) {
	start := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	f := setup(t, start)
	s := f.subscribe(t, 999, "tok_visa")
	f.proc.decide = func(n int, _ streaming.Charge) (bool, bool) { return false, n == 2 }
	w := f.worker()
	w.Lease = 10 * time.Minute
	due := f.sub(t, s.ID).CurrentPeriodEnd
	f.clock.Set(due)
	if st := f.run(t, w); st.Charged != 1 || st.Renewed != 0 {
		t.Fatalf("lost answer: %+v", st)
	}
	update := func() (*streaming.Subscription, error) {
		return f.cmd.UpdatePaymentMethod(f.ctx, command.UpdatePaymentMethod{UserID: s.UserID, SubscriptionID: s.ID,
			PaymentMethod: streaming.PaymentCard, PaymentToken: "tok_mastercard"})
	}
	f.clock.Set(due.Add(time.Minute))
	_, err := update()
	if e := streaming.AsError(err); e == nil || e.Code != streaming.CodeBusy || e.RetryAfter != time.Minute {
		t.Fatalf("update during a charge: %v", err)
	}
	f.clock.Set(due.Add(10 * time.Minute))
	if st := f.run(t, w); st.Charged != 1 || st.Renewed != 1 {
		t.Fatalf("after the lease: %+v", st)
	}
	if a, b := f.proc.charges[1], f.proc.charges[2]; a.IdempotencyKey != b.IdempotencyKey || b.Token != "tok_visa" {
		t.Fatalf("resent charge differs: %+v vs %+v", a, b)
	}
	if upd, err := update(); err != nil || upd.Status != streaming.SubscriptionActive {
		t.Fatalf("update after the charge: %+v, %v", upd, err)
	}
}
