package command_test

import (
	"context"
	"strings"
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
			sessions := &fakeSessions{create: func(s streaming.Session) error {
				if want := clock().Add(ttl).UTC(); !s.ExpiresAt.Equal(want) {
					t.Errorf("session ends %s, want %s (the TTL from now)", s.ExpiresAt, want)
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

func TestLogoutAll(t *testing.T) {
	for _, want := range []error{nil, streaming.Unavailable("Redis", nil)} {
		var users []string
		h := command.New(command.Deps{Sessions: &fakeSessions{deleteUser: func(userID string) (int, error) {
			users = append(users, userID)
			return 3, want
		}}})
		if n, err := h.LogoutAll(t.Context(), "u-1"); err != want || n != 3 {
			t.Fatalf("LogoutAll = %d, %v; want 3, %v", n, err, want)
		}
		if len(users) != 1 || users[0] != "u-1" {
			t.Fatalf("ended the sessions of %v, want [u-1]", users)
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
		sessions := &fakeSessions{create: func(streaming.Session) error {
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

// fakeLimiter is a RateLimiter port that refuses the keys in full.
type fakeLimiter struct {
	full  map[string]bool
	taken []string
}

func (f *fakeLimiter) Take(_ context.Context, key string, l streaming.Limit) (bool, time.Duration, error) {
	f.taken = append(f.taken, key)
	if f.full[key[:strings.LastIndex(key, ":")]] {
		return false, 300 * time.Millisecond, nil
	}
	return true, 0, nil
}

// countingPasswords counts the checks it is asked for.
type countingPasswords struct{ checks int }

func (c *countingPasswords) Hash(context.Context, string) (string, error) { c.checks++; return "", nil }
func (c *countingPasswords) Verify(context.Context, string, string) (bool, error) {
	c.checks++
	return false, nil
}
func (c *countingPasswords) Dummy() string { return "" }

// TestLoginThrottle: the client's bucket is spent first, then the account's; an empty one answers CodeBusy with a
// retry hint of at least a second, before any lookup or hash.
func TestLoginThrottle(t *testing.T) {
	tests := []struct {
		name   string
		client string
		full   string
		taken  int
		busy   bool
	}{
		{name: "both have attempts", client: "198.51.100.9", taken: 2},
		{name: "unknown client: the account only", taken: 1},
		{name: "client over its limit", client: "198.51.100.9", full: "login:client", taken: 1, busy: true},
		{name: "account over its limit", client: "198.51.100.9", full: "login:account", taken: 2, busy: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lim := &fakeLimiter{full: map[string]bool{tc.full: true}}
			pw := &countingPasswords{}
			looked := false
			users := &fakeUsers{userByEmail: func(string) (*streaming.User, error) { looked = true; return nil, notFound("user") }}
			h := command.LoginHandler{Tx: &fakeUoW[streaming.Users]{tx: users}, Passwords: pw, Now: clock,
				Attempts: lim, PerAccount: streaming.Limit{Burst: 10, Per: time.Minute}, PerClient: streaming.Limit{Burst: 60, Per: time.Minute}}
			_, _, err := h.Handle(t.Context(), command.Login{Email: "Ana@example.com", Password: "pw", ClientAddr: tc.client})
			if len(lim.taken) != tc.taken || (tc.client != "" && lim.taken[0] != "login:client:"+tc.client) ||
				strings.Contains(strings.Join(lim.taken, " "), "ana@example.com") {
				t.Fatalf("took %v", lim.taken)
			}
			if !tc.busy {
				wantErr(t, err, streaming.CodeUnauthenticated, "invalid email or password")
				return
			}
			if e := streaming.AsError(err); e == nil || e.Code != streaming.CodeBusy || e.RetryAfter != time.Second {
				t.Fatalf("Login = %v, want CodeBusy with RetryAfter 1s", err)
			}
			if looked || pw.checks != 0 {
				t.Fatalf("a throttled login looked the user up (%v) or hashed (%d)", looked, pw.checks)
			}
		})
	}
}
