package postgres_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/streaming"
)

func TestReadStoreUserView(t *testing.T) {
	store, pool, ctx := setup(t)
	read := postgres.NewReadStore(pool)
	u, p := newUser(t, ctx, store), newPlan(t, ctx, store, 700)
	// More than one page of the underlying list (100), all but the newest ended.
	const n = 103
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		for range n - 1 {
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

	v, err := read.UserView(ctx, u.ID)
	if err != nil {
		t.Fatalf("UserView: %v", err)
	}
	if v.User.ID != u.ID || v.User.Email != u.Email || v.User.PasswordHash != "" {
		t.Fatalf("user = %+v; want %s without its password hash", v.User, u.ID)
	}
	if len(v.Subscriptions) != n || v.Subscriptions[0].ID != newest.ID {
		t.Fatalf("%d subscriptions, first %s; want %d with %s first", len(v.Subscriptions), v.Subscriptions[0].ID, n, newest.ID)
	}
	seen := map[string]bool{}
	for i, s := range v.Subscriptions {
		if seen[s.ID] {
			t.Fatalf("subscription %s twice", s.ID)
		}
		seen[s.ID] = true
		if i > 0 && !streaming.SubscriptionBefore(v.Subscriptions[i-1], s) {
			t.Fatalf("subscriptions %d and %d are not newest first", i-1, i)
		}
	}

	other := newUser(t, ctx, store)
	if v, err := read.UserView(ctx, other.ID); err != nil || len(v.Subscriptions) != 0 {
		t.Fatalf("UserView of a user without subscriptions = %+v, %v", v, err)
	}
	for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
		_, err := read.UserView(ctx, id)
		wantCode(t, err, streaming.CodeNotFound, "user not found")
	}
}

func TestReadStorePlansAndContents(t *testing.T) {
	store, pool, ctx := setup(t)
	read := postgres.NewReadStore(pool)
	p := newPlan(t, ctx, store, 1299)
	got, err := read.PlanByID(ctx, p.ID)
	if err != nil || *got != *p {
		t.Fatalf("PlanByID = %+v, %v; want %+v", got, err, p)
	}
	for _, id := range []string{uuid.NewString(), "x"} {
		_, err := read.PlanByID(ctx, id)
		wantCode(t, err, streaming.CodeNotFound, "plan not found")
	}

	c := &streaming.Content{Title: "Read", Type: streaming.ContentMovie, Genres: []string{"drama"}, ReleaseYear: 2020}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { _, err := tx.UpsertContent(ctx, c); return err })
	contents, err := read.ContentsByID(ctx, []string{c.ID, uuid.NewString(), "x"})
	if err != nil || len(contents) != 1 || contents[0].ID != c.ID || contents[0].Title != "Read" {
		t.Fatalf("ContentsByID = %+v, %v; want only %s", contents, err, c.ID)
	}
	if contents, err := read.ContentsByID(ctx, nil); err != nil || len(contents) != 0 {
		t.Fatalf("ContentsByID(nil) = %+v, %v", contents, err)
	}
}

// TestReadStoreCannotWrite: the query side's transaction is READ ONLY, so PostgreSQL itself refuses a write.
func TestReadStoreCannotWrite(t *testing.T) {
	_, pool, ctx := setup(t)
	read := postgres.NewReadStore(pool)
	err := read.Snapshot(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO users (email, display_name, country, password_hash)
			VALUES ('ro@example.com', 'x', 'ES', 'x')`)
		return err
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" { // read_only_sql_transaction
		t.Fatalf("write in the read-only snapshot: %v; want SQLSTATE 25006", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE email = 'ro@example.com'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows written, %v", n, err)
	}
}
