package command

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/streaming"
)

type Login struct {
	Email, Password string
}

var errBadLogin = streaming.Errorf(streaming.CodeUnauthenticated, "invalid email or password")

// LoginHandler checks passwords and opens sessions. It only reads users.
type LoginHandler struct {
	Tx         streaming.UnitOfWork[streaming.Users]
	Sessions   streaming.SessionStore
	Passwords  password.Params
	SessionTTL time.Duration
	Now        func() time.Time
}

// Login checks the password and opens a session.
func (h *Handler) Login(ctx context.Context, c Login) (*streaming.Session, *streaming.User, error) {
	return h.login.Handle(ctx, c)
}

// Handle checks the password and opens a session. An unknown email costs the same hash as a wrong password, so the
// answer's timing does not tell which accounts exist.
func (h LoginHandler) Handle(ctx context.Context, c Login) (*streaming.Session, *streaming.User, error) {
	var u *streaming.User
	err := h.Tx.InTx(ctx, func(users streaming.Users) error {
		var err error
		u, err = users.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(c.Email)))
		return err
	})
	if streaming.ErrorCode(err) == streaming.CodeNotFound {
		password.Verify(c.Password, dummyHash(h.Passwords))
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
	s := streaming.Session{Token: token, UserID: u.ID, ExpiresAt: now(h.Now).Add(h.SessionTTL).UTC()}
	if err := h.Sessions.CreateSession(ctx, s, h.SessionTTL); err != nil {
		return nil, nil, err
	}
	return &s, u, nil
}

var (
	dummyOnce sync.Once
	dummy     string
)

func dummyHash(p password.Params) string {
	dummyOnce.Do(func() { dummy, _ = password.Hash("not a password", p) })
	return dummy
}

// LogoutHandler ends sessions.
type LogoutHandler struct {
	Sessions streaming.SessionStore
}

// Logout ends the session of the token.
func (h *Handler) Logout(ctx context.Context, token string) error {
	return h.logout.Handle(ctx, token)
}

// Handle ends the session of token.
func (h LogoutHandler) Handle(ctx context.Context, token string) error {
	return h.Sessions.DeleteSession(ctx, token)
}
