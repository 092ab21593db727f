package command

import (
	"context"
	"strings"
	"sync"

	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/streaming"
)

type Login struct {
	Email, Password string
}

var errBadLogin = streaming.Errorf(streaming.CodeUnauthenticated, "invalid email or password")

// Login checks the password and opens a session. An unknown email costs the same hash as a wrong password, so the
// answer's timing does not tell which accounts exist.
func (h *Handler) Login(ctx context.Context, c Login) (*streaming.Session, *streaming.User, error) {
	var u *streaming.User
	err := h.Store.InTx(ctx, func(tx streaming.CommandTx) error {
		var err error
		u, err = tx.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(c.Email)))
		return err
	})
	if streaming.ErrorCode(err) == streaming.CodeNotFound {
		password.Verify(c.Password, h.dummyHash())
		return nil, nil, errBadLogin
	}
	if err != nil {
		return nil, nil, err
	}
	ok, err := password.Verify(c.Password, u.PasswordHash)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, errBadLogin
	}
	token, err := newToken()
	if err != nil {
		return nil, nil, err
	}
	s := streaming.Session{Token: token, UserID: u.ID, ExpiresAt: h.now().Add(h.SessionTTL).UTC()}
	if err := h.Sessions.CreateSession(ctx, s, h.SessionTTL); err != nil {
		return nil, nil, err
	}
	return &s, u, nil
}

var (
	dummyOnce sync.Once
	dummy     string
)

func (h *Handler) dummyHash() string {
	dummyOnce.Do(func() { dummy, _ = password.Hash("not a password", h.Passwords) })
	return dummy
}

// Logout ends the session of the token.
func (h *Handler) Logout(ctx context.Context, token string) error {
	return h.Sessions.DeleteSession(ctx, token)
}
