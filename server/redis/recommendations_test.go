package redis_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

func TestRecommendationCacheRoundTrip(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	u := storetest.Unique()
	recs := []streaming.Recommendation{
		{ContentID: "c-" + u + "-9", Title: "Best", Score: 12, Reason: "genre:drama"},
		{ContentID: "c-" + u + "-1", Title: "Second", Score: 7.25, Reason: "co-watched"},
		{ContentID: "c-" + u + "-5", Title: "Third", Score: 7.25, Reason: "trending"},
		{ContentID: "c-" + u + "-7", Title: "Tabs\tand\nnew \"lines\" — ñ", Score: -0.5, Reason: "genre:a\tb"},
	}
	cases := []struct {
		name string
		put  []streaming.Recommendation // nil: nothing cached
		want []streaming.Recommendation
		ok   bool
	}{
		{"never cached", nil, nil, false},
		{"a ranked list", recs, recs, true},
		{"a duplicate keeps its first place", append(recs[:2:2], recs[0], recs[2], recs[3]), recs, true},
		{"no recommendations is cached too", []streaming.Recommendation{}, []streaming.Recommendation{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			user := "u-" + storetest.Unique()
			key := "recommendations:" + user
			dropAfter(t, c, key)
			if tc.put != nil {
				if err := m.CacheRecommendations(ctx, user, tc.put); err != nil {
					t.Fatal(err)
				}
			}
			got, ok, err := m.CachedRecommendations(ctx, user, 0)
			if err != nil || ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("CachedRecommendations = %+v, %v, %v; want %+v, %v", got, ok, err, tc.want, tc.ok)
			}
			if tc.put == nil {
				return
			}
			if ttl, _ := c.Do(ctx, c.B().Pttl().Key(key).Build()).AsInt64(); ttl < (time.Hour-time.Minute).Milliseconds() || ttl > time.Hour.Milliseconds() {
				t.Errorf("TTL = %d ms, want about an hour", ttl)
			}
			// The brief's structure stays readable by hand: HGET recommendations:{user} content:{id} -> score.
			if len(tc.want) > 0 {
				score, _ := c.Do(ctx, c.B().Hget().Key(key).Field("content:"+tc.want[0].ContentID).Build()).AsFloat64()
				if score != tc.want[0].Score {
					t.Errorf("HGET content:%s = %v, want %v", tc.want[0].ContentID, score, tc.want[0].Score)
				}
			}
			if err := m.InvalidateRecommendations(ctx, user, "u-"+storetest.Unique()); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := m.CachedRecommendations(ctx, user, 0); ok || err != nil {
				t.Fatalf("after invalidation: ok = %v, err = %v; want a miss", ok, err)
			}
		})
	}
}

func TestCachedRecommendationsLimitAndForeignHashes(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	user := "u-" + storetest.Unique()
	key := "recommendations:" + user
	dropAfter(t, c, key)
	var recs []streaming.Recommendation
	for i := range 50 {
		recs = append(recs, streaming.Recommendation{ContentID: fmt.Sprintf("c-%02d", i), Title: fmt.Sprintf("T%d", i),
			Score: float64(100 - i), Reason: "co-watched"})
	}
	if err := m.CacheRecommendations(ctx, user, recs); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1, 10, 50, 51, 0} {
		want := recs
		if limit > 0 {
			want = recs[:min(limit, len(recs))]
		}
		got, ok, err := m.CachedRecommendations(ctx, user, limit)
		if err != nil || !ok || !reflect.DeepEqual(got, want) {
			t.Fatalf("limit %d: got %d titles, %v, %v; want the first %d", limit, len(got), ok, err, len(want))
		}
	}
	// A hash in the brief's bare shape (scores only, no ranked list) is a miss, to be recomputed, not an empty list.
	bare := "u-" + storetest.Unique()
	dropAfter(t, c, "recommendations:"+bare)
	if err := c.Do(ctx, c.B().Hset().Key("recommendations:"+bare).FieldValue().FieldValue("content:x", "3").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := m.CachedRecommendations(ctx, bare, 10); ok || err != nil {
		t.Fatalf("bare hash: %+v, %v, %v; want a miss", got, ok, err)
	}
	// A corrupt list is an error naming the key, never a wrong answer.
	if err := c.Do(ctx, c.B().Hset().Key(key).FieldValue().FieldValue("list", "\"c-1\"\tnot-a-number\t\"r\"\t\"t\"\n").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := m.CachedRecommendations(ctx, user, 10); ok || err == nil || !strings.Contains(err.Error(), key) {
		t.Fatalf("corrupt list: ok %v, err %v; want an error naming %s", ok, err, key)
	}
}

func TestCacheRecommendationsReplacesTheWholeList(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{RecommendationTTL: 10 * time.Minute})
	user := "u-" + storetest.Unique()
	dropAfter(t, c, "recommendations:"+user)
	long := []streaming.Recommendation{{ContentID: "a", Score: 3}, {ContentID: "b", Score: 2}, {ContentID: "c", Score: 1}}
	short := []streaming.Recommendation{{ContentID: "c", Title: "now first", Score: 9}}
	for _, put := range [][]streaming.Recommendation{long, {}, short} {
		if err := m.CacheRecommendations(ctx, user, put); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := m.CachedRecommendations(ctx, user, 0)
	if err != nil || !ok || !reflect.DeepEqual(got, short) {
		t.Fatalf("CachedRecommendations = %+v, %v, %v; want only %+v", got, ok, err, short)
	}
	n, _ := c.Do(ctx, c.B().Hlen().Key("recommendations:"+user).Build()).AsInt64()
	if n != 2 { // content:c and list, no leftovers of the longer list
		t.Errorf("hash has %d fields, want 2", n)
	}
	if ttl, _ := c.Do(ctx, c.B().Pttl().Key("recommendations:"+user).Build()).AsInt64(); ttl <= 0 || ttl > (10*time.Minute).Milliseconds() {
		t.Errorf("TTL = %d ms, want the configured 10 minutes", ttl)
	}
}

func TestInvalidateRecommendationsManyUsers(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	// More users than one DEL takes, so the split is exercised; only a few are cached.
	var users, cached, keys []string
	for i := range 2500 {
		u := "u-" + storetest.Unique()
		users = append(users, u)
		if i%500 == 0 {
			cached = append(cached, u)
			keys = append(keys, "recommendations:"+u)
		}
	}
	dropAfter(t, c, keys...)
	for _, u := range cached {
		if err := m.CacheRecommendations(ctx, u, []streaming.Recommendation{{ContentID: "x", Score: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.InvalidateRecommendations(ctx, users...); err != nil {
		t.Fatal(err)
	}
	exists := make(rueidis.Commands, len(keys))
	for i, k := range keys {
		exists[i] = c.B().Exists().Key(k).Build()
	}
	survived := 0
	for _, res := range c.DoMulti(ctx, exists...) {
		if n, err := res.AsInt64(); err != nil || n != 0 {
			survived++
		}
	}
	if survived != 0 {
		t.Errorf("%d of %d cached lists survived the invalidation", survived, len(keys))
	}
	if err := m.InvalidateRecommendations(ctx); err != nil {
		t.Errorf("invalidating nobody: %v", err)
	}
}

func TestClientSideCachedRecommendationsAreInvalidated(t *testing.T) {
	t.Parallel()
	writer := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	// A second client with client-side caching (RESP3 tracking), as a query replica would have.
	reader, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{storetest.Settings(t).RedisAddr()}})
	if err != nil {
		t.Fatalf("caching client: %v", err)
	}
	t.Cleanup(reader.Close)
	w := redis.NewReadModel(writer, redis.ReadModelOptions{})
	r := redis.NewReadModel(reader, redis.ReadModelOptions{ClientCache: true, CacheTTL: time.Minute})
	user := "u-" + storetest.Unique()
	key := "recommendations:" + user
	dropAfter(t, writer, key)
	recs := []streaming.Recommendation{{ContentID: "c-1", Title: "One", Score: 1, Reason: "trending"}}
	if err := w.CacheRecommendations(ctx, user, recs); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, ok, err := r.CachedRecommendations(ctx, user, 0)
		if err != nil || !ok || !reflect.DeepEqual(got, recs) {
			t.Fatalf("cached read = %+v, %v, %v; want %+v", got, ok, err, recs)
		}
	}
	// The same cacheable command is now answered locally.
	if hit := reader.DoCache(ctx, reader.B().Hget().Key(key).Field("list").Cache(), time.Minute).IsCacheHit(); !hit {
		t.Fatal("the read was not served from the client-side cache")
	}

	if err := w.InvalidateRecommendations(ctx, user); err != nil {
		t.Fatal(err)
	}
	// Redis pushes the invalidation to the reader asynchronously; it arrives within milliseconds.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, ok, err := r.CachedRecommendations(ctx, user, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the client-side cached list outlived InvalidateRecommendations by 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// And a new list written by the other client reaches the reader the same way.
	fresh := []streaming.Recommendation{{ContentID: "c-2", Title: "Two", Score: 2, Reason: "genre:drama"}}
	if err := w.CacheRecommendations(ctx, user, fresh); err != nil {
		t.Fatal(err)
	}
	for {
		got, ok, err := r.CachedRecommendations(ctx, user, 0)
		if err != nil {
			t.Fatal(err)
		}
		if ok && reflect.DeepEqual(got, fresh) {
			break
		}
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatalf("reader still sees %+v, %v; want %+v", got, ok, fresh)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
