package postgres

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Reads of erased users for server/readcheck's erasure check (readcheck.KindErasure): which users are erased, what
// PostgreSQL still holds of them, and which stores' erasures are still queued. Like the rest of CheckSource, every
// statement runs on its own and only reads.

// ErasedUser is PostgreSQL's side of one erased user, reduced to what the check needs: whether each personal column
// holds its anonymized value, how many personal values the user's other rows still hold, and which stores have not
// finished. It carries no personal value: the report it feeds is printed and logged, and must not copy what it finds.
type ErasedUser struct {
	ID      string
	Version int64 // the user's version (bumped by the erasure)
	// EmailAnonymized: the email is "<id>@erased.invalid".
	EmailAnonymized bool
	// DisplayNameEmpty: no display name.
	DisplayNameEmpty bool
	// PasswordCleared: the password hash is "!", which no password verifies.
	PasswordCleared bool
	// Reviews counts the user's ratings with a non-empty review.
	Reviews int64
	// PaymentTokens counts the user's subscriptions with a saved payment token or card fingerprint.
	PaymentTokens int64
	// Pending are the stores whose user_erasures row is not done (erased_at NULL), in name order.
	Pending []string
}

// erasedUsersFrom is the erased users, as the relation the id listings read.
const erasedUsersFrom = `(SELECT id FROM users WHERE erased_at IS NOT NULL) AS users`

// ErasedUserPage returns up to limit ids of erased users greater than after ("" for the first page), in id order.
func (s *CheckSource) ErasedUserPage(ctx context.Context, after string, limit int) ([]string, error) {
	var from *string // nil: the first page
	if after != "" {
		from = &after
	}
	ids, err := s.ids(ctx, `SELECT id::text FROM `+erasedUsersFrom+` WHERE $1::uuid IS NULL OR id > $1::uuid
		ORDER BY id LIMIT $2`, from, limit)
	if err != nil {
		return nil, checkErr("page through erased users", err)
	}
	return ids, nil
}

// SampleErasedUsers returns about n random ids of erased users, in id order.
func (s *CheckSource) SampleErasedUsers(ctx context.Context, n int) ([]string, error) {
	ids, err := s.ids(ctx, `SELECT id::text FROM `+erasedUsersFrom+` ORDER BY random() LIMIT $1`, n)
	if err != nil {
		return nil, checkErr("sample erased users", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// ErasedAmong returns the ids among ids that name erased users, in id order. ids must be uuids.
func (s *CheckSource) ErasedAmong(ctx context.Context, ids []string) ([]string, error) {
	out, err := s.ids(ctx, `SELECT id::text FROM `+erasedUsersFrom+` WHERE id = ANY($1::uuid[]) ORDER BY 1`, ids)
	if err != nil {
		return nil, checkErr("select erased users", err)
	}
	return out, nil
}

// ErasedUsers returns what PostgreSQL holds of the erased users among ids, by id; users not erased are left out. One
// statement for the whole batch: the ratings and subscriptions are counted through their user_id indexes (the
// ratings' primary key, subscriptions_user_created_idx). The comparisons run in SQL so that no personal value is
// ever read out.
func (s *CheckSource) ErasedUsers(ctx context.Context, ids []string) (map[string]ErasedUser, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT u.id::text, u.version,
			u.email = u.id::text || '@erased.invalid', u.display_name = '', u.password_hash = '!',
			(SELECT count(*) FROM ratings r WHERE r.user_id = u.id AND r.review <> ''),
			(SELECT count(*) FROM subscriptions s WHERE s.user_id = u.id AND (s.payment_token <> '' OR s.payment_fingerprint IS NOT NULL)),
			ARRAY(SELECT e.store FROM user_erasures e WHERE e.user_id = u.id AND e.erased_at IS NULL ORDER BY e.store)
		FROM users u WHERE u.id = ANY($1::uuid[]) AND u.erased_at IS NOT NULL`, ids)
	if err != nil {
		return nil, checkErr("read erased users", err)
	}
	out := map[string]ErasedUser{}
	var u ErasedUser
	_, err = pgx.ForEachRow(rows, []any{&u.ID, &u.Version, &u.EmailAnonymized, &u.DisplayNameEmpty, &u.PasswordCleared,
		&u.Reviews, &u.PaymentTokens, &u.Pending}, func() error {
		out[u.ID] = u
		u.Pending = nil // the row stored keeps its slice; the next row must not scan into it
		return nil
	})
	if err != nil {
		return nil, checkErr("read erased users", err)
	}
	return out, nil
}
