//go:build cluster

package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
)

const (
	redisClusterUsers = 60
	redisFailoverMax  = time.Minute // how long the test waits for the cluster to serve every call again
)

// TestClusterRedisMasterLoss: a server on the cluster topology's Redis Cluster (three masters, a replica each) with
// 60 users logged in. The master that holds trending's sorted sets is killed (SIGKILL). Until its replica is
// promoted, calls that need its slots answer Unavailable (never Unauthenticated: a session that cannot be read is
// not a session that ended); then logins, session lookups, the read models and trending work again, every session
// from before the kill and every login acknowledged during it is still valid, and the killed node, started again,
// rejoins as a replica.
func TestClusterRedisMasterLoss(t *testing.T) {
	c := cluster(t)
	addrs := strings.Split(c.server["STREAMING_REDIS_ADDR"], ",")
	if len(addrs) != 6 {
		t.Fatalf("the cluster stack's Redis: %v; want six nodes", addrs)
	}
	built, conn, _, _ := startOwn(t, func(cfg *config.Config) {
		cfg.RedisAddr = c.server["STREAMING_REDIS_ADDR"]
		cfg.LoginsPerAccount, cfg.LoginsPerClient = 0, 0 // the probes below log in many times from one address
	})
	if built.Redis.Mode() != rueidis.ClientModeCluster {
		t.Fatalf("the server's Redis client is in %s mode, want cluster", built.Redis.Mode())
	}
	cmd, query := pb.NewCommandServiceClient(conn), pb.NewQueryServiceClient(conn)

	type account struct{ id, email, token string }
	users := make([]account, redisClusterUsers)
	for i := range users {
		email := fmt.Sprintf("redis-cluster-%s@example.com", storetest.Unique())
		reg, err := cmd.RegisterUser(as(t, ""), &pb.RegisterUserRequest{Email: email, Password: "correct horse battery",
			DisplayName: "Cluster " + strconv.Itoa(i), Country: "ES"})
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		login, err := cmd.Login(as(t, ""), &pb.LoginRequest{Email: email, Password: "correct horse battery"})
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		users[i] = account{reg.GetUser().GetId(), email, login.GetToken()}
	}
	// valid counts the tokens whose session still serves the user's profile (a session lookup and a read model,
	// both in Redis) and the codes of those that did not.
	valid := func(ctx context.Context, tokens map[string]string) (int, map[codes.Code]int) {
		ok, failed := 0, map[codes.Code]int{}
		for token, id := range tokens {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := query.GetUserProfile(bearer(cctx, token), &pb.GetUserProfileRequest{UserId: id})
			cancel()
			if err == nil {
				ok++
			} else {
				failed[status.Code(err)]++
			}
		}
		return ok, failed
	}
	sessions := map[string]string{}
	for _, u := range users {
		sessions[u.token] = u.id
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if n, failed := valid(ctx, sessions); n != len(sessions) {
		t.Fatalf("before the kill: %d of %d sessions serve (%v)", n, len(sessions), failed)
	}
	trending := func(ctx context.Context) error {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := query.GetTrending(bearer(cctx, users[0].token), &pb.GetTrendingRequest{Window: pb.TrendingWindow_TRENDING_WINDOW_DAY})
		return err
	}
	if err := trending(ctx); err != nil {
		t.Fatalf("GetTrending before the kill: %v", err)
	}

	// The master of trending's slot ({sets}: every window reads it), found from the cluster's own view.
	slot, err := built.Redis.Do(ctx, built.Redis.B().ClusterKeyslot().Key("trending:{sets}:viewers:x").Build()).AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	victim := redisMasterOf(t, ctx, built.Redis, slot)
	node := redisNodeName(t, addrs, victim)
	time.Sleep(time.Second) // replication is asynchronous: the logins above reach the replicas well within this
	killedAt := time.Now()
	c.kill(t, node)

	// Rounds of every session, trending and a login, until one round passes whole.
	var (
		failures  = map[codes.Code]int{}
		during    = map[string]string{} // tokens of logins acknowledged after the kill
		rounds    int
		recovered time.Duration
	)
	for time.Since(killedAt) < redisFailoverMax {
		rounds++
		ok, failed := valid(ctx, sessions)
		roundOK := ok == len(sessions)
		if err := trending(ctx); err != nil {
			failed[status.Code(err)]++
			roundOK = false
		}
		u := users[rounds%len(users)]
		login, err := cmd.Login(as(t, ""), &pb.LoginRequest{Email: u.email, Password: "correct horse battery"})
		if err != nil {
			failed[status.Code(err)]++
			roundOK = false
		} else {
			during[login.GetToken()] = u.id
		}
		for code, n := range failed {
			failures[code] += n
		}
		if roundOK {
			recovered = time.Since(killedAt)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("master %s (%s, holding trending's slot %d) killed; every session, trending and a login answer again %v later, after %d rounds; failed calls meanwhile by code: %v",
		node, victim, slot, recovered.Round(10*time.Millisecond), rounds, failures)
	if recovered == 0 {
		t.Fatalf("the cluster did not serve every call within %v of the kill", redisFailoverMax)
	}
	for code := range failures {
		if code != codes.Unavailable {
			t.Errorf("%d calls answered %s while the master failed over; want only Unavailable", failures[code], code)
		}
	}
	if promoted := redisMasterOf(t, ctx, built.Redis, slot); promoted == victim {
		t.Errorf("slot %d is still served by the killed node %s", slot, victim)
	}

	all := maps.Clone(sessions)
	maps.Copy(all, during)
	if n, failed := valid(ctx, all); n != len(all) {
		t.Errorf("after the failover: %d of %d sessions serve (%v)", n, len(all), failed)
	} else {
		t.Logf("sessions: %d before the kill, %d logins acknowledged during the failover; all %d serve after it", len(sessions), len(during), n)
	}

	// The killed node comes back as a replica of the promoted one; nothing is lost when it does.
	back := time.Now()
	c.run(t, "up", node)
	role := ""
	for time.Since(back) < 30*time.Second {
		role = redisRole(t, ctx, built.Redis, victim)
		if role == "slave" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("%s started again and a replica %v later", node, time.Since(back).Round(10*time.Millisecond))
	if role != "slave" {
		t.Errorf("%s after its restart is %q, want a replica (slave)", node, role)
	}
	if n, failed := valid(ctx, all); n != len(all) {
		t.Errorf("after the node rejoined: %d of %d sessions serve (%v)", n, len(all), failed)
	}
}

// redisClusterNodes reads CLUSTER NODES from the cluster: one line per node, "id addr@bus flags master ...". It asks
// the nodes the client knows one by one until one answers: a command without a key goes to any node, which may be
// the one just killed.
func redisClusterNodes(t *testing.T, ctx context.Context, c rueidis.Client) [][]string {
	t.Helper()
	var text string
	var err error
	for _, node := range c.Nodes() {
		if text, err = node.Do(ctx, node.B().ClusterNodes().Build()).ToString(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("CLUSTER NODES: no node answers: %v", err)
	}
	var out [][]string
	for _, line := range strings.Split(strings.TrimPrefix(text, "txt:"), "\n") {
		if f := strings.Fields(line); len(f) >= 8 {
			out = append(out, f)
		}
	}
	return out
}

// redisMasterOf is host:port of the master serving slot, as the cluster sees it now.
func redisMasterOf(t *testing.T, ctx context.Context, c rueidis.Client, slot int64) string {
	t.Helper()
	for _, f := range redisClusterNodes(t, ctx, c) {
		if !strings.Contains(f[2], "master") || strings.Contains(f[2], "fail") {
			continue
		}
		for _, r := range f[8:] {
			lo, hi, _ := strings.Cut(r, "-")
			if hi == "" {
				hi = lo
			}
			l, err1 := strconv.ParseInt(lo, 10, 64)
			h, err2 := strconv.ParseInt(hi, 10, 64)
			if err1 == nil && err2 == nil && l <= slot && slot <= h {
				addr, _, _ := strings.Cut(f[1], "@")
				return addr
			}
		}
	}
	t.Fatalf("no master serves slot %d", slot)
	return ""
}

// redisRole is "master" or "slave" for the node at addr, as the cluster sees it ("" if it does not know it).
func redisRole(t *testing.T, ctx context.Context, c rueidis.Client, addr string) string {
	t.Helper()
	for _, f := range redisClusterNodes(t, ctx, c) {
		if a, _, _ := strings.Cut(f[1], "@"); a == addr && !strings.Contains(f[2], "fail") {
			for _, role := range []string{"master", "slave"} {
				if slices.Contains(strings.Split(f[2], ","), role) {
					return role
				}
			}
		}
	}
	return ""
}

// redisNodeName is the stack's name of the node at addr (redis, redis2, ...: the order of the stack's addresses).
func redisNodeName(t *testing.T, addrs []string, addr string) string {
	t.Helper()
	i := slices.Index(addrs, addr)
	if i < 0 {
		t.Fatalf("%s is not one of the stack's Redis nodes %v", addr, addrs)
	}
	if i == 0 {
		return "redis"
	}
	return "redis" + strconv.Itoa(i+1)
}
