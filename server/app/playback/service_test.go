package playback_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/playback"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Small fakes of our ports (never of a store: the Redis adapter is tested against Redis).

var at = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

// leases is an in-memory LeaseStore with the adapter's rules, on a clock the test moves.
type leases struct {
	now     time.Time
	byUser  map[string]map[string]streaming.Lease
	limits  []int // the limit of each Acquire
	ttls    []time.Duration
	failing error
}

func newLeases() *leases { return &leases{now: at, byUser: map[string]map[string]streaming.Lease{}} }

func (f *leases) live(userID string) map[string]streaming.Lease {
	m := f.byUser[userID]
	if m == nil {
		m = map[string]streaming.Lease{}
		f.byUser[userID] = m
	}
	for d, l := range m {
		if !l.ExpiresAt.After(f.now) {
			delete(m, d)
		}
	}
	return m
}

func (f *leases) Acquire(_ context.Context, userID string, l streaming.Lease, limit int, ttl time.Duration) (streaming.Lease, []streaming.Lease, bool, error) {
	if f.failing != nil {
		return streaming.Lease{}, nil, false, f.failing
	}
	f.limits, f.ttls = append(f.limits, limit), append(f.ttls, ttl)
	m := f.live(userID)
	var others []streaming.Lease
	for d, held := range m {
		if d != l.DeviceID {
			others = append(others, held)
		}
	}
	if len(others) >= limit {
		return streaming.Lease{}, others, false, nil
	}
	l.StartedAt, l.ExpiresAt = f.now, f.now.Add(ttl)
	m[l.DeviceID] = l
	return l, others, true, nil
}

func (f *leases) Renew(_ context.Context, userID, deviceID string, ttl time.Duration) (*streaming.Lease, error) {
	f.ttls = append(f.ttls, ttl)
	l, ok := f.live(userID)[deviceID]
	if !ok {
		return nil, streaming.Errorf(streaming.CodeNotFound, "no live lease")
	}
	l.ExpiresAt = f.now.Add(ttl)
	f.byUser[userID][deviceID] = l
	return &l, nil
}

func (f *leases) Release(_ context.Context, userID, deviceID string) error {
	delete(f.live(userID), deviceID)
	return nil
}

func (f *leases) Leases(_ context.Context, userID string) ([]streaming.Lease, error) {
	var out []streaming.Lease
	for _, l := range f.live(userID) {
		out = append(out, l)
	}
	streaming.SortLeases(out)
	return out, nil
}

// entitlements answers every user with plan, or with err.
type entitlements struct {
	plan *streaming.Plan
	err  error
}

func (e *entitlements) EntitledPlan(context.Context, string) (*streaming.Plan, error) {
	return e.plan, e.err
}

var twoStreamsHD = &streaming.Plan{ID: "p-two", MaxStreams: 2, MaxQuality: "hd"}

func start(device, quality string) playback.Start {
	return playback.Start{UserID: "u1", DeviceID: device, Device: "tv", ContentID: "c1", Quality: quality}
}

func code(t *testing.T, err error, want streaming.Code) *streaming.Error {
	t.Helper()
	if got := streaming.ErrorCode(err); got != want {
		t.Fatalf("error %v, want code %q", err, want)
	}
	return streaming.AsError(err)
}

func TestStartCountsOtherDevicesAgainstThePlan(t *testing.T) {
	store := newLeases()
	s := &playback.Service{Leases: store, Entitlements: &entitlements{plan: twoStreamsHD}, LeaseTTL: time.Minute}
	ctx := t.Context()
	for _, d := range []string{"tv-1", "phone-2"} {
		store.now = store.now.Add(time.Second)
		if _, err := s.Start(ctx, start(d, "hd")); err != nil {
			t.Fatalf("start %s: %v", d, err)
		}
	}
	_, err := s.Start(ctx, start("web-3", "hd"))
	e := code(t, err, streaming.CodeQuotaExceeded)
	var named []string
	for _, v := range e.Quota {
		named = append(named, v.Subject)
	}
	if !slices.Equal(named, []string{"device:tv-1", "device:phone-2"}) {
		t.Fatalf("refusal names %v, want both devices, oldest first", named)
	}
	// A device starting again (another title) replaces its own lease: it is not a third stream.
	if _, err := s.Start(ctx, start("tv-1", "sd")); err != nil {
		t.Fatalf("restart on tv-1: %v", err)
	}
	if err := s.Stop(ctx, "u1", "phone-2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx, "u1", "phone-2"); err != nil {
		t.Fatalf("stopping twice: %v", err)
	}
	if _, err := s.Start(ctx, start("web-3", "hd")); err != nil {
		t.Fatalf("third device after a stop: %v", err)
	}
	// A lease not renewed frees its slot once its TTL has passed.
	store.now = store.now.Add(time.Minute + time.Second)
	if _, err := s.Start(ctx, start("phone-2", "hd")); err != nil {
		t.Fatalf("after the leases expired: %v", err)
	}
	if !slices.Equal(store.limits, []int{2, 2, 2, 2, 2, 2}) || store.ttls[0] != time.Minute {
		t.Fatalf("limits %v, ttls %v: want the plan's 2 streams and the configured TTL", store.limits, store.ttls)
	}
}

func TestStartCapsQualityToThePlan(t *testing.T) {
	for _, tc := range []struct {
		asked, granted string
		capped         bool
	}{
		{"sd", "sd", false},
		{"hd", "hd", false},
		{"full_hd", "hd", true},
		{"uhd", "hd", true},
	} {
		s := &playback.Service{Leases: newLeases(), Entitlements: &entitlements{plan: twoStreamsHD}}
		got, err := s.Start(t.Context(), start("tv-1", tc.asked))
		if err != nil {
			t.Fatal(err)
		}
		if got.Lease.Quality != tc.granted || got.QualityCapped != tc.capped {
			t.Errorf("asked %s on an hd plan: granted %s capped %v, want %s %v", tc.asked, got.Lease.Quality,
				got.QualityCapped, tc.granted, tc.capped)
		}
	}
}

func TestStartRefusals(t *testing.T) {
	noSub := streaming.Errorf(streaming.CodePrecondition, "no active subscription")
	store := newLeases()
	s := &playback.Service{Leases: store, Entitlements: &entitlements{err: noSub}}
	_, err := s.Start(t.Context(), start("tv-1", "hd"))
	code(t, err, streaming.CodePrecondition)
	if len(store.limits) != 0 {
		t.Fatal("a lease was asked for without a subscription")
	}
	s.Entitlements = &entitlements{plan: twoStreamsHD}
	bad := start("tv-1", "hd")
	bad.Device = "toaster"
	if e := code(t, func() error { _, err := s.Start(t.Context(), bad); return err }(), streaming.CodeInvalid); e.Field != "device" {
		t.Fatalf("field %q, want device", e.Field)
	}
	if e := code(t, func() error { _, err := s.Start(t.Context(), start("tv-1", "8k")); return err }(), streaming.CodeInvalid); e.Field != "quality" {
		t.Fatalf("field %q, want quality", e.Field)
	}
	store.failing = streaming.Unavailable("Redis", nil)
	_, err = s.Start(t.Context(), start("tv-1", "hd"))
	code(t, err, streaming.CodeUnavailable)
}

func TestRenew(t *testing.T) {
	store := newLeases()
	ent := &entitlements{plan: twoStreamsHD}
	s := &playback.Service{Leases: store, Entitlements: ent}
	ctx := t.Context()
	if _, err := s.Start(ctx, start("tv-1", "hd")); err != nil {
		t.Fatal(err)
	}
	store.now = store.now.Add(time.Minute)
	l, err := s.Renew(ctx, "u1", "tv-1")
	if err != nil || !l.ExpiresAt.Equal(store.now.Add(playback.DefaultLeaseTTL)) {
		t.Fatalf("renew: %+v %v, want the default TTL from now", l, err)
	}
	_, err = s.Renew(ctx, "u1", "phone-2")
	code(t, err, streaming.CodeNotFound)
	// Once the subscription no longer plays, renewing ends the lease instead.
	ent.plan, ent.err = nil, streaming.Errorf(streaming.CodePrecondition, "no active subscription")
	_, err = s.Renew(ctx, "u1", "tv-1")
	code(t, err, streaming.CodePrecondition)
	if live, _ := s.List(ctx, "u1"); len(live) != 0 {
		t.Fatalf("leases after the subscription ended: %v", live)
	}
}

// accesses collects what the service hands the risk signals' buffer.
type accesses []streaming.Access

func (a *accesses) Add(x streaming.Access) { *a = append(*a, x) }

// TestStartRecordsDeviceAndNetwork: a granted start hands its device and network to the risk signals, naming the
// other networks the account plays from at that moment; a refused start hands nothing.
func TestStartRecordsDeviceAndNetwork(t *testing.T) {
	store := newLeases()
	got := &accesses{}
	s := &playback.Service{Leases: store, Entitlements: &entitlements{plan: twoStreamsHD}, Accesses: got}
	ctx := t.Context()
	from := func(device, addr string) playback.Start {
		r := start(device, "hd")
		r.ClientAddr = addr
		return r
	}
	for _, r := range []playback.Start{
		from("tv-1", "198.51.100.7:52000"),   // home
		from("phone-2", "198.51.100.9"),      // the same home network: nothing concurrent
		from("web-3", "203.0.113.5:443"),     // refused: two streams play already
		from("phone-2", "[2001:db8:1::5]:9"), // the phone moves to another network while the TV plays
	} {
		_, _ = s.Start(ctx, r)
	}
	want := []streaming.Access{
		{UserID: "u1", DeviceID: "tv-1", Device: "tv", Network: "198.51.100.0/24", At: at},
		{UserID: "u1", DeviceID: "phone-2", Device: "tv", Network: "198.51.100.0/24", At: at},
		{UserID: "u1", DeviceID: "phone-2", Device: "tv", Network: "2001:db8:1::/48", Concurrent: []string{"198.51.100.0/24"}, At: at},
	}
	if len(*got) != len(want) {
		t.Fatalf("accesses %+v, want %+v", *got, want)
	}
	for i := range want {
		g, w := (*got)[i], want[i]
		if g.UserID != w.UserID || g.DeviceID != w.DeviceID || g.Network != w.Network || !slices.Equal(g.Concurrent, w.Concurrent) || !g.At.Equal(w.At) {
			t.Errorf("access %d = %+v, want %+v", i, g, w)
		}
	}
	if lease, _ := store.Leases(ctx, "u1"); len(lease) != 2 || lease[0].Network == "" || lease[1].Network == "" {
		t.Errorf("leases %+v: want the network kept on each", lease)
	}
}

func TestNetworkOf(t *testing.T) {
	for addr, want := range map[string]string{
		"198.51.100.7": "198.51.100.0/24", "198.51.100.7:443": "198.51.100.0/24", "::ffff:198.51.100.7": "198.51.100.0/24",
		"2001:db8:1:2::5": "2001:db8:1::/48", "[2001:db8:1:2::5]:80": "2001:db8:1::/48", "": "", "bufconn": "",
	} {
		if got := streaming.NetworkOf(addr); got != want {
			t.Errorf("NetworkOf(%q) = %q, want %q", addr, got, want)
		}
	}
}
