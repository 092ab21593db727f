// Package billing renews subscriptions over time (docs/billing.md): a worker, run by every replica, that invoices
// each subscription's next period when its period ends, charges it through the payment processor, retries a
// declined charge on a schedule until a grace period ends, and ends subscriptions canceled at period end. Every
// change of a subscription writes its outbox event in the same transaction. The clock is injected, so tests run a
// year of renewals in seconds against the real PostgreSQL.
package billing

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Tx is what the worker touches in a transaction.
type Tx interface {
	streaming.Subscriptions
	streaming.Plans
	streaming.Payments
	streaming.Invoices
	streaming.Outbox
}

// Worker renews due subscriptions. Several workers (goroutines, replicas) may run at once: each period is invoiced
// once (a unique index on subscription and period start) and each charge attempt is claimed by one worker (rows
// locked with SKIP LOCKED, and the attempt recorded on the invoice before the processor is called), so a period is
// charged exactly once.
type Worker struct {
	Tx        streaming.UnitOfWork[Tx]
	Processor streaming.PaymentProcessor
	Policy    streaming.RetryPolicy
	// Interval between passes of Run (default 1 minute).
	Interval time.Duration
	// Batch is how many subscriptions or invoices one transaction claims (default 100).
	Batch int
	// Lease is how long a claimed charge belongs to its worker: a charge still unrecorded after it (the worker
	// crashed between charging and recording) is sent again by the next pass, with the same processor key, so the
	// processor answers with the first charge's outcome instead of charging again. It must be longer than the
	// processor's timeout (default 5 minutes).
	Lease time.Duration
	Now   func() time.Time
	Log   *slog.Logger
}

// Stats counts what one RunOnce did.
type Stats struct {
	Invoiced int // period invoices created
	Charged  int // charges sent to the processor
	Renewed  int // subscriptions active with a new paid (or credited) period
	PastDue  int // subscriptions that became past due
	Expired  int // subscriptions expired at the end of their grace period
	Ended    int // subscriptions canceled at the end of their period
}

func (s *Stats) add(o Stats) {
	s.Invoiced += o.Invoiced
	s.Charged += o.Charged
	s.Renewed += o.Renewed
	s.PastDue += o.PastDue
	s.Expired += o.Expired
	s.Ended += o.Ended
}

// Run calls RunOnce every Interval until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	interval := w.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		st, err := w.RunOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			w.log().Warn("billing: renewal pass failed; retrying at the next pass", "err", err)
		case st != (Stats{}):
			w.log().Info("billing: renewal pass", "invoiced", st.Invoiced, "charged", st.Charged, "renewed", st.Renewed,
				"past_due", st.PastDue, "expired", st.Expired, "ended", st.Ended)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// maxRounds bounds the rounds of one RunOnce (a subscription whose worker was down for months renews one period
// per round).
const maxRounds = 1000

// RunOnce invoices every subscription due at the clock's now and charges every invoice due, round after round
// until nothing is due.
func (w *Worker) RunOnce(ctx context.Context) (Stats, error) {
	var total Stats
	for range maxRounds {
		inv, err := w.invoiceDue(ctx)
		total.add(inv)
		if err != nil {
			return total, err
		}
		ch, n, err := w.chargeDue(ctx)
		total.add(ch)
		if err != nil {
			return total, err
		}
		if inv == (Stats{}) && n == 0 {
			break
		}
	}
	return total, nil
}

// invoiceDue handles, batch by batch, the active subscriptions whose period has ended: one canceled at period end
// ends; the others get their next period's invoice (due now), or are renewed at once when a credit covers it.
func (w *Worker) invoiceDue(ctx context.Context) (Stats, error) {
	var total Stats
	for {
		var st Stats
		var found int
		err := w.Tx.InTx(ctx, func(tx Tx) error {
			st, found = Stats{}, 0
			now := w.now()
			subs, err := tx.DueSubscriptions(ctx, now, w.batch())
			if err != nil {
				return err
			}
			found = len(subs)
			for i := range subs {
				if err := w.invoiceOne(ctx, tx, &subs[i], now, &st); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total.add(st)
		if found < w.batch() {
			return total, nil
		}
	}
}

func (w *Worker) invoiceOne(ctx context.Context, tx Tx, s *streaming.Subscription, now time.Time, st *Stats) error {
	if s.CancelAtPeriodEnd {
		if err := s.EndAtPeriodEnd(); err != nil {
			return err
		}
		st.Ended++
		return w.save(ctx, tx, s, now, streaming.EventSubscriptionEnded)
	}
	plan, err := tx.PlanByID(ctx, s.PlanID)
	if err != nil {
		return err
	}
	credit, err := tx.SubscriptionCredit(ctx, s.ID)
	if err != nil {
		return err
	}
	inv, left := streaming.RenewalInvoice(s, plan.Name, credit, now)
	if err := tx.CreateInvoice(ctx, &inv); err != nil {
		if streaming.ErrorCode(err) == streaming.CodeConflict {
			return nil // another worker invoiced this period first
		}
		return err
	}
	st.Invoiced++
	if left != credit {
		if err := tx.SetSubscriptionCredit(ctx, s.ID, left); err != nil {
			return err
		}
	}
	if inv.Status != streaming.InvoiceVoid {
		return nil // charged by chargeDue
	}
	// The credit covered the period: nothing to charge.
	if err := s.Renew(&inv); err != nil {
		return err
	}
	st.Renewed++
	return w.save(ctx, tx, s, now, streaming.EventSubscriptionRenewed)
}

// claim is a charge attempt claimed in one transaction and sent after it commits.
type claim struct {
	inv           streaming.Invoice
	attempt       int32
	method, token string
}

// chargeDue claims the open invoices whose next attempt is due (or whose claimed charge was never recorded), sends
// their charges outside any transaction, and records each outcome. It returns how many invoices it claimed.
func (w *Worker) chargeDue(ctx context.Context) (Stats, int, error) {
	var total Stats
	claimedTotal := 0
	for {
		var st Stats
		var claims []claim
		var found int
		err := w.Tx.InTx(ctx, func(tx Tx) error {
			st, claims, found = Stats{}, nil, 0
			now := w.now()
			invs, err := tx.DueInvoices(ctx, now, w.batch())
			if err != nil {
				return err
			}
			found = len(invs)
			for i := range invs {
				c, err := w.claimOne(ctx, tx, &invs[i], now, &st)
				if err != nil {
					return err
				}
				if c != nil {
					claims = append(claims, *c)
				}
			}
			return nil
		})
		if err != nil {
			return total, claimedTotal, err
		}
		total.add(st)
		claimedTotal += found
		for _, c := range claims {
			res, err := w.Processor.Charge(ctx, streaming.Charge{IdempotencyKey: RenewalKey(c.inv.SubscriptionID, c.inv.PeriodStart, c.attempt),
				UserID: c.inv.UserID, AmountCents: c.inv.AmountCents, Currency: c.inv.Currency, Method: c.method, Token: c.token})
			total.Charged++
			if err != nil {
				// Unknown outcome: the claim stays, and after its lease the same attempt is sent again.
				w.log().Warn("billing: charge failed; sent again after the lease", "invoice_id", c.inv.ID, "err", err)
				continue
			}
			rst, err := w.record(ctx, c, res)
			total.add(rst)
			if err != nil {
				return total, claimedTotal, err
			}
		}
		if found < w.batch() {
			return total, claimedTotal, nil
		}
	}
}

// claimOne decides what a due invoice needs: its grace period is over (expire it), or a charge attempt, claimed by
// recording it on the invoice with a lease. An attempt claimed before and never recorded is sent again as it was.
func (w *Worker) claimOne(ctx context.Context, tx Tx, inv *streaming.Invoice, now time.Time, st *Stats) (*claim, error) {
	s, err := tx.SubscriptionForUpdate(ctx, inv.SubscriptionID)
	if err != nil {
		return nil, err
	}
	if inv.Charging == 0 && inv.Attempts > 0 && !now.Before(inv.PeriodStart.Add(w.Policy.Grace)) {
		return nil, w.expire(ctx, tx, s, inv, now, st)
	}
	if inv.Charging == 0 {
		inv.Attempts++
		inv.Charging = inv.Attempts
	}
	lease := now.Add(w.lease())
	inv.NextAttemptAt = &lease
	if err := tx.UpdateInvoice(ctx, inv); err != nil {
		return nil, err
	}
	token, err := tx.PaymentToken(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	return &claim{inv: *inv, attempt: inv.Charging, method: s.PaymentMethod, token: token}, nil
}

// record writes the outcome of a charge attempt: paid and renewed, or declined and scheduled again (past due), or
// declined for the last time (expired).
func (w *Worker) record(ctx context.Context, c claim, res streaming.ChargeResult) (Stats, error) {
	var st Stats
	err := w.Tx.InTx(ctx, func(tx Tx) error {
		st = Stats{}
		now := w.now()
		s, err := tx.SubscriptionForUpdate(ctx, c.inv.SubscriptionID)
		if err != nil {
			return err
		}
		inv, err := tx.InvoiceForUpdate(ctx, c.inv.ID)
		if err != nil {
			return err
		}
		if inv.Status == streaming.InvoiceVoid && res.Approved {
			// The user canceled the past-due subscription while this charge was in flight: the money was taken
			// for a period that will not be served. There is no refund job yet; an operator refunds it.
			w.log().Warn("billing: charged for an invoice voided meanwhile; refund it", "invoice_id", inv.ID,
				"subscription_id", inv.SubscriptionID, "processor_ref", res.Reference, "amount", streaming.FormatCents(inv.AmountCents))
			return nil
		}
		if inv.Status != streaming.InvoiceOpen || inv.Charging != c.attempt {
			return nil // recorded already by a worker that resent this attempt after the lease
		}
		inv.Charging, inv.ProcessorRef = 0, res.Reference
		if res.Approved {
			paid := now
			inv.Status, inv.PaidAt, inv.NextAttemptAt, inv.LastError = streaming.InvoicePaid, &paid, nil, ""
			if err := tx.UpdateInvoice(ctx, inv); err != nil {
				return err
			}
			if err := tx.CreatePayment(ctx, &streaming.Payment{SubscriptionID: s.ID, UserID: s.UserID,
				AmountCents: inv.AmountCents, Currency: inv.Currency, Status: streaming.PaymentApproved,
				ProcessorRef: res.Reference}); err != nil {
				return err
			}
			if s.Renew(inv) != nil {
				return nil // paid, but the subscription ended meanwhile (canceled): the invoice stays paid
			}
			s.PaymentFingerprint = cmp.Or(res.Fingerprint, s.PaymentFingerprint)
			st.Renewed++
			return w.save(ctx, tx, s, now, streaming.EventSubscriptionRenewed)
		}
		inv.LastError = res.Reason
		next, expire := w.Policy.AfterDecline(inv.PeriodStart, int(inv.Attempts), now)
		if expire && !next.After(now) {
			return w.expire(ctx, tx, s, inv, now, &st)
		}
		inv.NextAttemptAt = &next
		if err := tx.UpdateInvoice(ctx, inv); err != nil {
			return err
		}
		if s.Status != streaming.SubscriptionActive {
			return nil // past due already: only the invoice changed
		}
		if err := s.MarkPastDue(inv); err != nil {
			return err
		}
		st.PastDue++
		return w.save(ctx, tx, s, now, streaming.EventSubscriptionPastDue)
	})
	return st, err
}

// expire gives up on an invoice: uncollectible, and its subscription expired.
func (w *Worker) expire(ctx context.Context, tx Tx, s *streaming.Subscription, inv *streaming.Invoice, now time.Time, st *Stats) error {
	inv.Status, inv.NextAttemptAt, inv.Charging = streaming.InvoiceUncollectible, nil, 0
	if err := tx.UpdateInvoice(ctx, inv); err != nil {
		return err
	}
	if s.Status == streaming.SubscriptionActive {
		// Declined for the first and last time (no retry fits in the grace period).
		if err := s.MarkPastDue(inv); err != nil {
			return err
		}
	}
	if s.Expire(now) != nil {
		return nil // the subscription ended otherwise meanwhile; the invoice is all that was left
	}
	st.Expired++
	return w.save(ctx, tx, s, now, streaming.EventSubscriptionExpired)
}

// save writes the subscription and its event.
func (w *Worker) save(ctx context.Context, tx Tx, s *streaming.Subscription, now time.Time, typ string) error {
	if err := tx.UpdateSubscription(ctx, s); err != nil {
		return err
	}
	payload, err := json.Marshal(streaming.NewSubscriptionPayload(s))
	if err != nil {
		return err
	}
	return tx.AppendEvent(ctx, streaming.Event{AggregateType: streaming.AggregateSubscription, AggregateID: s.ID,
		Version: s.Version, Type: typ, Payload: payload, OccurredAt: now})
}

// RenewalKey is the processor's idempotency key of attempt n of the charge of a subscription's period: derived from
// the subscription and the period's start, so it names that period's charge wherever and whenever it is sent, and
// from the attempt, because a processor answers a key it has seen with its first answer (a retry of a declined
// charge must be a new request to be tried at all).
func RenewalKey(subscriptionID string, periodStart time.Time, attempt int32) string {
	sum := sha256.Sum256([]byte("renewal\x00" + subscriptionID + "\x00" + periodStart.UTC().Format(time.RFC3339Nano) +
		"\x00" + strconv.Itoa(int(attempt))))
	return "ren_" + hex.EncodeToString(sum[:20])
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (w *Worker) batch() int {
	if w.Batch > 0 {
		return w.Batch
	}
	return 100
}

func (w *Worker) lease() time.Duration {
	if w.Lease > 0 {
		return w.Lease
	}
	return 5 * time.Minute
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}
