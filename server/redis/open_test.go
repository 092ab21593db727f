package redis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
)

// Open authenticates as an ACL user with its password, against the real Redis: the user is created for the test
// and removed after it. A wrong password fails Open with a clear error instead of every later call. (On a Redis
// Cluster ACL users are per node: the user is created on every node, as a deployment must.)
func TestOpenAuthenticatesAsAnACLUser(t *testing.T) {
	admin := storetest.Redis(t)
	s := storetest.Settings(t)
	ctx := storetest.Context(t, 30*time.Second)
	user, password := "streaming_test_"+storetest.Unique(), "pw-"+storetest.Unique()
	for addr, node := range admin.Nodes() {
		if err := node.Do(ctx, node.B().AclSetuser().Username(user).Rule("on", ">"+password, "~*", "&*", "+@all").Build()).Error(); err != nil {
			t.Fatalf("ACL SETUSER on %s: %v", addr, err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, node := range admin.Nodes() {
			node.Do(ctx, node.B().AclDeluser().Username(user).Build())
		}
	})

	c, closeClient, err := redis.Open(ctx, redis.Config{Addr: s.RedisAddr(), Username: user, Password: password, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("Open as %s: %v", user, err)
	}
	defer closeClient()
	who, err := c.Do(ctx, c.B().AclWhoami().Build()).ToString()
	if err != nil || who != user {
		t.Fatalf("ACL WHOAMI = %q, %v; want %s", who, err, user)
	}

	_, _, err = redis.Open(ctx, redis.Config{Addr: s.RedisAddr(), Username: user, Password: "wrong", DialTimeout: 5 * time.Second})
	if err == nil || !strings.Contains(strings.ToUpper(err.Error()), "WRONGPASS") {
		t.Fatalf("Open with a wrong password: %v; want a WRONGPASS error", err)
	}
}
