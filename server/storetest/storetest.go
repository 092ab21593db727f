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
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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
	Missing(t, store+" is not reachable at "+addr+" ("+err.Error()+"); start it with `go tool task stack:up`")
}

// Missing ends a test that cannot run here (a store, a tool or a privilege it needs is missing): under CI it fails,
// elsewhere it skips, with msg saying what to do. Every test that may skip goes through it, so nothing is skipped
// silently in CI.
func Missing(t testing.TB, msg string) {
	t.Helper()
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

// PostgresSchema creates a schema of the test's own in the stack's PostgreSQL, drops it when the test ends, and
// returns a connection URL whose search_path points at it (migrate it before use). Tests that write outbox rows
// use one, so no relay of another package's tests (or a local streamingd) ever sees their deliberately odd events.
func PostgresSchema(t testing.TB, prefix string) (url, schema string) {
	t.Helper()
	s := Settings(t)
	Require(t, "PostgreSQL", s.PostgresAddr())
	schema, err := CreatePostgresSchema(s.PostgresURL(), prefix)
	if err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() { DropPostgresSchema(s.PostgresURL(), schema) }) // after the test's pools close (LIFO)
	return WithSearchPath(s.PostgresURL(), schema), schema
}

// CreatePostgresSchema creates a uniquely named schema ("<prefix>_<random>") through url and returns its name.
func CreatePostgresSchema(url, prefix string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	schema := prefix + "_" + Unique()
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize())
	return schema, err
}

// DropPostgresSchema drops schema and everything in it, best effort.
func DropPostgresSchema(url, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, url); err == nil {
		conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		conn.Close(ctx)
	}
}

// WithSearchPath returns url with search_path set to schema (pgx passes unknown URL parameters to the server).
func WithSearchPath(url, schema string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}
