package main

// create_subscription: subscriptions created per second through the real server (gRPC, interceptors, command
// handler, CommandStore), against raw pgx doing the same writes in one transaction with the same concurrency on the
// same database. Ratio = server ÷ raw.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/streaming"
)

const (
	subPerSide     = 6000 // measured subscriptions per side, each for a user of its own
	subCycles      = 3    // ABBA cycles the measured subscriptions are spread over
	subConcurrency = 16   // client workers per side, each with one call in flight
	subWarmup      = 200  // unmeasured subscriptions per side first: connections, prepared statements, HTTP/2 streams
	subRoundCap    = 60 * time.Second
	subToken       = "tok_visa" // approved by the local simulated processor
)

func createSubscription(ctx context.Context) ([]Result, error) {
	pgURL, drop, err := benchSchema(ctx)
	if err != nil {
		return nil, err
	}
	defer drop()
	// Projections off: the raw side writes the same rows and nothing else, so the server must not also run the outbox
	// relay (and its Neo4j, search and Redis projectors) over the events it commits.
	srv, err := startServer(ctx, pgURL, func(c *config.Config) { c.ReadModelsEnabled = false }) // migrates the fresh schema
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	client := pb.NewCommandServiceClient(srv.conn)

	plan, err := client.CreatePlan(srv.asAdmin(ctx), &pb.CreatePlanRequest{Name: "Bench", MonthlyPrice: "9.99",
		Currency: "USD", MaxStreams: 2, MaxQuality: pb.VideoQuality_VIDEO_QUALITY_HD, Available: true})
	if err != nil {
		return nil, fmt.Errorf("create plan: %w", err)
	}
	planID := plan.GetPlan().GetId()

	// The raw side gets a pool configured exactly like the server's (same URL, same MaxConns), so the comparison
	// measures the server's layers, not a bigger pool.
	raw, closeRaw, err := postgres.Open(ctx, postgres.Config{URL: srv.cfg.PostgresURL,
		MaxConns: int(srv.built.Pool.Config().MaxConns)})
	if err != nil {
		return nil, err
	}
	defer closeRaw()

	users, err := insertUsers(ctx, raw, 2*(subPerSide+subWarmup))
	if err != nil {
		return nil, err
	}
	type side struct {
		name        string
		warm, users []string
		op          func(ctx context.Context, userID string) error
		total       load
	}
	server := &side{name: "server", warm: users[:subWarmup], users: users[subWarmup : subWarmup+subPerSide],
		op: func(ctx context.Context, userID string) error {
			_, err := client.CreateSubscription(srv.asAdmin(ctx), &pb.CreateSubscriptionRequest{UserId: userID,
				PlanId: planID, PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD, PaymentToken: subToken,
				IdempotencyKey: uuid.NewString()})
			return err
		}}
	rest := users[subWarmup+subPerSide:]
	baseline := &side{name: "raw pgx", warm: rest[:subWarmup], users: rest[subWarmup:],
		op: func(ctx context.Context, userID string) error { return rawSubscribe(ctx, raw, userID, planID) }}

	forUsers := func(s *side, users []string) func(context.Context, int) error {
		return func(ctx context.Context, i int) error { return s.op(ctx, users[i]) }
	}
	for _, s := range []*side{baseline, server} {
		if _, err := runLoad(ctx, len(s.warm), subConcurrency, subRoundCap, forUsers(s, s.warm)); err != nil {
			return nil, fmt.Errorf("%s warm-up: %w", s.name, err)
		}
	}
	// Measure in short rounds, in repeated ABBA order (raw, server, server, raw), so drift over the run (tables
	// and WAL growing, checkpoints, autovacuum) and other work on the shared machine weigh on both sides alike.
	chunk := subPerSide / (2 * subCycles)
	next := map[*side]int{}
	for range subCycles {
		for _, s := range []*side{baseline, server, server, baseline} {
			users := s.users[next[s]*chunk : (next[s]+1)*chunk]
			next[s]++
			l, err := runLoad(ctx, len(users), subConcurrency, subRoundCap, forUsers(s, users))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			s.total.add(l)
		}
	}
	if err := checkRows(ctx, raw, 2*(subPerSide+subWarmup)); err != nil {
		return nil, err
	}

	pg, err := postgresConditions(ctx, raw)
	if err != nil {
		return nil, err
	}
	conditions := fmt.Sprintf("%d subscriptions per side for distinct fresh users, %d concurrent workers per side "+
		"(server: gRPC calls with the admin token over one loopback HTTP/2 connection to the in-process server; "+
		"raw: pgx, no server), pgxpool MaxConns=%d on both sides, two READ COMMITTED transactions around the charge "+
		"(5 and 11 statements: the second writes the subscription with its first period, token and card fingerprint, the paid invoice and its line, the payment, the event) per subscription, %d unmeasured warm-up subscriptions per side, measured in %d ABBA cycles; server built "+
		"with projections off (no outbox relay: the SubscriptionCreated rows stay unpublished, as on the raw side); users inserted "+
		"directly into PostgreSQL (same columns, one shared Argon2id hash), plan created through the API; server "+
		"logs JSON at info to io.Discard; fresh schema in the stack's database; %s; %s",
		subPerSide, subConcurrency, srv.built.Pool.Config().MaxConns, subWarmup, subCycles, pg, machine())
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	s, b := server.total, baseline.total
	return []Result{
		{Name: "create_subscription", Value: round(s.perSecond(), 1), Unit: "ops/s",
			Baseline: round(b.perSecond(), 1), Ratio: ratio(s.perSecond(), b.perSecond()), Conditions: conditions},
		{Name: "create_subscription_p50", Value: ms(s.percentile(.50)), Unit: "ms",
			Baseline: ms(b.percentile(.50)), Ratio: ratio(ms(s.percentile(.50)), ms(b.percentile(.50))), Conditions: conditions},
		{Name: "create_subscription_p99", Value: ms(s.percentile(.99)), Unit: "ms",
			Baseline: ms(b.percentile(.99)), Ratio: ratio(ms(s.percentile(.99)), ms(b.percentile(.99))), Conditions: conditions},
	}, nil
}

// insertUsers writes n users straight into PostgreSQL (COPY) with the columns RegisterUser writes, and returns
// their ids. Registering through the API would spend a 19 MiB Argon2id hash per user (about a minute of both cores
// for this many users), which is set-up, not what is measured; so one real hash is computed and shared.
func insertUsers(ctx context.Context, pool *pgxpool.Pool, n int) ([]string, error) {
	hash, err := password.Hash("bench-password", password.Default)
	if err != nil {
		return nil, err
	}
	ids := make([]string, n)
	rows := make([][]any, n)
	for i := range n {
		ids[i] = uuid.NewString()
		rows[i] = []any{ids[i], fmt.Sprintf("bench-%d@example.com", i), fmt.Sprintf("Bench User %d", i), "US", hash}
	}
	_, err = pool.CopyFrom(ctx, pgx.Identifier{"users"},
		[]string{"id", "email", "display_name", "country", "password_hash"}, pgx.CopyFromRows(rows))
	return ids, err
}

// rawSubscribe is the baseline: what CreateSubscription writes, as plain pgx, in the same two READ COMMITTED
// transactions around the charge (which holds no transaction open): first claim the idempotency key, read the user
// and the plan, check the user has no active subscription and record the pending payment attempt; then claim the
// key again (locking it), lock the attempt, read the plan, insert subscription, payment and outbox event, mark the
// attempt approved and complete the key with the response. Same statements, same columns and same payload shapes
// as the store, so the rows are the same size; no gRPC, interceptors, handler or store layers. The local processor
// in between costs a hash on both sides.
func rawSubscribe(ctx context.Context, pool *pgxpool.Pool, userID, planID string) error {
	key := uuid.NewString()
	scope := "create_subscription:" + userID
	sum := sha256.Sum256([]byte(userID + "\x00" + planID + "\x00card\x00" + subToken))
	requestHash := hex.EncodeToString(sum[:])
	processorKey := sha256.Sum256([]byte(scope + "\x00" + key + "\x00" + requestHash))
	txOpts := pgx.TxOptions{IsoLevel: pgx.ReadCommitted}
	var attemptID string
	err := pgx.BeginTxFunc(ctx, pool, txOpts, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
			ON CONFLICT (scope, key) DO NOTHING`, scope, key, requestHash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return errors.New("idempotency key already claimed")
		}
		var u streaming.User
		if err := tx.QueryRow(ctx, `SELECT id, email, display_name, country, password_hash, version, created_at
			FROM users WHERE id = $1`, userID).Scan(&u.ID, &u.Email, &u.DisplayName, &u.Country, &u.PasswordHash,
			&u.Version, &u.CreatedAt); err != nil {
			return err
		}
		p, err := rawPlan(ctx, tx, planID)
		if err != nil {
			return err
		}
		var active bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE user_id = $1 AND status = 'active')`,
			userID).Scan(&active); err != nil || active {
			if err == nil {
				err = errors.New("already subscribed")
			}
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO payment_attempts (id, scope, key, user_id, plan_id, amount, currency,
				payment_method, processor_key, status)
			VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::bigint / 100.0, $6, 'card', $7, 'pending') RETURNING id`,
			scope, key, userID, p.ID, p.PriceCents, p.Currency, hex.EncodeToString(processorKey[:])).Scan(&attemptID)
	})
	if err != nil {
		return err
	}
	ref := sha256.Sum256([]byte(userID + "\x00" + hex.EncodeToString(processorKey[:]))) // the local processor's charge
	return pgx.BeginTxFunc(ctx, pool, txOpts, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
			ON CONFLICT (scope, key) DO NOTHING`, scope, key, requestHash); err != nil {
			return err
		}
		var hash string
		var stored []byte
		if err := tx.QueryRow(ctx, `SELECT request_hash, response FROM idempotency_keys WHERE scope = $1 AND key = $2
			FOR UPDATE`, scope, key).Scan(&hash, &stored); err != nil {
			return err
		}
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM payment_attempts WHERE scope = $1 AND key = $2
			AND status <> 'declined' FOR UPDATE`, scope, key).Scan(&status); err != nil {
			return err
		}
		p, err := rawPlan(ctx, tx, planID)
		if err != nil {
			return err
		}
		var res command.SubscriptionResult
		s := &res.Subscription
		start := time.Now().UTC().Truncate(time.Microsecond)
		*s = streaming.Subscription{ID: uuid.NewString(), UserID: userID, PlanID: p.ID, Status: "active",
			StartDate: start, PriceCents: p.PriceCents, Currency: p.Currency, PaymentMethod: "card",
			CurrentPeriodStart: start, CurrentPeriodEnd: start.AddDate(0, 1, 0)}
		// The subscription with its first period, the saved payment token and the card's fingerprint in one row
		// (the command saves the token with a second statement).
		if err := tx.QueryRow(ctx, `INSERT INTO subscriptions (id, user_id, plan_id, status, start_date, end_date,
				monthly_price, currency, payment_method, current_period_start, current_period_end, payment_token,
				payment_fingerprint)
			VALUES ($1, $2, $3, $4, $5, $6, $7::bigint / 100.0, $8, $9, $10, $11, $12, $13)
			RETURNING version, created_at, updated_at`,
			s.ID, s.UserID, s.PlanID, s.Status, s.StartDate, s.EndDate, s.PriceCents, s.Currency, s.PaymentMethod,
			s.CurrentPeriodStart, s.CurrentPeriodEnd, "tok_visa", "fp_"+hex.EncodeToString(ref[:8]),
		).Scan(&s.Version, &s.CreatedAt, &s.UpdatedAt); err != nil {
			return err
		}
		// The period's paid invoice and its line.
		var invoiceID string
		if err := tx.QueryRow(ctx, `INSERT INTO invoices (id, user_id, subscription_id, plan_id, kind, period_start,
				period_end, amount, currency, status, attempts, charging, paid_at, processor_ref, last_error)
			VALUES (gen_random_uuid(), $1, $2, $3, 'period', $4, $5, $6::bigint / 100.0, $7, 'paid', 1, 0, $4, $8, '')
			RETURNING id`,
			userID, s.ID, p.ID, s.CurrentPeriodStart, s.CurrentPeriodEnd, p.PriceCents, p.Currency,
			"local_"+hex.EncodeToString(ref[:8])).Scan(&invoiceID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO invoice_lines (invoice_id, position, description, amount, plan_id,
				period_start, period_end)
			VALUES ($1, 0, $2, $3::bigint / 100.0, $4, $5, $6)`,
			invoiceID, p.Name, p.PriceCents, p.ID, s.CurrentPeriodStart, s.CurrentPeriodEnd); err != nil {
			return err
		}
		pay := &res.Payment
		*pay = streaming.Payment{ID: uuid.NewString(), SubscriptionID: s.ID, UserID: userID,
			AmountCents: p.PriceCents, Currency: p.Currency, Status: "approved",
			ProcessorRef: "local_" + hex.EncodeToString(ref[:8])}
		if err := tx.QueryRow(ctx, `INSERT INTO payments (id, subscription_id, user_id, amount, currency, status,
				processor_ref)
			VALUES ($1, $2, $3, $4::bigint / 100.0, $5, $6, $7) RETURNING created_at`,
			pay.ID, pay.SubscriptionID, pay.UserID, pay.AmountCents, pay.Currency, pay.Status, pay.ProcessorRef,
		).Scan(&pay.CreatedAt); err != nil {
			return err
		}
		event, err := json.Marshal(map[string]any{"subscription_id": s.ID, "user_id": s.UserID, "plan_id": s.PlanID,
			"status": s.Status, "monthly_price": streaming.FormatCents(s.PriceCents), "currency": s.Currency,
			"start_date": s.StartDate, "end_date": s.EndDate})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (aggregate_type, aggregate_id, version, event_type, payload,
				occurred_at)
			VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
			"subscription", s.ID, s.Version, "SubscriptionCreated", string(event), time.Now().UTC()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE payment_attempts SET status = 'approved', processor_ref = $2, updated_at = now()
			WHERE id = $1`, attemptID, pay.ProcessorRef); err != nil {
			return err
		}
		response, err := json.Marshal(res)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE idempotency_keys SET response = $3 WHERE scope = $1 AND key = $2`,
			scope, key, response)
		return err
	})
}

// rawPlan reads an available plan as the store does.
func rawPlan(ctx context.Context, tx pgx.Tx, planID string) (streaming.Plan, error) {
	var p streaming.Plan
	if err := tx.QueryRow(ctx, `SELECT id, name, description, (monthly_price * 100)::bigint, currency,
		max_streams, max_quality, available, version, created_at, updated_at FROM plans WHERE id = $1`,
		planID).Scan(&p.ID, &p.Name, &p.Description, &p.PriceCents, &p.Currency, &p.MaxStreams, &p.MaxQuality,
		&p.Available, &p.Version, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return p, err
	}
	if !p.Available {
		return p, errors.New("plan not available")
	}
	return p, nil
}

// checkRows confirms both sides really wrote what they claim: one active subscription, one payment, one outbox
// event and one completed idempotency key per call.
func checkRows(ctx context.Context, pool *pgxpool.Pool, want int) error {
	var subs, payments, events, keys int
	err := pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM subscriptions WHERE status = 'active'),
		(SELECT count(*) FROM payments),
		(SELECT count(*) FROM outbox WHERE event_type = 'SubscriptionCreated'),
		(SELECT count(*) FROM idempotency_keys WHERE response IS NOT NULL)`).Scan(&subs, &payments, &events, &keys)
	if err != nil {
		return err
	}
	if subs != want || payments != want || events != want || keys != want {
		return fmt.Errorf("rows written: %d subscriptions, %d payments, %d events, %d keys; want %d each",
			subs, payments, events, keys, want)
	}
	return nil
}
