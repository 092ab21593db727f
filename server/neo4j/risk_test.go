package neo4j_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	graph "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

var _ streaming.RiskGraph = (*graph.Graph)(nil)

// riskFixture is a fixture that also owns the devices, networks and payment instruments its test made up, all
// unique, and deletes them when the test ends.
type riskFixture struct {
	*fixture
	devices, networks, cards []string
}

func newRiskFixture(t *testing.T) *riskFixture {
	t.Helper()
	f := &riskFixture{fixture: newFixture(t)}
	// Runs before the fixture's own cleanup (registered earlier), while its driver is open.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := neo4j.ExecuteQuery(ctx, f.driver, `
CALL {
  MATCH (n:Device) WHERE n.id IN $devices RETURN n
  UNION
  MATCH (n:Network) WHERE n.prefix IN $networks RETURN n
  UNION
  MATCH (n:PaymentInstrument) WHERE n.fingerprint IN $cards RETURN n
}
DETACH DELETE n`, map[string]any{"devices": f.devices, "networks": f.networks, "cards": f.cards},
			neo4j.EagerResultTransformer)
		if err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return f
}

// device is an installation id owned by the test.
func (f *riskFixture) device() string {
	id := uuid.NewString()
	f.devices = append(f.devices, id)
	return id
}

// network is a network owned by the test: the /48 of a random unique-local IPv6 address.
func (f *riskFixture) network() string {
	u := uuid.New()
	a := [16]byte{0xfd}
	copy(a[1:6], u[:5])
	n := streaming.NetworkOf(netip.AddrFrom16(a).String())
	if n == "" {
		f.t.Fatalf("NetworkOf(%s) is empty", netip.AddrFrom16(a))
	}
	f.networks = append(f.networks, n)
	return n
}

// card is a payment fingerprint owned by the test.
func (f *riskFixture) card() string {
	fp := "fp_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	f.cards = append(f.cards, fp)
	return fp
}

func subscriptionEvent(t *testing.T, typ, userID string, v int64, fingerprint string, at time.Time) streaming.Event {
	return streaming.Event{AggregateType: streaming.AggregateSubscription, AggregateID: "sub-" + userID, Version: v,
		Type: typ, OccurredAt: at,
		Payload: payload(t, streaming.SubscriptionPayload{SubscriptionID: "sub-" + userID, UserID: userID,
			Status: streaming.SubscriptionActive, PaymentFingerprint: fingerprint, UpdatedAt: at})}
}

func (f *riskFixture) access(accesses ...streaming.Access) {
	f.t.Helper()
	if err := f.g.RecordAccesses(f.ctx, accesses); err != nil {
		f.t.Fatalf("RecordAccesses: %v", err)
	}
}

func (f *riskFixture) links(userID string) streaming.RiskLinks {
	f.t.Helper()
	l, err := f.g.RiskLinks(f.ctx, userID)
	if err != nil {
		f.t.Fatalf("RiskLinks(%s): %v", userID, err)
	}
	return l
}

// suspicious is SuspiciousLinks with a limit large enough for the whole shared database, by user id, restricted to
// the test's users; it checks the order of the whole list.
func (f *riskFixture) suspicious() map[string]streaming.RiskLinks {
	f.t.Helper()
	all, err := f.g.SuspiciousLinks(f.ctx, 100000)
	if err != nil {
		f.t.Fatalf("SuspiciousLinks: %v", err)
	}
	total := func(l streaming.RiskLinks) int { return l.CardPeerCount + l.DevicePeerCount + l.ConcurrentNetworks }
	out := map[string]streaming.RiskLinks{}
	for i, l := range all {
		if !l.Suspicious() {
			f.t.Errorf("SuspiciousLinks lists %+v, which has no signal", l)
		}
		if i > 0 {
			p := all[i-1]
			if total(p) < total(l) || total(p) == total(l) && p.UserID >= l.UserID {
				f.t.Errorf("SuspiciousLinks lists %+v before %+v", p, l)
			}
		}
		if slices.Contains(f.ids, l.UserID) {
			out[l.UserID] = l
		}
	}
	return out
}

// edges are the properties of the user's relationships of type rel to the node whose id, prefix or fingerprint is
// key.
func (f *riskFixture) edges(userID, rel, key string) []map[string]any {
	f.t.Helper()
	recs := f.query(`
MATCH (:User {id: $u})-[e]->(n)
WHERE type(e) = $rel AND $key IN [n.id, n.prefix, n.fingerprint]
RETURN properties(e) AS p`, map[string]any{"u": userID, "rel": rel, "key": key})
	out := make([]map[string]any, len(recs))
	for i, r := range recs {
		p, _ := r.Get("p")
		out[i] = p.(map[string]any)
	}
	return out
}

// edge is the user's only relationship of type rel to key, nil without one.
func (f *riskFixture) edge(userID, rel, key string) map[string]any {
	f.t.Helper()
	switch es := f.edges(userID, rel, key); len(es) {
	case 0:
		return nil
	case 1:
		return es[0]
	default:
		f.t.Fatalf("%d %s edges from %s to %s, want at most one", len(es), rel, userID, key)
		return nil
	}
}

// others is ids without id, sorted.
func others(ids []string, id string) []string {
	out := slices.DeleteFunc(slices.Clone(ids), func(x string) bool { return x == id })
	slices.Sort(out)
	return out
}

// Three accounts paying with one card (through the projector) and playing on one device are each other's peers; an
// account with its own card and device has no links and is not suspicious.
func TestRiskSharedCardAndDevice(t *testing.T) {
	t.Parallel()
	f := newRiskFixture(t)
	a, b, c, loner := f.id(), f.id(), f.id(), f.id()
	card, device := f.card(), f.device()
	at := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	f.project(
		subscriptionEvent(t, streaming.EventSubscriptionCreated, a, 1, card, at),
		subscriptionEvent(t, streaming.EventSubscriptionRenewed, b, 2, card, at),
		subscriptionEvent(t, streaming.EventSubscriptionPaymentMethodUpdated, c, 3, card, at),
		subscriptionEvent(t, streaming.EventSubscriptionCreated, loner, 1, f.card(), at),
		subscriptionEvent(t, streaming.EventSubscriptionPlanChanged, loner, 2, "", at), // no fingerprint: no link
	)
	net := f.network()
	f.access(
		streaming.Access{UserID: a, DeviceID: device, Device: "tv", Network: net, At: at},
		streaming.Access{UserID: b, DeviceID: device, Device: "tv", Network: net, At: at},
		streaming.Access{UserID: c, DeviceID: device, Device: "tv", At: at},
		streaming.Access{UserID: a, DeviceID: device, Device: "tv", Network: net, At: at.Add(time.Minute)},
		streaming.Access{UserID: loner, DeviceID: f.device(), Device: "mobile", Network: net, At: at},
	)

	trio := []string{a, b, c}
	suspicious := f.suspicious()
	for _, u := range trio {
		want := streaming.RiskLinks{UserID: u, CardPeerCount: 2, CardPeers: others(trio, u), DevicePeerCount: 2,
			DevicePeers: others(trio, u)}
		if diff := cmp.Diff(want, f.links(u)); diff != "" {
			t.Errorf("RiskLinks(%s) (-want +got):\n%s", u, diff)
		}
		if diff := cmp.Diff(want, suspicious[u]); diff != "" {
			t.Errorf("SuspiciousLinks for %s (-want +got):\n%s", u, diff)
		}
	}
	// Sharing a network is no link; the loner's card and device are its own.
	if diff := cmp.Diff(streaming.RiskLinks{UserID: loner}, f.links(loner)); diff != "" {
		t.Errorf("RiskLinks(loner) (-want +got):\n%s", diff)
	}
	if l, ok := suspicious[loner]; ok {
		t.Errorf("SuspiciousLinks lists the loner: %+v", l)
	}
	if got := len(suspicious); got != len(trio) {
		t.Errorf("SuspiciousLinks lists %d of the test's accounts, want %d", got, len(trio))
	}

	// The edges: a started twice on the device; its type is the node's.
	if e := f.edge(a, "USED_DEVICE", device); e == nil || e["starts"] != int64(2) ||
		!e["first"].(time.Time).Equal(at) || !e["last"].(time.Time).Equal(at.Add(time.Minute)) {
		t.Errorf("a's USED_DEVICE edge = %v, want 2 starts from %v to %v", e, at, at.Add(time.Minute))
	}
	if recs := f.query(`MATCH (d:Device {id: $id}) RETURN d.type AS type`, map[string]any{"id": device}); len(recs) != 1 ||
		recs[0].AsMap()["type"] != "tv" {
		t.Errorf("device node: %v, want one of type tv", recs)
	}
	if e := f.edge(c, "PLAYED_FROM", net); e != nil {
		t.Errorf("an access without a network made a PLAYED_FROM edge: %v", e)
	}
	if e := f.edge(b, "PLAYED_FROM", net); e == nil || e["starts"] != int64(1) || e["concurrent"] != int64(0) {
		t.Errorf("b's PLAYED_FROM edge = %v, want 1 start, none concurrent", e)
	}

	// An account the graph does not know has no links, and asking does not create it.
	unknown := f.id()
	if diff := cmp.Diff(streaming.RiskLinks{UserID: unknown}, f.links(unknown)); diff != "" {
		t.Errorf("RiskLinks(unknown) (-want +got):\n%s", diff)
	}
	if _, _, found := f.userNode(unknown); found {
		t.Error("RiskLinks created the user")
	}
}

// Peer lists are sorted and cut at MaxRelatedAccounts; the counts are not.
func TestRiskLinksBoundsPeers(t *testing.T) {
	t.Parallel()
	f := newRiskFixture(t)
	device := f.device()
	at := time.Now()
	users := make([]string, streaming.MaxRelatedAccounts+2)
	accesses := make([]streaming.Access, len(users))
	for i := range users {
		users[i] = f.id()
		accesses[i] = streaming.Access{UserID: users[i], DeviceID: device, Device: "web", At: at}
	}
	f.access(accesses...)
	u := users[0]
	want := streaming.RiskLinks{UserID: u, DevicePeerCount: len(users) - 1,
		DevicePeers: others(users, u)[:streaming.MaxRelatedAccounts]}
	if diff := cmp.Diff(want, f.links(u)); diff != "" {
		t.Errorf("RiskLinks (-want +got):\n%s", diff)
	}
}

// Concurrent playback counts on both networks of a pair, merging the edge of a network only named as concurrent.
func TestRecordAccessesConcurrentNetworks(t *testing.T) {
	t.Parallel()
	f := newRiskFixture(t)
	u, other := f.id(), f.id()
	n1, n2, n3, n4 := f.network(), f.network(), f.network(), f.network()
	phone, tv := f.device(), f.device()
	t0 := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	t1, t2 := t0.Add(time.Minute), t0.Add(2*time.Minute)
	playedFrom := func(n string) (starts, concurrent any, first, last time.Time) {
		t.Helper()
		e := f.edge(u, "PLAYED_FROM", n)
		if e == nil {
			t.Fatalf("no PLAYED_FROM edge to %s", n)
		}
		return e["starts"], e["concurrent"], e["first"].(time.Time), e["last"].(time.Time)
	}

	f.access(streaming.Access{UserID: u, DeviceID: phone, Device: "mobile", Network: n1, At: t0})
	if got := f.links(u).ConcurrentNetworks; got != 0 {
		t.Errorf("ConcurrentNetworks after one network = %d, want 0", got)
	}
	// n2 while n1 plays: a concurrent start on n2, a concurrent sighting of n1. Duplicates, the access's own network
	// and "" in Concurrent count for nothing.
	f.access(streaming.Access{UserID: u, DeviceID: tv, Device: "tv", Network: n2, Concurrent: []string{n1, n2, n1, ""}, At: t1})
	if diff := cmp.Diff(streaming.RiskLinks{UserID: u, ConcurrentNetworks: 2}, f.links(u)); diff != "" {
		t.Errorf("RiskLinks after a concurrent pair (-want +got):\n%s", diff)
	}
	if s, c, first, last := playedFrom(n1); s != int64(1) || c != int64(1) || !first.Equal(t0) || !last.Equal(t1) {
		t.Errorf("n1 edge: starts %v, concurrent %v, %v to %v; want 1, 1, %v to %v", s, c, first, last, t0, t1)
	}
	if s, c, _, _ := playedFrom(n2); s != int64(1) || c != int64(1) {
		t.Errorf("n2 edge: starts %v, concurrent %v; want 1, 1", s, c)
	}

	// n3 while n2 plays, and n4 named only as concurrent: n4's edge is merged, with no start of its own. An access
	// without a network writes no network edge, whatever its Concurrent says. A late access moves first back.
	f.access(
		streaming.Access{UserID: u, DeviceID: phone, Device: "mobile", Network: n3, Concurrent: []string{n2, n4}, At: t2},
		streaming.Access{UserID: other, DeviceID: f.device(), Device: "web", Concurrent: []string{n1}, At: t2},
		streaming.Access{UserID: u, DeviceID: phone, Device: "mobile", Network: n1, At: t0.Add(-time.Minute)},
	)
	if s, c, first, last := playedFrom(n4); s != int64(0) || c != int64(1) || !first.Equal(t2) || !last.Equal(t2) {
		t.Errorf("n4 edge: starts %v, concurrent %v, %v to %v; want 0, 1, %v to %v", s, c, first, last, t2, t2)
	}
	if s, c, _, _ := playedFrom(n2); s != int64(1) || c != int64(2) {
		t.Errorf("n2 edge: starts %v, concurrent %v; want 1, 2", s, c)
	}
	if s, c, first, last := playedFrom(n1); s != int64(2) || c != int64(1) || !first.Equal(t0.Add(-time.Minute)) || !last.Equal(t1) {
		t.Errorf("n1 edge: starts %v, concurrent %v, %v to %v; want 2, 1, %v to %v", s, c, first, last,
			t0.Add(-time.Minute), t1)
	}
	want := streaming.RiskLinks{UserID: u, ConcurrentNetworks: 4}
	if diff := cmp.Diff(want, f.links(u)); diff != "" {
		t.Errorf("RiskLinks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, f.suspicious()[u]); diff != "" {
		t.Errorf("SuspiciousLinks for the user (-want +got):\n%s", diff)
	}
	if _, rels, _ := f.userNode(other); len(rels) != 1 || !strings.HasPrefix(rels[0], "USED_DEVICE ") {
		t.Errorf("the access without a network left %v, want its device edge only", rels)
	}
}

// An erased account loses its links, is no one's peer, and later events of it write nothing.
func TestRiskErasedUser(t *testing.T) {
	t.Parallel()
	f := newRiskFixture(t)
	a, b, erased := f.id(), f.id(), f.id()
	card, device, net1, net2 := f.card(), f.device(), f.network(), f.network()
	at := time.Now().Truncate(time.Millisecond)
	for i, u := range []string{a, b, erased} {
		f.project(subscriptionEvent(t, streaming.EventSubscriptionCreated, u, int64(i+1), card, at))
		f.access(streaming.Access{UserID: u, DeviceID: device, Device: "console", Network: net1, Concurrent: []string{net2}, At: at})
	}
	if l := f.links(erased); l.CardPeerCount != 2 || l.DevicePeerCount != 2 || l.ConcurrentNetworks != 2 {
		t.Fatalf("RiskLinks before the erasure = %+v, want 2 card peers, 2 device peers, 2 concurrent networks", l)
	}

	f.erase(erased, 7)
	f.requireTombstone(erased, 7)
	if diff := cmp.Diff(streaming.RiskLinks{UserID: erased}, f.links(erased)); diff != "" {
		t.Errorf("RiskLinks of the erased user (-want +got):\n%s", diff)
	}
	want := map[string]streaming.RiskLinks{
		a: {UserID: a, CardPeerCount: 1, CardPeers: []string{b}, DevicePeerCount: 1, DevicePeers: []string{b}, ConcurrentNetworks: 2},
		b: {UserID: b, CardPeerCount: 1, CardPeers: []string{a}, DevicePeerCount: 1, DevicePeers: []string{a}, ConcurrentNetworks: 2},
	}
	for _, u := range []string{a, b} {
		if diff := cmp.Diff(want[u], f.links(u)); diff != "" {
			t.Errorf("RiskLinks(%s) after the erasure (-want +got):\n%s", u, diff)
		}
	}
	if diff := cmp.Diff(want, f.suspicious()); diff != "" {
		t.Errorf("SuspiciousLinks after the erasure (-want +got):\n%s", diff)
	}

	// Events of the erased user still in flight: no edge, and no node for a new card or device.
	newCard, newDevice := f.card(), f.device()
	f.project(subscriptionEvent(t, streaming.EventSubscriptionCanceled, erased, 9, newCard, at))
	f.access(streaming.Access{UserID: erased, DeviceID: newDevice, Device: "tv", Network: net1, Concurrent: []string{net2}, At: at})
	f.requireTombstone(erased, 7)
	if recs := f.query(`
OPTIONAL MATCH (p:PaymentInstrument {fingerprint: $card})
OPTIONAL MATCH (d:Device {id: $device})
RETURN count(p) + count(d) AS n`, map[string]any{"card": newCard, "device": newDevice}); recs[0].AsMap()["n"] != int64(0) {
		t.Error("a late event of the erased user created a node")
	}
}

// RecordAccesses refuses a call with a bad access before writing anything; an empty call does nothing.
func TestRecordAccessesInvalid(t *testing.T) {
	t.Parallel()
	f := newRiskFixture(t)
	user, device := f.id(), f.device()
	at := time.Now()
	good := streaming.Access{UserID: user, DeviceID: device, Device: "web", Network: f.network(), At: at}
	for _, bad := range []streaming.Access{
		{DeviceID: device, Device: "web", At: at},
		{UserID: user, Device: "web", At: at},
		{UserID: user, DeviceID: device, Device: "web"},
		{UserID: user, DeviceID: device, Device: "toaster", At: at},
		{UserID: user, DeviceID: device, At: at},
	} {
		if err := f.g.RecordAccesses(f.ctx, []streaming.Access{good, bad}); streaming.ErrorCode(err) != streaming.CodeInvalid {
			t.Errorf("RecordAccesses(%+v) = %v, want a CodeInvalid error", bad, err)
		}
	}
	if _, _, found := f.userNode(user); found {
		t.Error("a refused call created the user")
	}
	if recs := f.query(`MATCH (d:Device {id: $id}) RETURN d`, map[string]any{"id": device}); len(recs) != 0 {
		t.Error("a refused call created the device")
	}
	if err := f.g.RecordAccesses(f.ctx, nil); err != nil {
		t.Errorf("RecordAccesses(nil) = %v", err)
	}
	if _, err := f.g.RiskLinks(f.ctx, ""); streaming.ErrorCode(err) != streaming.CodeInvalid {
		t.Errorf(`RiskLinks("") = %v, want a CodeInvalid error`, err)
	}
	if _, err := f.g.SuspiciousLinks(f.ctx, 0); streaming.ErrorCode(err) != streaming.CodeInvalid {
		t.Errorf("SuspiciousLinks(0) = %v, want a CodeInvalid error", err)
	}
}

// A replayed subscription event leaves one PAID_WITH edge; events out of order only widen its first and last.
func TestProjectorPaymentInstruments(t *testing.T) {
	t.Parallel()
	f := newRiskFixture(t)
	user, card := f.id(), f.card()
	t0 := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	t1, t2 := t0.Add(time.Minute), t0.Add(2*time.Minute)
	paidWith := func() (first, last time.Time) {
		t.Helper()
		e := f.edge(user, "PAID_WITH", card)
		if e == nil {
			t.Fatal("no PAID_WITH edge")
		}
		return e["first"].(time.Time), e["last"].(time.Time)
	}

	created := subscriptionEvent(t, streaming.EventSubscriptionCreated, user, 1, card, t1)
	f.project(created)
	f.project(created)
	if first, last := paidWith(); !first.Equal(t1) || !last.Equal(t1) {
		t.Errorf("PAID_WITH after a replay: %v to %v, want %v to %v", first, last, t1, t1)
	}
	// One batch, out of order; the older event has no OccurredAt and is placed by its payload's UpdatedAt.
	older := subscriptionEvent(t, streaming.EventSubscriptionPastDue, user, 3, card, t0)
	older.OccurredAt = time.Time{}
	f.project(subscriptionEvent(t, streaming.EventSubscriptionEnded, user, 4, card, t2), older, created)
	if first, last := paidWith(); !first.Equal(t0) || !last.Equal(t2) {
		t.Errorf("PAID_WITH after late events: %v to %v, want %v to %v", first, last, t0, t2)
	}
	if n := len(f.edges(user, "PAID_WITH", card)); n != 1 {
		t.Errorf("%d PAID_WITH edges, want 1", n)
	}
	// Every subscription event links the card, not only a few types.
	for i, typ := range []string{streaming.EventSubscriptionCreated, streaming.EventSubscriptionPlanChanged,
		streaming.EventSubscriptionCanceled, streaming.EventSubscriptionRenewed, streaming.EventSubscriptionPastDue,
		streaming.EventSubscriptionExpired, streaming.EventSubscriptionEnded,
		streaming.EventSubscriptionPaymentMethodUpdated} {
		u, c := f.id(), f.card()
		f.project(subscriptionEvent(t, typ, u, int64(i+1), c, t1))
		if f.edge(u, "PAID_WITH", c) == nil {
			t.Errorf("%s made no PAID_WITH edge", typ)
		}
	}
}

func TestRiskSchemaAndClosedGraph(t *testing.T) {
	t.Parallel()
	f := newRiskFixture(t)
	recs := f.query(`
SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties
WHERE type = 'UNIQUENESS' AND name IN ['device_id', 'network_prefix', 'payment_instrument_fingerprint']
RETURN name, labelsOrTypes[0] + '.' + properties[0] AS on`, nil)
	got := map[string]string{}
	for _, r := range recs {
		m := r.AsMap()
		got[m["name"].(string)] = m["on"].(string)
	}
	want := map[string]string{"device_id": "Device.id", "network_prefix": "Network.prefix",
		"payment_instrument_fingerprint": "PaymentInstrument.fingerprint"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("uniqueness constraints (-want +got):\n%s", diff)
	}

	s := storetest.Settings(t)
	g, _, err := graph.Open(f.ctx, graph.Config{URI: s.Neo4jURI()})
	if err != nil {
		t.Fatal(err)
	}
	expired, cancel := context.WithDeadline(f.ctx, time.Now().Add(-time.Second))
	defer cancel()
	if _, err := g.SuspiciousLinks(expired, 10); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("SuspiciousLinks past the deadline = %v, want a CodeUnavailable error", err)
	}
	if err := g.Close(f.ctx); err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	for name, call := range map[string]func() error{
		"RecordAccesses": func() error {
			return g.RecordAccesses(f.ctx, []streaming.Access{{UserID: id, DeviceID: id, Device: "web", At: time.Now()}})
		},
		"RiskLinks": func() error {
			_, err := g.RiskLinks(f.ctx, id)
			return err
		},
		"SuspiciousLinks": func() error {
			_, err := g.SuspiciousLinks(f.ctx, 10)
			return err
		},
	} {
		if err := call(); streaming.ErrorCode(err) != streaming.CodeUnavailable {
			t.Errorf("%s on a closed graph = %v, want a CodeUnavailable error", name, err)
		}
	}
}
