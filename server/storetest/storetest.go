// Package storetest gives tests the addresses of the real stores started by `go tool task stack:up`, and decides
// what a test does when a store is missing: on a laptop it skips with the command to run; under CI it fails, so
// nothing is silently skipped where it matters.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// InCI reports whether the tests run under CI (CI set to anything but "", "0" or "false").
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "0" && v != "false"
}

// Settings loads the stack settings or fails the test.
func Settings(t testing.TB) stackenv.Settings {
	t.Helper()
	s, err := stackenv.Load()
	if err != nil {
		t.Fatalf("stack settings: %v", err)
	}
	return s
}

// Require checks that a store's port accepts connections. When it does not, the test fails under CI and skips
// elsewhere, saying how to start the store.
func Require(t testing.TB, store, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		c.Close()
		return
	}
	msg := store + " is not reachable at " + addr + " (" + err.Error() + "); start it with `go tool task stack:up`"
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Context is a test context with a deadline, so a hung store fails the test instead of hanging it.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// Unique is a random lowercase hex name suffix, so parallel and repeated runs do not collide.
func Unique() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Redis connects to the stack's Redis through rueidis (plain commands, no client-side cache), or fails/skips as
// Require does. The client is closed when the test ends.
func Redis(t testing.TB) rueidis.Client {
	t.Helper()
	s := Settings(t)
	Require(t, "Redis", s.RedisAddr())
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{s.RedisAddr()}, DisableCache: true})
	if err != nil {
		t.Fatalf("connect to Redis at %s: %v", s.RedisAddr(), err)
	}
	t.Cleanup(c.Close)
	return c
}
