package command_test

import (
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/streaming"
)

// cheap keeps the tests' password hashing fast; the cost does not change the logic.
var cheap = password.Params{MemoryKiB: 64, Time: 1, Threads: 1}

// cheapPool is the handlers' bounded hasher at that cost; its bound is tested in server/password.
var cheapPool = password.NewPool(cheap, 4, time.Second)

type registerTx struct {
	*fakeUsers
	*fakeOutbox
}

func TestRegisterUser(t *testing.T) {
	conflict := &streaming.Error{Code: streaming.CodeConflict, Field: "email", Message: "email already registered"}
	tests := []struct {
		name      string
		create    func(u *streaming.User) error
		outboxErr error
		code      streaming.Code
		message   string
	}{
		{name: "registers", create: func(u *streaming.User) error { u.Version = 1; return nil }},
		{name: "taken email", create: func(*streaming.User) error { return conflict },
			code: streaming.CodeConflict, message: "email already registered"},
		{name: "outbox fails", create: func(u *streaming.User) error { u.Version = 1; return nil }, outboxErr: errStore,
			code: streaming.CodeUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stored *streaming.User
			out := &fakeOutbox{err: tc.outboxErr}
			uow := &fakeUoW[command.RegisterUserTx]{tx: registerTx{&fakeUsers{createUser: func(u *streaming.User) error {
				stored = u
				return tc.create(u)
			}}, out}}
			h := command.RegisterUserHandler{Tx: uow, Passwords: cheapPool, Now: clock}
			u, err := h.Handle(t.Context(), command.RegisterUser{Email: "  Ana@Example.COM ", Password: "s3cret!!",
				DisplayName: " Ana ", Country: "ES"})
			wantErr(t, err, tc.code, tc.message)
			if stored == nil || stored.ID == "" || stored.Email != "ana@example.com" || stored.DisplayName != "Ana" ||
				stored.Country != "ES" {
				t.Fatalf("stored user = %+v", stored)
			}
			if ok, err := password.Verify("s3cret!!", stored.PasswordHash); !ok || err != nil {
				t.Fatalf("stored hash does not verify the password: %v", err)
			}
			if tc.code != "" {
				if u != nil || len(out.events) != 0 {
					t.Fatalf("failed registration returned %+v and events %+v", u, out.events)
				}
				return
			}
			if u != stored {
				t.Fatalf("returned %+v, want the stored user", u)
			}
			p := wantEvent[streaming.UserPayload](t, out.events, streaming.AggregateUser, u.ID, 1, streaming.EventUserRegistered)
			if p.UserID != u.ID || p.Email != "ana@example.com" || p.DisplayName != "Ana" || p.Country != "ES" {
				t.Fatalf("payload = %+v", p)
			}
		})
	}
}
