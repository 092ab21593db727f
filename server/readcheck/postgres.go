package readcheck

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/streaming"
)

// postgresReader reads the source of truth. Every statement runs on its own (READ COMMITTED): the check does not
// need one snapshot, it reads differences again instead.
type postgresReader struct{ pool *pgxpool.Pool }

// pgErr wraps a PostgreSQL failure once: a server that cannot be reached is streaming.Unavailable.
func pgErr(op string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	return streaming.Unavailable("PostgreSQL", fmt.Errorf("%s: %w", op, err))
}

func (p postgresReader) unpublished(ctx context.Context) (int64, error) {
	var n int64
	// Events owed to a projector whose store was down count too: that read model has not seen them yet.
	if err := p.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL) +
		(SELECT count(DISTINCT outbox_id) FROM outbox_owed)`).Scan(&n); err != nil {
		return 0, pgErr("count unpublished outbox events", err)
	}
	return n, nil
}

// pending returns which aggregates among ids have outbox events not yet seen by every read model: unpublished, or
// owed to a projector whose store was down. The outbox's partial index holds only unpublished rows and the owed
// table only what is owed, so this reads little however big the outbox is.
func (p postgresReader) pending(ctx context.Context, ids []string) (map[aggregate]bool, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT aggregate_type, aggregate_id FROM outbox
		WHERE published_at IS NULL AND aggregate_id = ANY($1::text[])
		UNION
		SELECT o.aggregate_type, o.aggregate_id FROM outbox_owed w JOIN outbox o ON o.id = w.outbox_id
		WHERE o.aggregate_id = ANY($1::text[])`, ids)
	if err != nil {
		return nil, pgErr("read unpublished outbox events", err)
	}
	out := map[aggregate]bool{}
	var a aggregate
	_, err = pgx.ForEachRow(rows, []any{&a.typ, &a.id}, func() error { out[a] = true; return nil })
	if err != nil {
		return nil, pgErr("read unpublished outbox events", err)
	}
	return out, nil
}

// eachBatch calls fn with the ids of table to check, at most opts.BatchSize at a time, in id order: every row by
// keyset pagination, a random sample, or the rows named by opts.IDs. table is one of the code's own constants.
func (p postgresReader) eachBatch(ctx context.Context, table string, opts Options, fn func(ids []string) error) error {
	switch {
	case opts.Sample > 0:
		ids, err := p.ids(ctx, `SELECT id::text FROM `+table+` ORDER BY random() LIMIT $1`, opts.Sample)
		if err != nil {
			return pgErr("sample "+table, err)
		}
		slices.Sort(ids)
		return chunks(ids, opts.BatchSize, fn)
	case len(opts.IDs) > 0:
		q := `SELECT id::text FROM ` + table + ` WHERE id = ANY($1::uuid[]) ORDER BY 1`
		if table == "users" { // a subscription id stands for its user's view
			q = `SELECT id::text FROM users WHERE id = ANY($1::uuid[])
				UNION SELECT user_id::text FROM subscriptions WHERE id = ANY($1::uuid[]) ORDER BY 1`
		}
		ids, err := p.ids(ctx, q, opts.IDs)
		if err != nil {
			return pgErr("select "+table, err)
		}
		return chunks(ids, opts.BatchSize, fn)
	}
	var after *string // nil: the first page
	for {
		ids, err := p.ids(ctx, `SELECT id::text FROM `+table+` WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
			after, opts.BatchSize)
		if err != nil {
			return pgErr("page through "+table, err)
		}
		if len(ids) > 0 {
			if err := fn(ids); err != nil {
				return err
			}
		}
		if len(ids) < opts.BatchSize {
			return nil
		}
		after = &ids[len(ids)-1]
	}
}

func chunks(ids []string, size int, fn func([]string) error) error {
	for c := range slices.Chunk(ids, size) {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func (p postgresReader) ids(ctx context.Context, sql string, args ...any) ([]string, error) {
	rows, err := p.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// existing returns which of ids have a row in table. Ids that are not uuids have none.
func (p postgresReader) existing(ctx context.Context, table string, ids []string) (map[string]bool, error) {
	valid := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !validUUID(id) })
	out := map[string]bool{}
	if len(valid) == 0 {
		return out, nil
	}
	found, err := p.ids(ctx, `SELECT id::text FROM `+table+` WHERE id = ANY($1::uuid[])`, valid)
	if err != nil {
		return nil, pgErr("look up "+table, err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

func (p postgresReader) contents(ctx context.Context, ids []string) (map[string]streaming.Content, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT id::text, title, description, type, genres, actors, seasons, release_year, duration_seconds,
			rating_avg::float8, rating_count, version
		FROM content WHERE id = ANY($1::uuid[])`, ids)
	if err != nil {
		return nil, pgErr("read content", err)
	}
	out := map[string]streaming.Content{}
	var c streaming.Content
	_, err = pgx.ForEachRow(rows, []any{&c.ID, &c.Title, &c.Description, &c.Type, &c.Genres, &c.Actors, &c.Seasons,
		&c.ReleaseYear, &c.DurationSeconds, &c.RatingAvg, &c.RatingCount, &c.Version}, func() error {
		out[c.ID] = c
		return nil
	})
	if err != nil {
		return nil, pgErr("read content", err)
	}
	return out, nil
}

// ratings returns the stars of every rating of the titles, by (user, content).
func (p postgresReader) ratings(ctx context.Context, contentIDs []string) (map[ratingKey]int64, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT user_id::text, content_id::text, stars FROM ratings WHERE content_id = ANY($1::uuid[])`, contentIDs)
	if err != nil {
		return nil, pgErr("read ratings", err)
	}
	out := map[ratingKey]int64{}
	var k ratingKey
	var stars int64
	_, err = pgx.ForEachRow(rows, []any{&k.user, &k.content, &stars}, func() error { out[k] = stars; return nil })
	if err != nil {
		return nil, pgErr("read ratings", err)
	}
	return out, nil
}

func (p postgresReader) users(ctx context.Context, ids []string) (map[string]streaming.User, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT id::text, email, display_name, country, version, created_at FROM users WHERE id = ANY($1::uuid[])`, ids)
	if err != nil {
		return nil, pgErr("read users", err)
	}
	out := map[string]streaming.User{}
	var u streaming.User
	_, err = pgx.ForEachRow(rows, []any{&u.ID, &u.Email, &u.DisplayName, &u.Country, &u.Version, &u.CreatedAt},
		func() error { out[u.ID] = u; return nil })
	if err != nil {
		return nil, pgErr("read users", err)
	}
	return out, nil
}

// subscriptions returns the subscriptions of the users, by user.
func (p postgresReader) subscriptions(ctx context.Context, userIDs []string) (map[string][]streaming.Subscription, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT id::text, user_id::text, plan_id::text, status, start_date, end_date, (monthly_price * 100)::bigint,
			currency, payment_method, version
		FROM subscriptions WHERE user_id = ANY($1::uuid[]) ORDER BY user_id, id`, userIDs)
	if err != nil {
		return nil, pgErr("read subscriptions", err)
	}
	out := map[string][]streaming.Subscription{}
	var s streaming.Subscription
	_, err = pgx.ForEachRow(rows, []any{&s.ID, &s.UserID, &s.PlanID, &s.Status, &s.StartDate, &s.EndDate,
		&s.PriceCents, &s.Currency, &s.PaymentMethod, &s.Version}, func() error {
		out[s.UserID] = append(out[s.UserID], s)
		s.EndDate = nil // the row appended keeps its pointer; the next row must not scan through it
		return nil
	})
	if err != nil {
		return nil, pgErr("read subscriptions", err)
	}
	return out, nil
}

func (p postgresReader) plans(ctx context.Context, ids []string) (map[string]streaming.Plan, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT id::text, name, description, (monthly_price * 100)::bigint, currency, max_streams, max_quality,
			available, version
		FROM plans WHERE id = ANY($1::uuid[])`, ids)
	if err != nil {
		return nil, pgErr("read plans", err)
	}
	out := map[string]streaming.Plan{}
	var pl streaming.Plan
	_, err = pgx.ForEachRow(rows, []any{&pl.ID, &pl.Name, &pl.Description, &pl.PriceCents, &pl.Currency,
		&pl.MaxStreams, &pl.MaxQuality, &pl.Available, &pl.Version}, func() error { out[pl.ID] = pl; return nil })
	if err != nil {
		return nil, pgErr("read plans", err)
	}
	return out, nil
}
