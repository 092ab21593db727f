package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/storetest"
)

// -repair-ratings prints the titles whose stored aggregate differs from a recount and exits 1; with
// -repair-ratings-fix it fixes them and exits 0; afterwards it finds nothing. It needs only PostgreSQL.
func TestRepairRatings(t *testing.T) {
	pgURL, _ := storetest.PostgresSchema(t, "repair")
	bin := build(t)
	env := []string{"STREAMING_POSTGRES_URL=" + pgURL, "STREAMING_REDIS_ADDR=unused:1", "STREAMING_CASSANDRA_HOSTS=unused",
		"STREAMING_NEO4J_URI=bolt://unused:1", "STREAMING_SEARCH_URL=http://unused:1"}
	run := func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.Output()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return string(out), exit.ExitCode()
		}
		if err != nil {
			t.Fatalf("streamingd %v: %v", args, err)
		}
		return string(out), 0
	}
	if out, code := run("-migrate-only"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, out)
	}
	ctx := storetest.Context(t, time.Minute)
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	content, u := uuid.NewString(), uuid.NewString()
	for _, stmt := range []string{
		`INSERT INTO users (id, email, display_name, country, password_hash) SELECT $2::uuid, $2::text || '@example.com', 'U', 'ES', 'h' WHERE $1::text <> ''`,
		`INSERT INTO content (id, title, type, release_year) SELECT $1::uuid, 'T', 'movie', 2020 WHERE $2::text <> ''`,
		`INSERT INTO ratings (user_id, content_id, stars, counted_stars) VALUES ($2::uuid, $1::uuid, 4, 4)`,
		// A stored aggregate that does not match the ratings (as a bug would leave it).
		`UPDATE content SET rating_sum = 13, rating_count = 3 WHERE id = $1::uuid AND $2::text <> ''`,
	} {
		if _, err := conn.Exec(ctx, stmt, content, u); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if out, code := run("-repair-ratings"); code != 1 || !strings.Contains(out, content) || strings.Count(out, "\n") != 1 {
		t.Fatalf("-repair-ratings: exit %d, output %q; want 1 and one line naming %s", code, out, content)
	}
	if out, code := run("-repair-ratings", "-repair-ratings-fix"); code != 0 || !strings.Contains(out, content) {
		t.Fatalf("-repair-ratings -repair-ratings-fix: exit %d, output %q", code, out)
	}
	if out, code := run("-repair-ratings"); code != 0 || out != "" {
		t.Fatalf("after the fix: exit %d, output %q; want 0 and nothing", code, out)
	}
	var sum, n int64
	if err := conn.QueryRow(ctx, `SELECT rating_sum, rating_count FROM content WHERE id = $1`, content).Scan(&sum, &n); err != nil || sum != 4 || n != 1 {
		t.Fatalf("aggregate after the fix = %d over %d, %v; want 4 over 1", sum, n, err)
	}
}
