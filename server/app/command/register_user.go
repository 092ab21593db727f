package command

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/streaming"
)

type RegisterUser struct {
	Email, Password, DisplayName, Country string
}

// RegisterUser creates an account; the email is case-insensitive and unique.
func (h *Handler) RegisterUser(ctx context.Context, c RegisterUser) (*streaming.User, error) {
	hash, err := password.Hash(c.Password, h.Passwords)
	if err != nil {
		return nil, err
	}
	u := &streaming.User{
		ID:           uuid.NewString(),
		Email:        strings.ToLower(strings.TrimSpace(c.Email)),
		DisplayName:  strings.TrimSpace(c.DisplayName),
		Country:      c.Country,
		PasswordHash: hash,
	}
	err = h.Store.InTx(ctx, func(tx streaming.CommandTx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		ev, err := h.event(streaming.AggregateUser, u.ID, u.Version, streaming.EventUserRegistered, streaming.NewUserPayload(u))
		if err != nil {
			return err
		}
		return tx.AppendEvent(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
