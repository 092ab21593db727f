package redis

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/streamingplatform/streaming/internal/golden"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

func testLease(device string) streaming.Lease {
	return streaming.Lease{DeviceID: device, Device: "tv", ContentID: "7d2f1b3c-4e5a-4b6c-8d7e-9f0a1b2c3d4e", Quality: "hd"}
}

func deviceIDs(ls []streaming.Lease) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.DeviceID
	}
	return out
}

// TestLeases: leases up to the limit are granted, one more is refused with the holders, a device starting again
// replaces its own lease, renewal moves the end, a release frees the slot, and what is stored is the pinned format.
func TestLeases(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	s := NewLeases(c)
	user := "user-" + storetest.Unique()
	const ttl = time.Minute

	before := time.Now().Add(-time.Second)
	a, _, ok, err := s.Acquire(ctx, user, testLease("tv-1"), 2, ttl)
	if err != nil || !ok {
		t.Fatalf("first lease: ok=%v err=%v", ok, err)
	}
	if a.DeviceID != "tv-1" || a.Quality != "hd" || a.StartedAt.Before(before) || a.ExpiresAt.Sub(a.StartedAt) != ttl {
		t.Fatalf("granted %+v, want tv-1 at hd for %s from about now", a, ttl)
	}
	raw, err := c.Do(ctx, c.B().Hget().Key("leases:"+user).Field("tv-1").Build()).ToString()
	if want, _ := encodeLease(a); err != nil || raw != want {
		t.Fatalf("stored %q (%v), want %q", raw, err, want)
	}
	time.Sleep(2 * time.Millisecond) // a later start than tv-1's (times are in ms; a tie orders by device id)
	if _, others, ok, err := s.Acquire(ctx, user, testLease("phone:2"), 2, ttl); err != nil || !ok || !gocmp.Equal(deviceIDs(others), []string{"tv-1"}) {
		t.Fatalf("second lease: ok=%v err=%v, others %v, want tv-1", ok, err, deviceIDs(others))
	}
	_, held, ok, err := s.Acquire(ctx, user, testLease("web-3"), 2, ttl)
	if err != nil || ok {
		t.Fatalf("third lease on two slots: ok=%v err=%v, want refused", ok, err)
	}
	streaming.SortLeases(held)
	if got := deviceIDs(held); !gocmp.Equal(got, []string{"tv-1", "phone:2"}) {
		t.Fatalf("refusal names %v, want tv-1 and phone:2", got)
	}
	// Starting again on a device that holds a lease replaces it: it does not count against itself.
	again := testLease("tv-1")
	again.Quality = "sd"
	if l, _, ok, err := s.Acquire(ctx, user, again, 2, ttl); err != nil || !ok || l.Quality != "sd" {
		t.Fatalf("restart on tv-1: %+v ok=%v err=%v", l, ok, err)
	}
	time.Sleep(5 * time.Millisecond)
	r, err := s.Renew(ctx, user, "phone:2", ttl)
	if err != nil || r.DeviceID != "phone:2" || !r.ExpiresAt.After(a.ExpiresAt) {
		t.Fatalf("renew: %+v %v, want phone:2 ending later than before", r, err)
	}
	if err := s.Release(ctx, user, "phone:2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, user, "phone:2"); err != nil {
		t.Fatalf("second release: %v, want none", err)
	}
	if _, err := s.Renew(ctx, user, "phone:2", ttl); streaming.ErrorCode(err) != streaming.CodeNotFound {
		t.Fatalf("renew after release: %v, want not found", err)
	}
	if _, _, ok, err := s.Acquire(ctx, user, testLease("web-3"), 2, ttl); err != nil || !ok {
		t.Fatalf("third device after a release: ok=%v err=%v", ok, err)
	}
	live, err := s.Leases(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if got := deviceIDs(live); !gocmp.Equal(got, []string{"tv-1", "web-3"}) {
		t.Fatalf("live leases %v, want tv-1 then web-3 (oldest first)", got)
	}
	pttl, err := c.Do(ctx, c.B().Pttl().Key("leases:"+user).Build()).AsInt64()
	if err != nil || pttl <= 0 || pttl > ttl.Milliseconds() {
		t.Fatalf("key TTL %d ms (%v), want within the lease TTL", pttl, err)
	}
	if l, err := s.Leases(ctx, "user-"+storetest.Unique()); err != nil || len(l) != 0 {
		t.Fatalf("a user without leases: %v %v", l, err)
	}
}

// TestLeasesExpire: a lease not renewed ends on its own: its slot is free again, it cannot be renewed, it is not
// listed, and the key goes away once every lease could have ended.
func TestLeasesExpire(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	s := NewLeases(c)
	user := "user-" + storetest.Unique()
	const ttl = 300 * time.Millisecond
	for _, d := range []string{"a", "b"} {
		if _, _, ok, err := s.Acquire(ctx, user, testLease(d), 2, ttl); err != nil || !ok {
			t.Fatalf("lease %s: ok=%v err=%v", d, ok, err)
		}
	}
	time.Sleep(ttl + 50*time.Millisecond)
	if _, err := s.Renew(ctx, user, "a", ttl); streaming.ErrorCode(err) != streaming.CodeNotFound {
		t.Fatalf("renew of an expired lease: %v, want not found", err)
	}
	if l, err := s.Leases(ctx, user); err != nil || len(l) != 0 {
		t.Fatalf("live leases after expiry: %v %v, want none", deviceIDs(l), err)
	}
	if _, _, ok, err := s.Acquire(ctx, user, testLease("c"), 1, time.Minute); err != nil || !ok {
		t.Fatalf("a new device once the others expired: ok=%v err=%v", ok, err)
	}
	fields, err := c.Do(ctx, c.B().Hkeys().Key("leases:"+user).Build()).AsStrSlice()
	if err != nil || !gocmp.Equal(fields, []string{"c"}) {
		t.Fatalf("stored devices %v (%v), want the expired ones pruned", fields, err)
	}
	if err := s.Release(ctx, user, "c"); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Do(ctx, c.B().Exists().Key("leases:"+user).Build()).AsInt64(); err != nil || n != 0 {
		t.Fatalf("key exists (%d, %v) after its last lease was released", n, err)
	}
}

// TestLeasesConcurrentAcquire: devices starting at once from many callers (any replica) never get more slots than
// the limit.
func TestLeasesConcurrentAcquire(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	s := NewLeases(c)
	user := "user-" + storetest.Unique()
	var granted atomic.Int64
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			_, _, ok, err := s.Acquire(ctx, user, testLease("device-"+string(rune('a'+i))), 3, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				granted.Add(1)
			}
		})
	}
	wg.Wait()
	if granted.Load() != 3 {
		t.Fatalf("%d of 30 concurrent devices got a slot, want 3", granted.Load())
	}
}

// TestLeaseFormat pins the stored value of a lease (see Leases); the scripts write the times, Go the JSON.
func TestLeaseFormat(t *testing.T) {
	l := streaming.Lease{DeviceID: "living-room:tv", Device: "tv", ContentID: "7d2f1b3c-4e5a-4b6c-8d7e-9f0a1b2c3d4e",
		Quality: "full_hd", Network: "203.0.113.0/24", StartedAt: fixedTime.Truncate(time.Millisecond),
		ExpiresAt: fixedTime.Truncate(time.Millisecond).Add(2 * time.Minute)}
	v, err := encodeLease(l)
	if err != nil {
		t.Fatal(err)
	}
	stored := golden.Text(t, "lease.golden.txt", []byte(v))
	got, err := decodeLease("u", string(stored))
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(l, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
	// A lease stored before the network was kept reads with none.
	old, err := decodeLease("u", `1767323165123:1767323045123:{"device_id":"living-room:tv","device":"tv","content_id":"7d2f1b3c-4e5a-4b6c-8d7e-9f0a1b2c3d4e","quality":"full_hd"}`)
	if l.Network = ""; err != nil || !gocmp.Equal(l, old) {
		t.Errorf("a lease without a network decoded %+v (%v), want %+v", old, err, l)
	}
}
