package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// The tests run against the real PostgreSQL of the local stack, each in a schema of its own (some write odd
// outbox rows on purpose, which no relay must ever see).

// setup migrates a fresh schema and returns a store, its pool and a test context.
func setup(t *testing.T) (*postgres.CommandStore, *pgxpool.Pool, context.Context) {
	t.Helper()
	url, _ := storetest.PostgresSchema(t, "store_test")
	ctx := storetest.Context(t, 2*time.Minute)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatalf("pool: %v", err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return postgres.NewCommandStore(pool), pool, ctx
}

// inTx runs fn in a transaction and fails the test on error.
func inTx(t *testing.T, ctx context.Context, store *postgres.CommandStore, fn func(tx streaming.CommandTx) error) {
	t.Helper()
	if err := store.InTx(ctx, fn); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// wantCode fails unless err is a *streaming.Error with code (and, when given, that message).
func wantCode(t *testing.T, err error, code streaming.Code, message string) *streaming.Error {
	t.Helper()
	e := streaming.AsError(err)
	if e == nil || e.Code != code || (message != "" && e.Message != message) {
		t.Fatalf("error = %v; want code %q message %q", err, code, message)
	}
	return e
}

func newUser(t *testing.T, ctx context.Context, store *postgres.CommandStore) *streaming.User {
	t.Helper()
	u := &streaming.User{Email: "user." + storetest.Unique() + "@example.com", DisplayName: "Test User", Country: "ES",
		PasswordHash: "hash"}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreateUser(ctx, u) })
	return u
}

func newPlan(t *testing.T, ctx context.Context, store *postgres.CommandStore, cents int64) *streaming.Plan {
	t.Helper()
	p := &streaming.Plan{Name: "Plan " + storetest.Unique(), Description: "test", PriceCents: cents, Currency: "EUR",
		MaxStreams: 2, MaxQuality: "hd", Available: true}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreatePlan(ctx, p) })
	return p
}

func activeSubscription(u *streaming.User, p *streaming.Plan) *streaming.Subscription {
	return &streaming.Subscription{UserID: u.ID, PlanID: p.ID, Status: streaming.SubscriptionActive,
		PriceCents: p.PriceCents, Currency: p.Currency, PaymentMethod: streaming.PaymentCard}
}

func count(t *testing.T, ctx context.Context, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

const missingID = "00000000-0000-4000-8000-000000000000"

func TestMigrateTwice(t *testing.T) {
	_, pool, ctx := setup(t) // migrated once
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if n := count(t, ctx, pool, `SELECT count(*) FROM goose_db_version WHERE version_id = 1`); n != 1 {
		t.Fatalf("migration 1 recorded %d times, want 1", n)
	}
}

// TestConcurrentMigrationsOfAnEmptySchema starts three replicas at once on an empty schema: the advisory lock lets one
// migrate while the others wait, then find nothing to do.
func TestConcurrentMigrationsOfAnEmptySchema(t *testing.T) {
	_, pool, ctx := setup(t)
	schema := "migrate_" + storetest.Unique()
	if _, err := pool.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() { pool.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	cfg := pool.Config().Copy()
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	scoped, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer scoped.Close()

	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = postgres.Migrate(ctx, scoped) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent migrate: %v", err)
	}
	if n := count(t, ctx, scoped, `SELECT count(*) FROM goose_db_version WHERE version_id = 1`); n != 1 {
		t.Fatalf("migration 1 recorded %d times, want 1", n)
	}
	if n := count(t, ctx, pool, `SELECT count(*) FROM pg_tables WHERE schemaname = $1`, schema); n != 15 {
		t.Fatalf("%d tables in the new schema, want 14 (8 + the outbox's dead letters and owed events + payment attempts + 00009's invoices and their lines + 00011's user erasures; 00006's rating shards went in 00008) and goose's", n)
	}
}

func TestUsers(t *testing.T) {
	store, pool, ctx := setup(t)
	suffix := storetest.Unique()
	u := &streaming.User{Email: "Ana." + suffix + "@Example.COM", DisplayName: "Robert'); DROP TABLE users;--",
		Country: "ES", PasswordHash: "$argon2id$v=19$m=65536'--"}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreateUser(ctx, u) })
	if u.ID == "" || u.Version != 1 || u.CreatedAt.IsZero() || u.Email != "ana."+suffix+"@example.com" {
		t.Fatalf("created user = %+v; want id, version 1, created_at and a lower-cased email", u)
	}

	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.UserByEmail(ctx, "ANA."+suffix+"@example.com")
		if err != nil {
			return err
		}
		if *got != *u {
			t.Errorf("UserByEmail = %+v, want %+v", got, u)
		}
		got, err = tx.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if got.DisplayName != "Robert'); DROP TABLE users;--" || got.PasswordHash != u.PasswordHash {
			t.Errorf("stored strings changed: %+v", got)
		}
		return nil
	})
	if n := count(t, ctx, pool, `SELECT count(*) FROM users WHERE display_name = $1`, u.DisplayName); n < 1 {
		t.Fatalf("injection-like display name not stored literally")
	}

	// The same email in another case is taken.
	err := store.InTx(ctx, func(tx streaming.CommandTx) error {
		return tx.CreateUser(ctx, &streaming.User{Email: "ANA." + suffix + "@example.com", DisplayName: "x",
			Country: "FR", PasswordHash: "h"})
	})
	wantCode(t, err, streaming.CodeConflict, "email already registered")

	// Not found reads do not abort the transaction: the next statement still works.
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		_, err := tx.UserByID(ctx, missingID)
		wantCode(t, err, streaming.CodeNotFound, "user not found")
		_, err = tx.UserByID(ctx, "not-a-uuid")
		wantCode(t, err, streaming.CodeNotFound, "user not found")
		_, err = tx.UserByEmail(ctx, "nobody."+suffix+"@example.com")
		wantCode(t, err, streaming.CodeNotFound, "user not found")
		_, err = tx.UserByID(ctx, u.ID)
		return err
	})

	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		return tx.CreateUser(ctx, &streaming.User{Email: "b." + suffix + "@example.com", DisplayName: "x",
			Country: "es", PasswordHash: "h"})
	})
	if e := wantCode(t, err, streaming.CodeInvalid, ""); e.Field != "country" {
		t.Fatalf("field = %q, want country", e.Field)
	}
}

func TestPlansAndMoney(t *testing.T) {
	store, pool, ctx := setup(t)
	for _, cents := range []int64{99999999, 1, 0, 999} {
		p := newPlan(t, ctx, store, cents)
		if p.ID == "" || p.Version != 1 || p.CreatedAt.IsZero() || !p.UpdatedAt.Equal(p.CreatedAt) {
			t.Fatalf("created plan = %+v", p)
		}
		var text string
		if err := pool.QueryRow(ctx, `SELECT monthly_price::text FROM plans WHERE id = $1`, p.ID).Scan(&text); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d.%02d", cents/100, cents%100); text != want {
			t.Fatalf("stored price %s, want %s", text, want)
		}
		inTx(t, ctx, store, func(tx streaming.CommandTx) error {
			got, err := tx.PlanByID(ctx, p.ID)
			if err == nil && *got != *p {
				t.Errorf("PlanByID = %+v, want %+v", got, p)
			}
			return err
		})
	}

	p := newPlan(t, ctx, store, 999)
	err := store.InTx(ctx, func(tx streaming.CommandTx) error {
		return tx.CreatePlan(ctx, &streaming.Plan{Name: p.Name, PriceCents: 1, Currency: "EUR", MaxStreams: 1,
			MaxQuality: "sd"})
	})
	wantCode(t, err, streaming.CodeConflict, "plan name already taken")

	time.Sleep(2 * time.Millisecond) // so updated_at (the transaction's start) moves
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		locked, err := tx.PlanForUpdate(ctx, p.ID)
		if err != nil {
			return err
		}
		locked.Name += " (new)'; --"
		locked.PriceCents = 1299
		locked.Available = false
		if err := tx.UpdatePlan(ctx, locked); err != nil {
			return err
		}
		if locked.Version != 2 || !locked.UpdatedAt.After(p.UpdatedAt) || !locked.CreatedAt.Equal(p.CreatedAt) {
			t.Errorf("updated plan = %+v", locked)
		}
		got, err := tx.PlanByID(ctx, p.ID)
		if err == nil && *got != *locked {
			t.Errorf("after update PlanByID = %+v, want %+v", got, locked)
		}
		return err
	})

	for _, tc := range []struct {
		name  string
		edit  func(*streaming.Plan)
		field string
	}{
		{"negative price", func(p *streaming.Plan) { p.PriceCents = -1 }, "monthly_price"},
		{"too many streams", func(p *streaming.Plan) { p.MaxStreams = 11 }, "max_streams"},
		{"unknown quality", func(p *streaming.Plan) { p.MaxQuality = "8k" }, "max_quality"},
		{"lower-case currency", func(p *streaming.Plan) { p.Currency = "eur" }, "currency"},
		{"price overflow", func(p *streaming.Plan) { p.PriceCents = 100000000 }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := &streaming.Plan{Name: "Bad " + storetest.Unique(), PriceCents: 100, Currency: "EUR", MaxStreams: 1,
				MaxQuality: "sd"}
			tc.edit(bad)
			err := store.InTx(ctx, func(tx streaming.CommandTx) error { return tx.CreatePlan(ctx, bad) })
			if e := wantCode(t, err, streaming.CodeInvalid, ""); e.Field != tc.field {
				t.Fatalf("field = %q, want %q (%v)", e.Field, tc.field, err)
			}
		})
	}

	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		_, err := tx.PlanByID(ctx, missingID)
		wantCode(t, err, streaming.CodeNotFound, "plan not found")
		_, err = tx.PlanForUpdate(ctx, missingID)
		wantCode(t, err, streaming.CodeNotFound, "plan not found")
		err = tx.UpdatePlan(ctx, &streaming.Plan{ID: missingID, Name: "x" + storetest.Unique(), Currency: "EUR",
			MaxStreams: 1, MaxQuality: "sd"})
		wantCode(t, err, streaming.CodeNotFound, "plan not found")
		return nil
	})
}

func TestSubscriptionsAndPayments(t *testing.T) {
	store, pool, ctx := setup(t)
	u, p := newUser(t, ctx, store), newPlan(t, ctx, store, 99999999)

	s := activeSubscription(u, p)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreateSubscription(ctx, s) })
	if s.ID == "" || s.Version != 1 || s.StartDate.IsZero() || s.EndDate != nil || s.PriceCents != 99999999 {
		t.Fatalf("created subscription = %+v", s)
	}

	// One active subscription per user.
	err := store.InTx(ctx, func(tx streaming.CommandTx) error { return tx.CreateSubscription(ctx, activeSubscription(u, p)) })
	wantCode(t, err, streaming.CodePrecondition, "user already has an active subscription")

	pay := &streaming.Payment{SubscriptionID: s.ID, UserID: u.ID, AmountCents: 99999999, Currency: "EUR",
		Status: streaming.PaymentApproved, ProcessorRef: "ref-'1"}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreatePayment(ctx, pay) })
	if pay.ID == "" || pay.CreatedAt.IsZero() || pay.AmountCents != 99999999 {
		t.Fatalf("created payment = %+v", pay)
	}

	// Cancel it; a new active one is then allowed.
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.SubscriptionForUpdate(ctx, s.ID)
		if err != nil {
			return err
		}
		if *got != *s {
			t.Errorf("SubscriptionForUpdate = %+v, want %+v", got, s)
		}
		end := got.StartDate.Add(time.Hour)
		got.Status, got.EndDate = streaming.SubscriptionCanceled, &end
		if err := tx.UpdateSubscription(ctx, got); err != nil {
			return err
		}
		if got.Version != 2 || !got.EndDate.Equal(end) {
			t.Errorf("updated subscription = %+v", got)
		}
		return nil
	})
	cheap := newPlan(t, ctx, store, 1)
	s2 := activeSubscription(u, cheap)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreateSubscription(ctx, s2) })
	if s2.PriceCents != 1 {
		t.Fatalf("price 0.01 read back as %d cents", s2.PriceCents)
	}
	if n := count(t, ctx, pool, `SELECT count(*) FROM subscriptions WHERE user_id = $1`, u.ID); n != 2 {
		t.Fatalf("%d subscriptions, want 2", n)
	}

	// Reactivating the canceled one would make two active ones.
	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		old, err := tx.SubscriptionForUpdate(ctx, s.ID)
		if err != nil {
			return err
		}
		old.Status, old.EndDate = streaming.SubscriptionActive, nil
		return tx.UpdateSubscription(ctx, old)
	})
	wantCode(t, err, streaming.CodePrecondition, "user already has an active subscription")

	other := newUser(t, ctx, store)
	for _, tc := range []struct {
		name    string
		run     func(tx streaming.CommandTx) error
		code    streaming.Code
		message string
	}{
		{"missing plan", func(tx streaming.CommandTx) error {
			return tx.CreateSubscription(ctx, activeSubscription(other, &streaming.Plan{ID: missingID, Currency: "EUR"}))
		}, streaming.CodeNotFound, "plan not found"},
		{"missing user", func(tx streaming.CommandTx) error {
			return tx.CreateSubscription(ctx, activeSubscription(&streaming.User{ID: missingID}, p))
		}, streaming.CodeNotFound, "user not found"},
		{"end before start", func(tx streaming.CommandTx) error {
			s := activeSubscription(other, p)
			s.StartDate = time.Now()
			end := s.StartDate.Add(-time.Hour)
			s.EndDate = &end
			return tx.CreateSubscription(ctx, s)
		}, streaming.CodeInvalid, "must not be before the start date"},
		{"unknown payment method", func(tx streaming.CommandTx) error {
			s := activeSubscription(other, p)
			s.PaymentMethod = "cash"
			return tx.CreateSubscription(ctx, s)
		}, streaming.CodeInvalid, ""},
		{"payment of missing subscription", func(tx streaming.CommandTx) error {
			return tx.CreatePayment(ctx, &streaming.Payment{SubscriptionID: missingID, UserID: u.ID, AmountCents: 1,
				Currency: "EUR", Status: streaming.PaymentApproved})
		}, streaming.CodeNotFound, "subscription not found"},
		{"payment for another user's subscription", func(tx streaming.CommandTx) error {
			return tx.CreatePayment(ctx, &streaming.Payment{SubscriptionID: s.ID, UserID: other.ID, AmountCents: 1,
				Currency: "EUR", Status: streaming.PaymentApproved})
		}, streaming.CodeNotFound, "subscription not found"},
		{"zero payment", func(tx streaming.CommandTx) error {
			return tx.CreatePayment(ctx, &streaming.Payment{SubscriptionID: s.ID, UserID: u.ID, AmountCents: 0,
				Currency: "EUR", Status: streaming.PaymentApproved})
		}, streaming.CodeInvalid, "must be positive"},
		{"missing subscription", func(tx streaming.CommandTx) error {
			_, err := tx.SubscriptionForUpdate(ctx, missingID)
			return err
		}, streaming.CodeNotFound, "subscription not found"},
		{"update missing subscription", func(tx streaming.CommandTx) error {
			ghost := *s
			ghost.ID = missingID
			return tx.UpdateSubscription(ctx, &ghost)
		}, streaming.CodeNotFound, "subscription not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, store.InTx(ctx, tc.run), tc.code, tc.message)
		})
	}
}

func TestOneActiveSubscriptionUnderConcurrency(t *testing.T) {
	store, pool, ctx := setup(t)
	u, p := newUser(t, ctx, store), newPlan(t, ctx, store, 500)
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() {
			errs[i] = store.InTx(ctx, func(tx streaming.CommandTx) error {
				return tx.CreateSubscription(ctx, activeSubscription(u, p))
			})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantCode(t, err, streaming.CodePrecondition, "user already has an active subscription")
		}
	}
	if n := count(t, ctx, pool, `SELECT count(*) FROM subscriptions WHERE user_id = $1`, u.ID); ok != 1 || n != 1 {
		t.Fatalf("%d creations succeeded and %d rows exist, want 1 and 1", ok, n)
	}
}

func TestListSubscriptionsPages(t *testing.T) {
	store, _, ctx := setup(t)
	u, p := newUser(t, ctx, store), newPlan(t, ctx, store, 700)
	// Five in one transaction share created_at, so the id breaks the tie; one more later is the newest.
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		for range 5 {
			s := activeSubscription(u, p)
			s.Status = streaming.SubscriptionExpired
			if err := tx.CreateSubscription(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	newest := activeSubscription(u, p)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreateSubscription(ctx, newest) })

	var all []streaming.Subscription
	after := ""
	for page := 0; ; page++ {
		var subs []streaming.Subscription
		inTx(t, ctx, store, func(tx streaming.CommandTx) (err error) {
			subs, err = tx.ListSubscriptions(ctx, u.ID, 4, after)
			return err
		})
		all = append(all, subs...)
		if len(subs) < 4 || page > 5 {
			break
		}
		after = streaming.SubscriptionCursor(subs[len(subs)-1])
	}
	if len(all) != 6 || all[0].ID != newest.ID {
		t.Fatalf("listed %d subscriptions (first %v), want 6 with the newest first", len(all), all[0].ID)
	}
	if !slices.IsSortedFunc(all, func(a, b streaming.Subscription) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare([]byte(b.ID), []byte(a.ID))
	}) {
		t.Fatalf("not newest first: %v", all)
	}
	ids := map[string]bool{}
	for _, s := range all {
		ids[s.ID] = true
	}
	if len(ids) != 6 {
		t.Fatalf("pages repeated subscriptions: %d distinct of %d", len(ids), len(all))
	}

	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		subs, err := tx.ListSubscriptions(ctx, u.ID, 0, "")
		if err != nil || len(subs) != 6 {
			t.Errorf("default page: %d subscriptions, %v", len(subs), err)
		}
		subs, err = tx.ListSubscriptions(ctx, missingID, 10, "")
		if err != nil || len(subs) != 0 {
			t.Errorf("unknown user: %d subscriptions, %v", len(subs), err)
		}
		_, err = tx.ListSubscriptions(ctx, u.ID, 10, "not a cursor")
		if e := wantCode(t, err, streaming.CodeInvalid, ""); e.Field != "page_token" {
			t.Errorf("field = %q", e.Field)
		}
		return nil
	})
}

func TestContentsByIDReadsTheOnesThatExist(t *testing.T) {
	store, _, ctx := setup(t)
	a := &streaming.Content{Title: "A", Type: streaming.ContentMovie, Genres: []string{"drama"}}
	b := &streaming.Content{Title: "B", Type: streaming.ContentSeries, Genres: []string{"comedy"}, Seasons: 2}
	var got []streaming.Content
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		for _, c := range []*streaming.Content{a, b} {
			if _, err := tx.UpsertContent(ctx, c); err != nil {
				return err
			}
		}
		var err error
		got, err = tx.ContentsByID(ctx, []string{b.ID, missingID, "not-a-uuid", a.ID})
		return err
	})
	titles := map[string]string{}
	for _, c := range got {
		titles[c.ID] = c.Title
	}
	if len(got) != 2 || titles[a.ID] != "A" || titles[b.ID] != "B" {
		t.Errorf("ContentsByID = %+v", got)
	}
}

func TestContentAndRatings(t *testing.T) {
	store, pool, ctx := setup(t)
	u1, u2 := newUser(t, ctx, store), newUser(t, ctx, store)
	c := &streaming.Content{Title: `Ocean's "Eleven"'); DROP TABLE content;--`, Type: streaming.ContentMovie,
		Genres: []string{"drama", "heist"}, ReleaseYear: 2001, DurationSeconds: 6960}
	var created bool
	inTx(t, ctx, store, func(tx streaming.CommandTx) (err error) {
		created, err = tx.UpsertContent(ctx, c)
		return err
	})
	if !created || c.ID == "" || c.Version != 1 || c.Actors == nil || c.RatingCount != 0 {
		t.Fatalf("created = %v, content = %+v", created, c)
	}

	ratings := postgres.NewRatingStore(pool)
	rate := func(u *streaming.User, stars int32) *streaming.Rating {
		t.Helper()
		r := &streaming.Rating{UserID: u.ID, ContentID: c.ID, Stars: stars, Review: "it's 'fine'"}
		if err := store.RecordRating(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.UpdatedAt.IsZero() {
			t.Fatalf("rating UpdatedAt not set")
		}
		return r
	}
	wantAggregate := func(want postgres.RatingAggregate) {
		t.Helper()
		if got, err := ratings.Aggregate(ctx, c.ID); err != nil || got != want {
			t.Fatalf("aggregate = %+v, %v; want %+v", got, err, want)
		}
	}
	if r := rate(u1, 5); r.Version != 1 {
		t.Fatalf("first rating's version = %d, want 1", r.Version)
	}
	wantAggregate(postgres.RatingAggregate{StarsSum: 5, Ratings: 1})
	rate(u2, 4)
	wantAggregate(postgres.RatingAggregate{StarsSum: 9, Ratings: 2})
	if r := rate(u1, 2); r.Version != 2 {
		t.Fatalf("re-rating's version = %d, want 2", r.Version)
	}
	wantAggregate(postgres.RatingAggregate{StarsSum: 6, Ratings: 2})
	rate(u1, 2) // the same stars again: nothing to add
	wantAggregate(postgres.RatingAggregate{StarsSum: 6, Ratings: 2})

	// Ratings neither bump the title nor publish its figures; the flush publishes them, once for all three.
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.ContentByID(ctx, c.ID)
		if err == nil && (got.Version != 1 || got.RatingCount != 0 || !got.UpdatedAt.Equal(c.UpdatedAt)) {
			t.Errorf("content before the flush = %+v, want version 1 and no published ratings", got)
		}
		return err
	})
	flushAll(t, ctx, ratings, pool)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.ContentByID(ctx, c.ID)
		if err == nil && (got.Version != 1 || got.RatingAvg != 3 || got.RatingCount != 2) {
			t.Errorf("content after the flush = %+v, want version 1, 3.00 over 2", got)
		}
		return err
	})
	var payloads []string
	rows, _ := pool.Query(ctx, `SELECT payload::text FROM outbox WHERE aggregate_id = $1 AND event_type = $2`,
		c.ID, streaming.EventContentRatingAggregated)
	payloads, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(payloads) != 1 {
		t.Fatalf("aggregate events = %q, %v; want 1", payloads, err)
	}
	var pl streaming.RatingAggregatePayload
	if err := json.Unmarshal([]byte(payloads[0]), &pl); err != nil ||
		pl != (streaming.RatingAggregatePayload{ContentID: c.ID, RatingAvg: 3, RatingCount: 2, RatingSeq: 1}) {
		t.Fatalf("aggregate payload = %+v, %v", pl, err)
	}
	c.Version = 1 // what UpsertContent below bumps from

	// Replacing the title keeps its rating figures.
	c.Title, c.Actors, c.Seasons = "Ocean's Twelve", []string{"George"}, 0
	inTx(t, ctx, store, func(tx streaming.CommandTx) (err error) {
		created, err = tx.UpsertContent(ctx, c)
		return err
	})
	if created || c.Version != 2 || c.RatingAvg != 3 || c.RatingCount != 2 || c.Title != "Ocean's Twelve" {
		t.Fatalf("created = %v, content = %+v", created, c)
	}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.ContentByID(ctx, c.ID)
		if err == nil && !equalContent(got, c) {
			t.Errorf("ContentByID = %+v, want %+v", got, c)
		}
		return err
	})

	inTxRun := func(f func(tx streaming.CommandTx) error) func() error {
		return func() error { return store.InTx(ctx, f) }
	}
	rateRun := func(r streaming.Rating) func() error {
		return func() error { return store.RecordRating(ctx, &r) }
	}
	for _, tc := range []struct {
		name    string
		run     func() error
		code    streaming.Code
		message string
	}{
		{"missing content", inTxRun(func(tx streaming.CommandTx) error {
			_, err := tx.ContentByID(ctx, missingID)
			return err
		}), streaming.CodeNotFound, "content not found"},
		{"rating of missing content", rateRun(streaming.Rating{UserID: u1.ID, ContentID: missingID, Stars: 3}),
			streaming.CodeNotFound, "content not found"},
		{"rating by missing user", rateRun(streaming.Rating{UserID: missingID, ContentID: c.ID, Stars: 3}),
			streaming.CodeNotFound, "user not found"},
		{"six stars", rateRun(streaming.Rating{UserID: u1.ID, ContentID: c.ID, Stars: 6}),
			streaming.CodeInvalid, "must be between 1 and 5"},
		{"six stars on a re-rating", rateRun(streaming.Rating{UserID: u2.ID, ContentID: c.ID, Stars: 6}),
			streaming.CodeInvalid, "must be between 1 and 5"},
		{"unknown type", inTxRun(func(tx streaming.CommandTx) error {
			_, err := tx.UpsertContent(ctx, &streaming.Content{Title: "x", Type: "podcast", ReleaseYear: 2000})
			return err
		}), streaming.CodeInvalid, "must be one of movie, series, documentary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.run(), tc.code, tc.message)
		})
	}
}

// TestConcurrentRatingsAreAllCounted: raters of one title at once write their own rows, and none is lost: the
// published figures after a flush are the exact ones.
func TestConcurrentRatingsAreAllCounted(t *testing.T) {
	store, pool, ctx := setup(t)
	c := &streaming.Content{Title: "Crowded " + storetest.Unique(), Type: streaming.ContentSeries, Seasons: 2,
		ReleaseYear: 2020}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { _, err := tx.UpsertContent(ctx, c); return err })
	users := make([]*streaming.User, 12)
	for i := range users {
		users[i] = newUser(t, ctx, store)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(users))
	for i, u := range users {
		wg.Go(func() {
			errs[i] = store.RecordRating(ctx, &streaming.Rating{UserID: u.ID, ContentID: c.ID, Stars: int32(i%5 + 1)})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	flushAll(t, ctx, postgres.NewRatingStore(pool), pool)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.ContentByID(ctx, c.ID)
		// Stars 1..5, 1..5, 1, 2: 33 over 12 ratings; the title's version stays 1.
		if err == nil && (got.RatingCount != 12 || got.RatingAvg != 2.75 || got.Version != 1) {
			t.Errorf("content after 12 concurrent ratings = %+v", got)
		}
		return err
	})
}

func equalContent(a, b *streaming.Content) bool {
	return a.ID == b.ID && a.Title == b.Title && a.Type == b.Type && slices.Equal(a.Genres, b.Genres) &&
		slices.Equal(a.Actors, b.Actors) && a.RatingAvg == b.RatingAvg && a.RatingCount == b.RatingCount &&
		a.Version == b.Version && a.UpdatedAt.Equal(b.UpdatedAt)
}

func TestIdempotencyKeys(t *testing.T) {
	store, _, ctx := setup(t)
	key := "key-" + storetest.Unique()
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		resp, done, err := tx.ClaimIdempotencyKey(ctx, "test", key, "hash-a")
		if err != nil || done || resp != nil {
			t.Errorf("first claim = %q, %v, %v; want not done", resp, done, err)
		}
		return tx.CompleteIdempotencyKey(ctx, "test", key, []byte("response-a"))
	})
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		resp, done, err := tx.ClaimIdempotencyKey(ctx, "test", key, "hash-a")
		if err != nil || !done || string(resp) != "response-a" {
			t.Errorf("repeat claim = %q, %v, %v; want the stored response", resp, done, err)
		}
		// The same key in another scope is another key.
		_, done, err = tx.ClaimIdempotencyKey(ctx, "other", key, "hash-b")
		if err != nil || done {
			t.Errorf("claim in another scope = %v, %v; want not done", done, err)
		}
		return nil
	})
	err := store.InTx(ctx, func(tx streaming.CommandTx) error {
		_, _, err := tx.ClaimIdempotencyKey(ctx, "test", key, "hash-b")
		return err
	})
	wantCode(t, err, streaming.CodeConflict, "idempotency key reused with a different request")

	// A claim rolled back leaves nothing behind.
	lost := "key-" + storetest.Unique()
	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		if _, _, err := tx.ClaimIdempotencyKey(ctx, "test", lost, "h"); err != nil {
			return err
		}
		return errors.New("command failed")
	})
	if err == nil || err.Error() != "command failed" {
		t.Fatalf("InTx = %v, want fn's error unchanged", err)
	}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		_, done, err := tx.ClaimIdempotencyKey(ctx, "test", lost, "other hash")
		if err != nil || done {
			t.Errorf("claim after rollback = %v, %v; want a fresh claim", done, err)
		}
		return err
	})
	// An empty response still marks the key done.
	empty := "key-" + storetest.Unique()
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		if _, _, err := tx.ClaimIdempotencyKey(ctx, "test", empty, "h"); err != nil {
			return err
		}
		return tx.CompleteIdempotencyKey(ctx, "test", empty, nil)
	})
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		resp, done, err := tx.ClaimIdempotencyKey(ctx, "test", empty, "h")
		if err != nil || !done || len(resp) != 0 {
			t.Errorf("claim of a key completed with no response = %q, %v, %v; want done", resp, done, err)
		}
		return err
	})
	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		return tx.CompleteIdempotencyKey(ctx, "test", "never-claimed-"+storetest.Unique(), []byte("x"))
	})
	wantCode(t, err, streaming.CodeInternal, "")
}

// TestConcurrentClaimRunsTheCommandOnce is the retry storm: 20 requests with one key, each in its own transaction.
func TestConcurrentClaimRunsTheCommandOnce(t *testing.T) {
	store, pool, ctx := setup(t)
	u, p := newUser(t, ctx, store), newPlan(t, ctx, store, 1999)
	key := "subscribe-" + storetest.Unique()
	var executed atomic.Int32
	responses := make([][]byte, 20)
	errs := make([]error, 20)
	var wg sync.WaitGroup
	for i := range responses {
		wg.Go(func() {
			errs[i] = store.InTx(ctx, func(tx streaming.CommandTx) error {
				resp, done, err := tx.ClaimIdempotencyKey(ctx, "CreateSubscription", key, "hash")
				if err != nil {
					return err
				}
				if !done {
					executed.Add(1)
					s := activeSubscription(u, p)
					if err := tx.CreateSubscription(ctx, s); err != nil {
						return err
					}
					pay := &streaming.Payment{SubscriptionID: s.ID, UserID: u.ID, AmountCents: s.PriceCents,
						Currency: s.Currency, Status: streaming.PaymentApproved, ProcessorRef: "ref"}
					if err := tx.CreatePayment(ctx, pay); err != nil {
						return err
					}
					resp = []byte(s.ID + "/" + pay.ID)
					if err := tx.CompleteIdempotencyKey(ctx, "CreateSubscription", key, resp); err != nil {
						return err
					}
				}
				responses[i] = resp
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if !bytes.Equal(responses[i], responses[0]) || len(responses[0]) == 0 {
			t.Fatalf("response %d = %q, response 0 = %q", i, responses[i], responses[0])
		}
	}
	subs := count(t, ctx, pool, `SELECT count(*) FROM subscriptions WHERE user_id = $1`, u.ID)
	pays := count(t, ctx, pool, `SELECT count(*) FROM payments WHERE user_id = $1`, u.ID)
	if subs != 1 || pays != 1 || executed.Load() != 1 {
		t.Fatalf("%d subscriptions, %d payments, command ran %d times; want 1 each", subs, pays, executed.Load())
	}
}

func TestFailedCommandRollsBackEverything(t *testing.T) {
	store, pool, ctx := setup(t)
	u, p := newUser(t, ctx, store), newPlan(t, ctx, store, 100)
	sentinel := errors.New("payment declined")
	var subID string
	err := store.InTx(ctx, func(tx streaming.CommandTx) error {
		s := activeSubscription(u, p)
		if err := tx.CreateSubscription(ctx, s); err != nil {
			return err
		}
		subID = s.ID
		if err := tx.AppendEvent(ctx, streaming.Event{AggregateType: "subscription", AggregateID: s.ID, Version: 1,
			Type: "SubscriptionCreated", Payload: []byte(`{"id":"` + s.ID + `"}`)}); err != nil {
			return err
		}
		return sentinel
	})
	if !errors.Is(err, sentinel) {
		t.Fatalf("InTx = %v, want fn's error", err)
	}
	if n := count(t, ctx, pool, `SELECT count(*) FROM subscriptions WHERE user_id = $1`, u.ID); n != 0 {
		t.Fatalf("%d subscriptions after rollback", n)
	}
	if n := count(t, ctx, pool, `SELECT count(*) FROM outbox WHERE aggregate_id = $1`, subID); n != 0 {
		t.Fatalf("%d outbox rows after rollback", n)
	}

	// fn swallowing a failed statement cannot commit the rest of the transaction.
	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		if err := tx.CreateSubscription(ctx, activeSubscription(u, p)); err != nil {
			return err
		}
		dup := *p
		dup.ID = ""
		_ = tx.CreatePlan(ctx, &dup) // duplicate name: the transaction is now aborted
		return nil
	})
	wantCode(t, err, streaming.CodeInternal, "")
	if n := count(t, ctx, pool, `SELECT count(*) FROM subscriptions WHERE user_id = $1`, u.ID); n != 0 {
		t.Fatalf("%d subscriptions after an aborted transaction", n)
	}
}

func TestAppendEventNotifiesAtCommit(t *testing.T) {
	store, pool, ctx := setup(t)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `LISTEN outbox`); err != nil {
		t.Fatal(err)
	}
	id := storetest.Unique()
	occurred := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		return tx.AppendEvent(ctx, streaming.Event{AggregateType: "plan", AggregateID: id, Version: 3,
			Type: "PlanUpdated", Payload: []byte(`{"name": "it's \"quoted\""}`), OccurredAt: occurred})
	})
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := conn.Conn().WaitForNotification(wait); err != nil {
		t.Fatalf("no notification: %v", err)
	}
	var name string
	var version int64
	var at time.Time
	err = pool.QueryRow(ctx, `SELECT payload->>'name', version, occurred_at FROM outbox WHERE aggregate_id = $1`, id).
		Scan(&name, &version, &at)
	if err != nil || name != `it's "quoted"` || version != 3 || !at.Equal(occurred) {
		t.Fatalf("outbox row = %q, %d, %v, %v", name, version, at, err)
	}
	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		return tx.AppendEvent(ctx, streaming.Event{AggregateType: "plan", AggregateID: id, Type: "Bad",
			Payload: []byte(`{not json`)})
	})
	wantCode(t, err, streaming.CodeInvalid, "")
}

// TestDeadlockIsRetried locks two plans in opposite orders from two transactions: PostgreSQL aborts one, and InTx
// runs it again, so both succeed.
func TestDeadlockIsRetried(t *testing.T) {
	store, _, ctx := setup(t)
	a, b := newPlan(t, ctx, store, 100), newPlan(t, ctx, store, 200)
	var attempts atomic.Int32
	var bothLocked sync.WaitGroup
	bothLocked.Add(2)
	lockBoth := func(first, second string) func() error {
		var once sync.Once
		return func() error {
			return store.InTx(ctx, func(tx streaming.CommandTx) error {
				attempts.Add(1)
				if _, err := tx.PlanForUpdate(ctx, first); err != nil {
					return err
				}
				once.Do(func() { bothLocked.Done(); bothLocked.Wait() })
				_, err := tx.PlanForUpdate(ctx, second)
				return err
			})
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { errs[0] = lockBoth(a.ID, b.ID)() })
	wg.Go(func() { errs[1] = lockBoth(b.ID, a.ID)() })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("InTx: %v", err)
	}
	if n := attempts.Load(); n != 3 {
		t.Fatalf("%d attempts, want 3 (one retried after the deadlock)", n)
	}
}

func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	ctx := storetest.Context(t, 30*time.Second)
	pool, err := pgxpool.New(ctx, "postgres://streaming:streaming@127.0.0.1:1/streaming?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	err = postgres.NewCommandStore(pool).InTx(ctx, func(streaming.CommandTx) error { return nil })
	wantCode(t, err, streaming.CodeUnavailable, "PostgreSQL is unavailable, retry later")
}

func TestExpireIdempotencyKeys(t *testing.T) {
	store, pool, ctx := setup(t)
	claim := func(key string) (done bool) {
		inTx(t, ctx, store, func(tx streaming.CommandTx) error {
			_, d, err := tx.ClaimIdempotencyKey(ctx, "expire", key, "h")
			if err == nil && !d {
				err = tx.CompleteIdempotencyKey(ctx, "expire", key, []byte("r"))
			}
			done = d
			return err
		})
		return done
	}
	u := storetest.Unique()
	old1, old2, locked, fresh := "old1-"+u, "old2-"+u, "locked-"+u, "fresh-"+u
	for _, k := range []string{old1, old2, locked, fresh} {
		claim(k)
	}
	if _, err := pool.Exec(ctx, `UPDATE idempotency_keys SET created_at = now() - interval '25 hours'
		WHERE scope = 'expire' AND key = ANY($1)`, []string{old1, old2, locked}); err != nil {
		t.Fatal(err)
	}
	// A transaction holds one old key (a command using it is still running): it is skipped, not waited for.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT 1 FROM idempotency_keys WHERE scope = 'expire' AND key = $1 FOR UPDATE`, locked); err != nil {
		t.Fatal(err)
	}
	if n, err := store.ExpireIdempotencyKeys(ctx, 24*time.Hour, 1); err != nil || n != 2 {
		t.Fatalf("ExpireIdempotencyKeys = %d, %v; want the 2 old unlocked keys (one per statement)", n, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := store.ExpireIdempotencyKeys(ctx, 24*time.Hour, 1000); err != nil || n != 1 {
		t.Fatalf("ExpireIdempotencyKeys after the lock = %d, %v; want the third old key", n, err)
	}
	// An expired key is a new key again; a fresh one still answers with its response.
	if claim(old1) {
		t.Error("an expired key still answered with its old response")
	}
	if !claim(fresh) {
		t.Error("a fresh key was expired")
	}
	if _, err := store.ExpireIdempotencyKeys(ctx, 0, 10); err == nil {
		t.Error("a zero TTL was accepted")
	}
}

func TestPaymentAttempts(t *testing.T) {
	store, _, ctx := setup(t)
	u := newUser(t, ctx, store)
	p := newPlan(t, ctx, store, 999)
	key := "key-" + storetest.Unique()
	a := &streaming.PaymentAttempt{Scope: "create_subscription:" + u.ID, Key: key, UserID: u.ID, PlanID: p.ID,
		AmountCents: 999, Currency: "EUR", PaymentMethod: streaming.PaymentCard, ProcessorKey: "sub_" + key}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreatePaymentAttempt(ctx, a) })
	if a.ID == "" || a.Status != streaming.AttemptPending || a.CreatedAt.IsZero() || a.UpdatedAt.IsZero() {
		t.Fatalf("created attempt = %+v", a)
	}
	err := store.InTx(ctx, func(tx streaming.CommandTx) error {
		again := *a
		again.ID = ""
		return tx.CreatePaymentAttempt(ctx, &again)
	})
	wantCode(t, err, streaming.CodeConflict, "payment attempt already exists")

	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.PaymentAttemptForUpdate(ctx, a.Scope, key)
		if err != nil {
			return err
		}
		if got.ID != a.ID || got.UserID != u.ID || got.PlanID != p.ID || got.AmountCents != 999 || got.Currency != "EUR" ||
			got.PaymentMethod != streaming.PaymentCard || got.ProcessorKey != "sub_"+key || got.Status != streaming.AttemptPending {
			t.Errorf("read attempt = %+v", got)
		}
		got.Status, got.Reason, got.ProcessorRef = streaming.AttemptDeclined, "insufficient funds", "pi_1"
		if err := tx.UpdatePaymentAttempt(ctx, got); err != nil {
			return err
		}
		if got.Status != streaming.AttemptDeclined || got.Reason != "insufficient funds" || got.ProcessorRef != "pi_1" ||
			got.AmountCents != 999 {
			t.Errorf("updated attempt = %+v", got)
		}
		return nil
	})
	// A declined attempt is a record, no longer the key's open attempt: the key may be tried again.
	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		_, err := tx.PaymentAttemptForUpdate(ctx, a.Scope, key)
		return err
	})
	wantCode(t, err, streaming.CodeNotFound, "payment attempt not found")
	second := *a
	second.ID, second.Status, second.ProcessorKey = "", "", "sub_other"
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreatePaymentAttempt(ctx, &second) })
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.PaymentAttemptForUpdate(ctx, a.Scope, key)
		if err == nil && (got.ID != second.ID || got.ID == a.ID || got.ProcessorKey != "sub_other") {
			t.Errorf("open attempt = %+v, want the second one", got)
		}
		return err
	})

	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		bad := second
		bad.Status = "refunded"
		return tx.UpdatePaymentAttempt(ctx, &bad)
	})
	wantCode(t, err, streaming.CodeInvalid, "")
	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		missing := second
		missing.ID = missingID
		return tx.UpdatePaymentAttempt(ctx, &missing)
	})
	wantCode(t, err, streaming.CodeNotFound, "payment attempt not found")
	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		orphan := *a
		orphan.ID, orphan.Key, orphan.UserID = "", "key-"+storetest.Unique(), missingID
		return tx.CreatePaymentAttempt(ctx, &orphan)
	})
	wantCode(t, err, streaming.CodeNotFound, "user not found")
}

// TestReleaseIdempotencyKey: a committed, uncompleted claim can be given back; a completed one stays.
func TestReleaseIdempotencyKey(t *testing.T) {
	store, _, ctx := setup(t)
	open, done := "key-"+storetest.Unique(), "key-"+storetest.Unique()
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		if _, _, err := tx.ClaimIdempotencyKey(ctx, "test", open, "hash-a"); err != nil {
			return err
		}
		if _, _, err := tx.ClaimIdempotencyKey(ctx, "test", done, "hash-a"); err != nil {
			return err
		}
		return tx.CompleteIdempotencyKey(ctx, "test", done, []byte("response"))
	})
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		if err := tx.ReleaseIdempotencyKey(ctx, "test", open); err != nil {
			return err
		}
		return tx.ReleaseIdempotencyKey(ctx, "test", done)
	})
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		// Released: another request may claim the key.
		if _, d, err := tx.ClaimIdempotencyKey(ctx, "test", open, "hash-b"); err != nil || d {
			t.Errorf("claim of a released key = %v, %v; want a fresh claim", d, err)
		}
		resp, d, err := tx.ClaimIdempotencyKey(ctx, "test", done, "hash-a")
		if err != nil || !d || string(resp) != "response" {
			t.Errorf("claim of a completed key after release = %q, %v, %v; want its response", resp, d, err)
		}
		return nil
	})
}

func TestHasActiveSubscription(t *testing.T) {
	store, _, ctx := setup(t)
	u := newUser(t, ctx, store)
	p := newPlan(t, ctx, store, 500)
	has := func(id string) bool {
		var active bool
		inTx(t, ctx, store, func(tx streaming.CommandTx) error {
			var err error
			active, err = tx.HasActiveSubscription(ctx, id)
			return err
		})
		return active
	}
	if has(u.ID) || has("not-a-uuid") {
		t.Fatal("active subscription before subscribing")
	}
	s := activeSubscription(u, p)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreateSubscription(ctx, s) })
	if !has(u.ID) {
		t.Fatal("no active subscription after subscribing")
	}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		s.Status = streaming.SubscriptionCanceled
		return tx.UpdateSubscription(ctx, s)
	})
	if has(u.ID) {
		t.Fatal("a canceled subscription counts as active")
	}
}
