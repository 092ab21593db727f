package command

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/streaming"
)

type RegisterUser struct {
	Email, Password, DisplayName, Country string
}

// RegisterUserTx is what registering touches: the new user and its event.
type RegisterUserTx interface {
	streaming.Users
	streaming.Outbox
}

// RegisterUserHandler creates accounts.
type RegisterUserHandler struct {
	Tx        streaming.UnitOfWork[RegisterUserTx]
	Passwords Passwords
	Now       func() time.Time
}

// RegisterUser creates an account; the email is case-insensitive and unique.
func (h *Handler) RegisterUser(ctx context.Context, c RegisterUser) (*streaming.User, error) {
	return h.registerUser.Handle(ctx, c)
}

// Handle creates the account of c.
func (h RegisterUserHandler) Handle(ctx context.Context, c RegisterUser) (*streaming.User, error) {
	hash, err := h.Passwords.Hash(ctx, c.Password)
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
	err = h.Tx.InTx(ctx, func(tx RegisterUserTx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		ev, err := event(now(h.Now), streaming.AggregateUser, u.ID, u.Version, streaming.EventUserRegistered, streaming.NewUserPayload(u))
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
