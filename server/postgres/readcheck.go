package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/streaming"
)

// CheckSource reads the source of truth for server/readcheck, which compares the read models with it: the rows of
// the projected tables, whether outbox events are still on their way, and ids to page through. Every statement runs
// on its own (READ COMMITTED): the check needs no single snapshot, it reads differences again instead. It only
// reads.
type CheckSource struct{ pool *Pool }

// NewCheckSource returns the readcheck source over pool.
func NewCheckSource(pool *Pool) *CheckSource { return &CheckSource{pool: pool} }

// Table is a table the read models are built from.
type Table string

const (
	TableContent Table = "content"
	TableUsers   Table = "users"
	TablePlans   Table = "plans"
)

// name is t as SQL text; only the constants above are ever spliced into a statement.
func (t Table) name() (string, error) {
	switch t {
	case TableContent, TablePlans:
		return string(t), nil
	case TableUsers:
		// Erased users are not compared: their read models hold (at most) a tombstone. Existing still finds them,
		// so a tombstone is no orphan.
		return "(SELECT * FROM users WHERE erased_at IS NULL) AS users", nil
	}
	return "", fmt.Errorf("postgres: unknown table %q", string(t))
}

// AggregateRef names an outbox aggregate.
type AggregateRef struct{ Type, ID string }

// checkErr maps a failed read's error, naming the read for logs.
func checkErr(op string, err error) error {
	return mapErr(fmt.Errorf("%s: %w", op, err), "")
}

// Unpublished counts the outbox events not yet seen by every read model: unpublished, or owed to a projector whose
// store was down (each owed event once).
func (s *CheckSource) Unpublished(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL) +
		(SELECT count(DISTINCT outbox_id) FROM outbox_owed)`).Scan(&n); err != nil {
		return 0, checkErr("count unpublished outbox events", err)
	}
	return n, nil
}

// Pending returns which aggregates with an id among ids have outbox events not yet seen by every read model. The
// outbox's partial index holds only unpublished rows and the owed table only what is owed, so this reads little
// however big the outbox is.
func (s *CheckSource) Pending(ctx context.Context, ids []string) (map[AggregateRef]bool, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT aggregate_type, aggregate_id FROM outbox
		WHERE published_at IS NULL AND aggregate_id = ANY($1::text[])
		UNION
		SELECT o.aggregate_type, o.aggregate_id FROM outbox_owed w JOIN outbox o ON o.id = w.outbox_id
		WHERE o.aggregate_id = ANY($1::text[])`, ids)
	if err != nil {
		return nil, checkErr("read unpublished outbox events", err)
	}
	out := map[AggregateRef]bool{}
	var a AggregateRef
	_, err = pgx.ForEachRow(rows, []any{&a.Type, &a.ID}, func() error { out[a] = true; return nil })
	if err != nil {
		return nil, checkErr("read unpublished outbox events", err)
	}
	return out, nil
}

// SampleIDs returns about n random ids of table, in id order.
func (s *CheckSource) SampleIDs(ctx context.Context, table Table, n int) ([]string, error) {
	name, err := table.name()
	if err != nil {
		return nil, err
	}
	ids, err := s.ids(ctx, `SELECT id::text FROM `+name+` ORDER BY random() LIMIT $1`, n)
	if err != nil {
		return nil, checkErr("sample "+string(table), err)
	}
	slices.Sort(ids)
	return ids, nil
}

// PageIDs returns up to limit ids of table greater than after ("" for the first page), in id order.
func (s *CheckSource) PageIDs(ctx context.Context, table Table, after string, limit int) ([]string, error) {
	name, err := table.name()
	if err != nil {
		return nil, err
	}
	var from *string // nil: the first page
	if after != "" {
		from = &after
	}
	ids, err := s.ids(ctx, `SELECT id::text FROM `+name+` WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
		from, limit)
	if err != nil {
		return nil, checkErr("page through "+string(table), err)
	}
	return ids, nil
}

// RowsFor returns the ids of table's rows that ids name, in id order. For users, a subscription's id names its
// user (a user's read model holds their subscriptions). ids must be uuids.
func (s *CheckSource) RowsFor(ctx context.Context, table Table, ids []string) ([]string, error) {
	name, err := table.name()
	if err != nil {
		return nil, err
	}
	q := `SELECT id::text FROM ` + name + ` WHERE id = ANY($1::uuid[]) ORDER BY 1`
	if table == TableUsers {
		q = `SELECT id::text FROM users WHERE id = ANY($1::uuid[]) AND erased_at IS NULL
			UNION SELECT s.user_id::text FROM subscriptions s JOIN users u ON u.id = s.user_id
			WHERE s.id = ANY($1::uuid[]) AND u.erased_at IS NULL ORDER BY 1`
	}
	out, err := s.ids(ctx, q, ids)
	if err != nil {
		return nil, checkErr("select "+string(table), err)
	}
	return out, nil
}

// Existing returns which of ids have a row in table. Ids that are not uuids have none.
func (s *CheckSource) Existing(ctx context.Context, table Table, ids []string) (map[string]bool, error) {
	name, err := table.name()
	if err != nil {
		return nil, err
	}
	valid := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !validUUID(id) })
	out := map[string]bool{}
	if len(valid) == 0 {
		return out, nil
	}
	if table == TableUsers {
		name = "users" // erased ones too: see Table.name
	}
	found, err := s.ids(ctx, `SELECT id::text FROM `+name+` WHERE id = ANY($1::uuid[])`, valid)
	if err != nil {
		return nil, checkErr("look up "+string(table), err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

func (s *CheckSource) ids(ctx context.Context, sql string, args ...any) ([]string, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Contents returns the titles among ids, by id.
func (s *CheckSource) Contents(ctx context.Context, ids []string) (map[string]streaming.Content, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id::text, title, description, type, genres, actors, seasons, release_year, duration_seconds,
			rating_avg::float8, rating_count, version
		FROM content WHERE id = ANY($1::uuid[])`, ids)
	if err != nil {
		return nil, checkErr("read content", err)
	}
	out := map[string]streaming.Content{}
	var c streaming.Content
	_, err = pgx.ForEachRow(rows, []any{&c.ID, &c.Title, &c.Description, &c.Type, &c.Genres, &c.Actors, &c.Seasons,
		&c.ReleaseYear, &c.DurationSeconds, &c.RatingAvg, &c.RatingCount, &c.Version}, func() error {
		out[c.ID] = c
		return nil
	})
	if err != nil {
		return nil, checkErr("read content", err)
	}
	return out, nil
}

// Ratings returns every rating of the titles (user, title and stars) by users not erased.
func (s *CheckSource) Ratings(ctx context.Context, contentIDs []string) ([]streaming.Rating, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT r.user_id::text, r.content_id::text, r.stars FROM ratings r
		JOIN users u ON u.id = r.user_id AND u.erased_at IS NULL -- an erased user's stars stay counted, not in the graph
		WHERE r.content_id = ANY($1::uuid[])`, contentIDs)
	if err != nil {
		return nil, checkErr("read ratings", err)
	}
	var out []streaming.Rating
	var r streaming.Rating
	_, err = pgx.ForEachRow(rows, []any{&r.UserID, &r.ContentID, &r.Stars}, func() error { out = append(out, r); return nil })
	if err != nil {
		return nil, checkErr("read ratings", err)
	}
	return out, nil
}

// Users returns the users among ids, by id.
func (s *CheckSource) Users(ctx context.Context, ids []string) (map[string]streaming.User, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id::text, email, display_name, country, version, created_at FROM users
		WHERE id = ANY($1::uuid[]) AND erased_at IS NULL`, ids)
	if err != nil {
		return nil, checkErr("read users", err)
	}
	out := map[string]streaming.User{}
	var u streaming.User
	_, err = pgx.ForEachRow(rows, []any{&u.ID, &u.Email, &u.DisplayName, &u.Country, &u.Version, &u.CreatedAt},
		func() error { out[u.ID] = u; return nil })
	if err != nil {
		return nil, checkErr("read users", err)
	}
	return out, nil
}

// Subscriptions returns the subscriptions of the users, by user, in id order.
func (s *CheckSource) Subscriptions(ctx context.Context, userIDs []string) (map[string][]streaming.Subscription, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id::text, user_id::text, plan_id::text, status, start_date, end_date, (monthly_price * 100)::bigint,
			currency, payment_method, version
		FROM subscriptions WHERE user_id = ANY($1::uuid[]) ORDER BY user_id, id`, userIDs)
	if err != nil {
		return nil, checkErr("read subscriptions", err)
	}
	out := map[string][]streaming.Subscription{}
	var sub streaming.Subscription
	_, err = pgx.ForEachRow(rows, []any{&sub.ID, &sub.UserID, &sub.PlanID, &sub.Status, &sub.StartDate, &sub.EndDate,
		&sub.PriceCents, &sub.Currency, &sub.PaymentMethod, &sub.Version}, func() error {
		out[sub.UserID] = append(out[sub.UserID], sub)
		sub.EndDate = nil // the row appended keeps its pointer; the next row must not scan through it
		return nil
	})
	if err != nil {
		return nil, checkErr("read subscriptions", err)
	}
	return out, nil
}

// Plans returns the plans among ids, by id.
func (s *CheckSource) Plans(ctx context.Context, ids []string) (map[string]streaming.Plan, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id::text, name, description, (monthly_price * 100)::bigint, currency, max_streams, max_quality,
			available, version
		FROM plans WHERE id = ANY($1::uuid[])`, ids)
	if err != nil {
		return nil, checkErr("read plans", err)
	}
	out := map[string]streaming.Plan{}
	var pl streaming.Plan
	_, err = pgx.ForEachRow(rows, []any{&pl.ID, &pl.Name, &pl.Description, &pl.PriceCents, &pl.Currency,
		&pl.MaxStreams, &pl.MaxQuality, &pl.Available, &pl.Version}, func() error { out[pl.ID] = pl; return nil })
	if err != nil {
		return nil, checkErr("read plans", err)
	}
	return out, nil
}
