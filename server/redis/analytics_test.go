package redis_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// TestMarkViewers: a viewer is a new play of a roll-up once, however often and in whichever batch it is marked; a
// completion likewise; another roll-up (hour, country or device) counts it anew; the sets expire after the TTL.
func TestMarkViewers(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	ctx := storetest.Context(t, 30*time.Second)
	hour := time.Now().UTC().Truncate(time.Hour)
	title := "title-" + storetest.Unique()
	key := streaming.RollupKey{ContentID: title, Hour: hour, Country: "ES", Device: "tv"}
	other := key
	other.Device = "mobile"
	mark := func(k streaming.RollupKey, user string, done bool) streaming.ViewerMark {
		return streaming.ViewerMark{Key: k, UserID: user, Completed: done}
	}
	plays, done, err := m.MarkViewers(ctx, []streaming.ViewerMark{
		mark(key, "u1", false), mark(key, "u2", true), mark(key, "u1", true), mark(other, "u1", false)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, true, false, true}; !slices.Equal(plays, want) {
		t.Errorf("plays %v, want %v", plays, want)
	}
	if want := []bool{false, true, true, false}; !slices.Equal(done, want) {
		t.Errorf("completions %v, want %v", done, want)
	}
	// A replay of the same marks counts nothing new.
	plays, done, err = m.MarkViewers(ctx, []streaming.ViewerMark{mark(key, "u2", true), mark(other, "u1", false)})
	if err != nil || slices.Contains(plays, true) || slices.Contains(done, true) {
		t.Fatalf("replayed marks: plays %v, completions %v, err %v; want nothing new", plays, done, err)
	}
	ttl, err := c.Do(ctx, c.B().Ttl().Key("analytics:plays:"+strconv.FormatInt(hour.Unix(), 10)+":"+title+":ES:tv").Build()).AsInt64()
	if want := time.Until(hour.Add(time.Hour + redis.RollupViewersTTL)); err != nil || ttl <= 0 || time.Duration(ttl)*time.Second > want+time.Second {
		t.Fatalf("viewer set TTL %ds (%v), want about %s", ttl, err, want)
	}
	if plays, done, err := m.MarkViewers(ctx, nil); err != nil || plays != nil || done != nil {
		t.Fatalf("no marks: %v %v %v", plays, done, err)
	}
}

// TestUserCountries: countries come from the user read model; users it does not hold are absent.
func TestUserCountries(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	ctx := storetest.Context(t, 30*time.Second)
	es, fr, ghost := "u-"+storetest.Unique(), "u-"+storetest.Unique(), "u-"+storetest.Unique()
	for id, country := range map[string]string{es: "ES", fr: "FR"} {
		if err := m.ApplyUser(ctx, streaming.User{ID: id, Email: id + "@example.com", Country: country, Version: 1}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := m.UserCountries(ctx, []string{es, ghost, fr})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[es] != "ES" || got[fr] != "FR" {
		t.Fatalf("countries %v, want %s ES and %s FR only", got, es, fr)
	}
}
