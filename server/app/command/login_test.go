package command_test

import (
	"context"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/streaming"
)

func TestLogin(t *testing.T) {
	hash, err := password.Hash("right password", cheap)
	if err != nil {
		t.Fatal(err)
	}
	ana := &streaming.User{ID: "u1", Email: "ana@example.com", PasswordHash: hash}
	const ttl = time.Hour
	tests := []struct {
		name       string
		email      string
		password   string
		byEmail    func(email string) (*streaming.User, error)
		sessionErr error
		code       streaming.Code
		message    string
	}{
		{name: "opens a session", email: " ANA@example.com", password: "right password",
			byEmail: func(string) (*streaming.User, error) { return ana, nil }},
		{name: "wrong password", email: "ana@example.com", password: "wrong",
			byEmail: func(string) (*streaming.User, error) { return ana, nil },
			code:    streaming.CodeUnauthenticated, message: "invalid email or password"},
		{name: "unknown email answers like a wrong password", email: "bob@example.com", password: "x",
			byEmail: func(string) (*streaming.User, error) { return nil, notFound("user") },
			code:    streaming.CodeUnauthenticated, message: "invalid email or password"},
		{name: "store down", email: "ana@example.com", password: "right password",
			byEmail: func(string) (*streaming.User, error) { return nil, errStore }, code: streaming.CodeUnavailable},
		{name: "malformed stored hash", email: "ana@example.com", password: "right password",
			byEmail: func(string) (*streaming.User, error) { return &streaming.User{ID: "u1", PasswordHash: "plain"}, nil },
			code:    streaming.CodeInternal},
		{name: "session store down", email: "ana@example.com", password: "right password",
			byEmail:    func(string) (*streaming.User, error) { return ana, nil },
			sessionErr: streaming.Unavailable("Redis", nil), code: streaming.CodeUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var asked string
			var created []streaming.Session
			users := &fakeUsers{userByEmail: func(email string) (*streaming.User, error) {
				asked = email
				return tc.byEmail(email)
			}}
			sessions := &fakeSessions{create: func(s streaming.Session, got time.Duration) error {
				if got != ttl {
					t.Errorf("session TTL %s, want %s", got, ttl)
				}
				created = append(created, s)
				return tc.sessionErr
			}}
			h := command.LoginHandler{Tx: &fakeUoW[streaming.Users]{tx: users}, Sessions: sessions, Passwords: cheapPool,
				SessionTTL: ttl, Now: clock}
			s, u, err := h.Handle(t.Context(), command.Login{Email: tc.email, Password: tc.password})
			wantErr(t, err, tc.code, tc.message)
			if want := normalized(tc.email); asked != want {
				t.Fatalf("looked up %q, want %q", asked, want)
			}
			if tc.code != "" {
				if s != nil || u != nil || (tc.sessionErr == nil && len(created) != 0) {
					t.Fatalf("failed login returned %+v, %+v and created %+v", s, u, created)
				}
				return
			}
			if u != ana || s == nil || len(s.Token) < 40 || s.UserID != "u1" || !s.ExpiresAt.Equal(at.Add(ttl)) {
				t.Fatalf("login = %+v, %+v", s, u)
			}
			if len(created) != 1 || created[0] != *s {
				t.Fatalf("stored sessions %+v, want the returned one", created)
			}
		})
	}
}

func normalized(email string) string {
	out := []byte{}
	for _, c := range []byte(email) {
		switch {
		case c == ' ':
		case 'A' <= c && c <= 'Z':
			out = append(out, c+'a'-'A')
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

func TestLogout(t *testing.T) {
	for _, want := range []error{nil, streaming.Unavailable("Redis", nil)} {
		var deleted []string
		h := command.LogoutHandler{Sessions: &fakeSessions{delete: func(token string) error {
			deleted = append(deleted, token)
			return want
		}}}
		if err := h.Handle(t.Context(), "tok"); err != want {
			t.Fatalf("Logout = %v, want %v", err, want)
		}
		if len(deleted) != 1 || deleted[0] != "tok" {
			t.Fatalf("deleted %v, want [tok]", deleted)
		}
	}
}

// busyPasswords is a Passwords port whose every check is turned away, as a full password.Pool does.
type busyPasswords struct{}

var errBusy = &streaming.Error{Code: streaming.CodeBusy, Message: "busy", RetryAfter: 2 * time.Second}

func (busyPasswords) Hash(context.Context, string) (string, error)         { return "", errBusy }
func (busyPasswords) Verify(context.Context, string, string) (bool, error) { return false, errBusy }
func (busyPasswords) Dummy() string                                        { return "" }

// TestLoginBusy: when no hash slot frees, known and unknown accounts alike get CodeBusy with its retry hint, and no
// session is opened; registration too.
func TestLoginBusy(t *testing.T) {
	for _, found := range []bool{true, false} {
		users := &fakeUsers{userByEmail: func(string) (*streaming.User, error) {
			if found {
				return &streaming.User{ID: "u1", PasswordHash: "x"}, nil
			}
			return nil, notFound("user")
		}}
		sessions := &fakeSessions{create: func(streaming.Session, time.Duration) error {
			t.Error("a busy login opened a session")
			return nil
		}}
		h := command.LoginHandler{Tx: &fakeUoW[streaming.Users]{tx: users}, Sessions: sessions, Passwords: busyPasswords{},
			SessionTTL: time.Hour, Now: clock}
		_, _, err := h.Handle(t.Context(), command.Login{Email: "ana@example.com", Password: "pw"})
		if e := streaming.AsError(err); e == nil || e.Code != streaming.CodeBusy || e.RetryAfter != 2*time.Second {
			t.Fatalf("known account %v: Login = %v, want CodeBusy with RetryAfter 2s", found, err)
		}
	}
	r := command.RegisterUserHandler{Tx: &fakeUoW[command.RegisterUserTx]{}, Passwords: busyPasswords{}, Now: clock}
	if _, err := r.Handle(t.Context(), command.RegisterUser{Email: "a@b.c", Password: "pw"}); err != errBusy {
		t.Fatalf("RegisterUser = %v, want the busy error", err)
	}
}
