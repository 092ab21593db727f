package command

import (
	"context"
	"strings"
	"time"

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
	Passwords  Passwords
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
		if _, err := h.Passwords.Verify(ctx, c.Password, h.Passwords.Dummy()); streaming.ErrorCode(err) == streaming.CodeBusy {
			return nil, nil, err // busy is no hint about the account: any check may be turned away
		}
		return nil, nil, errBadLogin
	}
	if err != nil {
		return nil, nil, err
	}
	ok, err := h.Passwords.Verify(ctx, c.Password, u.PasswordHash)
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
