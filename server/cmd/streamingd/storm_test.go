//go:build faults

// Part of the fault suite (`go tool task test:faults`): heavy, so not in every `go test` run.

package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/storetest"
)

// stormLogins is how many Login calls arrive at once.
const stormLogins = 2000

// TestFaultsLoginStorm: 2000 concurrent logins (a third with the right password, a third wrong, a third for unknown
// accounts) against streamingd as built, in a process of its own so its memory is its own: every call is answered
// (OK, Unauthenticated or ResourceExhausted), none times out, and the server's peak resident memory stays under
// 500 MB. Once with the default login limits (every call comes from one address, so the per-client limit refuses
// most before any hash) and once without them, where only the bound on password hashes holds memory.
func TestFaultsLoginStorm(t *testing.T) {
	s := storetest.Settings(t)
	storetest.Require(t, "Redis", s.RedisAddr())
	storetest.Require(t, "Cassandra", s.CassandraAddr())
	storetest.Require(t, "Neo4j", s.Neo4jAddr())
	storetest.Require(t, "the search server", s.SearchAddr())
	pgURL, _ := storetest.PostgresSchema(t, "storm")
	bin := build(t)
	for _, limits := range []bool{true, false} {
		name := "default login limits"
		if !limits {
			name = "no login limits"
		}
		t.Run(name, func(t *testing.T) {
			env := stackEnv(s, pgURL)
			if !limits {
				env = append(env, "STREAMING_LOGIN_ATTEMPTS_PER_CLIENT=0", "STREAMING_LOGIN_ATTEMPTS_PER_ACCOUNT=0")
			}
			p := start(t, bin, t.TempDir(), env, "-migrate=true")
			conn, err := grpc.NewClient(p.addrs[0], grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			cmd := pb.NewCommandServiceClient(conn)
			ctx := storetest.Context(t, 2*time.Minute)
			var emails []string
			for range 10 {
				email := "storm-" + storetest.Unique() + "@example.com"
				if _, err := cmd.RegisterUser(ctx, &pb.RegisterUserRequest{Email: email, Password: "correct horse battery",
					DisplayName: "Storm", Country: "ES"}); err != nil {
					t.Fatal(err)
				}
				emails = append(emails, email)
			}
			before := peakRSS(t, p.cmd.Process.Pid)
			answers := map[codes.Code]int{}
			var mu sync.Mutex
			var wg sync.WaitGroup
			begin := time.Now()
			for i := range stormLogins {
				wg.Go(func() {
					email, password := emails[i%len(emails)], "correct horse battery"
					switch i % 3 {
					case 1:
						password = "wrong horse battery"
					case 2:
						email = fmt.Sprintf("nobody-%d-%s@example.com", i, storetest.Unique())
					}
					cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					_, err := cmd.Login(cctx, &pb.LoginRequest{Email: email, Password: password})
					mu.Lock()
					answers[status.Code(err)]++
					mu.Unlock()
				})
			}
			wg.Wait()
			took := time.Since(begin)
			peak := peakRSS(t, p.cmd.Process.Pid)
			t.Logf("%d logins answered in %v: %v; server peak RSS %d MB (%d MB before the storm)",
				stormLogins, took.Round(10*time.Millisecond), answers, peak>>20, before>>20)
			for code, n := range answers {
				switch code {
				case codes.OK, codes.Unauthenticated, codes.ResourceExhausted:
				default:
					t.Errorf("%d logins answered %s", n, code)
				}
			}
			if answers[codes.OK] == 0 {
				t.Error("no login succeeded")
			}
			if peak > 500<<20 {
				t.Errorf("the server's peak resident memory was %d MB, want under 500 MB", peak>>20)
			}
		})
	}
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/<pid>/status")
	return 0
}
