package command

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

type Login struct {
	Email, Password string
	// ClientAddr is the caller's address as the transport found it ("" unknown: only the account is throttled).
	ClientAddr string
}

var errBadLogin = streaming.Errorf(streaming.CodeUnauthenticated, "invalid email or password")

// LoginHandler checks passwords and opens sessions. It only reads users.
type LoginHandler struct {
	Tx         streaming.UnitOfWork[streaming.Users]
	Sessions   streaming.SessionStore
	Passwords  Passwords
	SessionTTL time.Duration
	Now        func() time.Time

	// Attempts throttles logins per account and per client address before any password is hashed; nil: none.
	Attempts              streaming.RateLimiter
	PerAccount, PerClient streaming.Limit
}

// Login checks the password and opens a session.
func (h *Handler) Login(ctx context.Context, c Login) (*streaming.Session, *streaming.User, error) {
	return h.login.Handle(ctx, c)
}

// Handle checks the password and opens a session. An unknown email costs the same hash as a wrong password, so the
// answer's timing does not tell which accounts exist.
func (h LoginHandler) Handle(ctx context.Context, c Login) (*streaming.Session, *streaming.User, error) {
	email := strings.ToLower(strings.TrimSpace(c.Email))
	if err := h.throttle(ctx, email, c.ClientAddr); err != nil {
		return nil, nil, err
	}
	var u *streaming.User
	err := h.Tx.InTx(ctx, func(users streaming.Users) error {
		var err error
		u, err = users.UserByEmail(ctx, email)
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
	if err := h.Sessions.CreateSession(ctx, s); err != nil {
		return nil, nil, err
	}
	return &s, u, nil
}

// throttle spends one attempt of the client's bucket and one of the account's (known or not, so the answer does
// not tell which exist); an empty bucket answers CodeBusy with the wait until the next attempt.
func (h LoginHandler) throttle(ctx context.Context, email, client string) error {
	if h.Attempts == nil {
		return nil
	}
	sum := sha256.Sum256([]byte(email)) // keeps emails out of Redis's keys, and the keys short
	var keys []string
	var limits []streaming.Limit
	if client != "" { // first: a client over its limit spends no attempt of the accounts it tries
		keys, limits = append(keys, "login:client:"+client), append(limits, h.PerClient)
	}
	keys, limits = append(keys, "login:account:"+hex.EncodeToString(sum[:16])), append(limits, h.PerAccount)
	for i, key := range keys {
		ok, wait, err := h.Attempts.Take(ctx, key, limits[i])
		if err != nil {
			return err
		}
		if !ok {
			return &streaming.Error{Code: streaming.CodeBusy, Message: "too many login attempts, retry later",
				RetryAfter: max(wait, time.Second)}
		}
	}
	return nil
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

// LogoutAll ends every session of the user (every device) and returns how many were live.
func (h *Handler) LogoutAll(ctx context.Context, userID string) (int, error) {
	return h.logout.Sessions.DeleteUserSessions(ctx, userID)
}
