package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/streaming"
)

const userColumns = `id, email, display_name, country, password_hash, version, created_at`

func scanUser(row pgx.Row, u *streaming.User) error {
	return row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.Country, &u.PasswordHash, &u.Version, &u.CreatedAt)
}

// CreateUser stores u with its email lower-cased (by the database, so the CHECK always agrees) and writes back the
// id, stored email, Version 1 and CreatedAt. A taken email is a CodeConflict.
func (t *commandTx) CreateUser(ctx context.Context, u *streaming.User) error {
	row := t.tx.QueryRow(ctx, `
		INSERT INTO users (id, email, display_name, country, password_hash)
		VALUES (`+newID+`, lower($2), $3, $4, $5)
		RETURNING `+userColumns,
		u.ID, u.Email, u.DisplayName, u.Country, u.PasswordHash)
	return mapErr(scanUser(row, u), "user")
}

func (t *commandTx) UserByID(ctx context.Context, id string) (*streaming.User, error) {
	return userByID(ctx, t.tx, id)
}

func userByID(ctx context.Context, q querier, id string) (*streaming.User, error) {
	if !validUUID(id) {
		return nil, notFound("user")
	}
	return queryOne(ctx, q, "user", scanUser, `SELECT `+userColumns+` FROM users WHERE id = $1 AND erased_at IS NULL`, id)
}

// UserByEmail matches case-insensitively, as emails are stored lower-cased. An erased user is found by no lookup.
func (t *commandTx) UserByEmail(ctx context.Context, email string) (*streaming.User, error) {
	return queryOne(ctx, t.tx, "user", scanUser, `SELECT `+userColumns+` FROM users WHERE email = lower($1) AND erased_at IS NULL`, email)
}
