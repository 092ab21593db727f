package neo4j

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/streamingplatform/streaming/server/streaming"
)

var _ streaming.RiskGraph = (*Graph)(nil)

// The account-sharing links (streaming.RiskGraph):
//
//	(:User)-[:USED_DEVICE {first, last, starts}]->(:Device {id, type})
//	(:User)-[:PLAYED_FROM {first, last, starts, concurrent}]->(:Network {prefix})
//	(:User)-[:PAID_WITH {first, last}]->(:PaymentInstrument {fingerprint})
//
// Devices and networks come from RecordAccesses, payment instruments from the projector (subscription events with a
// card fingerprint). Two accounts are linked when they share a Device or a PaymentInstrument node; a PLAYED_FROM edge
// with concurrent > 0 is a network the account played from while another of its networks was playing. The shared
// nodes hold no personal data by themselves: an erasure deletes the user's edges to them and leaves the nodes.

// recordDevicesCypher adds a row's starts to the (user, device) USED_DEVICE edge and widens its first and last to
// the row's (batches may arrive out of order). The user is merged, locked and checked first, so an access of an
// erased user (a tombstone, see EraseUser) writes nothing, not even a new Device node. A device keeps the type it
// was first seen with: an installation does not change kind.
var recordDevicesCypher = liveUserRows + `
MERGE (d:Device {id: r.device_id})
ON CREATE SET d.type = r.type
MERGE (u)-[e:USED_DEVICE]->(d)
SET e.starts = coalesce(e.starts, 0) + r.starts, ` + widenSeen("e")

// recordNetworksCypher is recordDevicesCypher's counterpart for PLAYED_FROM edges, which also count the concurrent
// sightings. A network named only as concurrent gets an edge with no starts of its own.
var recordNetworksCypher = liveUserRows + `
MERGE (n:Network {prefix: r.prefix})
MERGE (u)-[p:PLAYED_FROM]->(n)
SET p.starts = coalesce(p.starts, 0) + r.starts,
    p.concurrent = coalesce(p.concurrent, 0) + r.concurrent, ` + widenSeen("p")

// liveUserRows starts the writes of the risk links: each row's user merged, locked and skipped when erased (a
// tombstone, see EraseUser), so an erased user's late signal writes nothing, not even a new node.
const liveUserRows = `
UNWIND $rows AS r
MERGE (u:User {id: r.user_id})
` + lockUser + `
WITH u, r WHERE NOT coalesce(u.erased, false)`

// widenSeen sets relationship e's first and last to include the row's: batches may arrive out of order.
func widenSeen(e string) string {
	return e + `.first = CASE WHEN ` + e + `.first IS NULL OR ` + e + `.first > r.first THEN r.first ELSE ` + e + `.first END,
    ` + e + `.last = CASE WHEN ` + e + `.last IS NULL OR ` + e + `.last < r.last THEN r.last ELSE ` + e + `.last END`
}

// seen is the span of times a batch links a user to a device, network or payment instrument (widenSeen).
type seen struct{ first, last time.Time }

// at widens the span to t; a zero t (an event without a time) leaves it as it is.
func (s *seen) at(t time.Time) {
	if t.IsZero() {
		return
	}
	if s.first.IsZero() || t.Before(s.first) {
		s.first = t
	}
	if t.After(s.last) {
		s.last = t
	}
}

// sighting is what a batch says of one (user, device) or (user, network) edge.
type sighting struct {
	seen
	typ        string // the device's type; "" for a network
	starts     int64
	concurrent int64
}

// RecordAccesses links each access's user to its device (USED_DEVICE) and network (PLAYED_FROM), in one write
// transaction (streaming.RiskGraph). Accesses of the same user and device, or user and network, are merged first.
// An access counts as a start on its device and network; one with Concurrent networks also counts once as concurrent
// on its own network and on each of those (merging their edges if missing), so both sides of a concurrent pair count.
// An access without a network links its device only: its Concurrent networks are ignored too, as nothing says they
// differ from the one it played from. A user not in the graph is merged, as a genre search's is; an access of an
// erased user writes nothing. An access without a user, device id or time, or with a device type not in
// streaming.Devices, is a CodeInvalid error and nothing of the call is written.
func (g *Graph) RecordAccesses(ctx context.Context, accesses []streaming.Access) error {
	type key struct{ user, id string } // id: the device id or the network prefix
	devices := make(map[key]*sighting, len(accesses))
	networks := make(map[key]*sighting, len(accesses))
	see := func(m map[key]*sighting, k key) *sighting {
		s, ok := m[k]
		if !ok {
			s = &sighting{}
			m[k] = s
		}
		return s
	}
	for _, a := range accesses {
		switch {
		case a.UserID == "":
			return streaming.Invalid("user_id", "an access needs a user id")
		case a.DeviceID == "":
			return streaming.Invalid("device_id", "an access needs a device id")
		case !slices.Contains(streaming.Devices, a.Device):
			return streaming.Invalid("device", "must be one of %v, got %q", streaming.Devices, a.Device)
		case a.At.IsZero():
			return streaming.Invalid("at", "an access needs a time")
		}
		d := see(devices, key{a.UserID, a.DeviceID})
		if d.typ == "" {
			d.typ = a.Device
		}
		d.starts++
		d.at(a.At)
		if a.Network == "" {
			continue
		}
		var others []string
		for _, c := range a.Concurrent {
			if c != "" && c != a.Network && !slices.Contains(others, c) {
				others = append(others, c)
			}
		}
		n := see(networks, key{a.UserID, a.Network})
		n.starts++
		n.at(a.At)
		if len(others) > 0 {
			n.concurrent++
		}
		for _, c := range others {
			o := see(networks, key{a.UserID, c})
			o.concurrent++
			o.at(a.At)
		}
	}
	if len(devices) == 0 {
		return nil
	}
	// Sorted by user, then device or network: the order the statements lock them in, so concurrent batches lock in
	// the same order.
	rows := func(m map[key]*sighting, idKey string) []map[string]any {
		keys := slices.SortedFunc(maps.Keys(m), func(a, b key) int {
			return cmp.Or(cmp.Compare(a.user, b.user), cmp.Compare(a.id, b.id))
		})
		out := make([]map[string]any, len(keys))
		for i, k := range keys {
			s := m[k]
			// UTC: the edges' times compare as instants anyway; one zone keeps what is stored readable.
			out[i] = map[string]any{"user_id": k.user, idKey: k.id, "type": s.typ, "starts": s.starts,
				"concurrent": s.concurrent, "first": s.first.UTC(), "last": s.last.UTC()}
		}
		return out
	}
	deviceRows, networkRows := rows(devices, "device_id"), rows(networks, "prefix")
	return g.write(ctx, func(tx txRunner) error {
		if err := runRows(ctx, tx, recordDevicesCypher, deviceRows); err != nil {
			return err
		}
		return runRows(ctx, tx, recordNetworksCypher, networkRows)
	})
}

// riskLinksCypher, after a statement has bound u to a user that is not erased, computes its links: the distinct
// other accounts (not erased) sharing a payment instrument, and a device, with it — how many, and the first
// $maxPeers by id — and how many of its PLAYED_FROM edges are concurrent. Each subquery aggregates without a
// grouping key, so it answers one row (0 and []) even when the user has no such link.
const riskLinksCypher = `
CALL (u) {
  MATCH (u)-[:PAID_WITH]->(:PaymentInstrument)<-[:PAID_WITH]-(o:User)
  WHERE o <> u AND NOT coalesce(o.erased, false)
  WITH DISTINCT o.id AS id ORDER BY id
  RETURN count(id) AS cardPeerCount, collect(id)[..$maxPeers] AS cardPeers
}
CALL (u) {
  MATCH (u)-[:USED_DEVICE]->(:Device)<-[:USED_DEVICE]-(o:User)
  WHERE o <> u AND NOT coalesce(o.erased, false)
  WITH DISTINCT o.id AS id ORDER BY id
  RETURN count(id) AS devicePeerCount, collect(id)[..$maxPeers] AS devicePeers
}
WITH u, cardPeerCount, cardPeers, devicePeerCount, devicePeers,
     COUNT { (u)-[p:PLAYED_FROM]->(:Network) WHERE p.concurrent > 0 } AS concurrentNetworks`

const riskLinksReturn = `
RETURN u.id AS user_id, cardPeerCount AS card_peer_count, cardPeers AS card_peers,
       devicePeerCount AS device_peer_count, devicePeers AS device_peers, concurrentNetworks AS concurrent_networks`

// userRiskLinksCypher is one user's links: a seek on the user_id constraint's index, then expansions from it. An
// unknown or erased user answers no row.
const userRiskLinksCypher = `
MATCH (u:User {id: $userId})
WHERE NOT coalesce(u.erased, false)
` + riskLinksCypher + riskLinksReturn

// suspiciousLinksCypher finds the candidates from the risk edges alone, never from the users: the users of payment
// instruments and devices with more than one account (read from the shared node's degree), and those with a
// concurrent PLAYED_FROM edge; one pass over the three relationship types. Each candidate's links are then computed as
// userRiskLinksCypher does, and the accounts ordered by their number of links (then id). Its cost grows with the
// number of risk edges and suspicious accounts, and with the size of the groups sharing a node; not with the number
// of users or of titles.
const suspiciousLinksCypher = `
CALL () {
  MATCH (p:PaymentInstrument) WHERE COUNT { (p)<-[:PAID_WITH]-() } > 1
  MATCH (p)<-[:PAID_WITH]-(u:User)
  RETURN u
  UNION
  MATCH (d:Device) WHERE COUNT { (d)<-[:USED_DEVICE]-() } > 1
  MATCH (d)<-[:USED_DEVICE]-(u:User)
  RETURN u
  UNION
  MATCH (u:User)-[p:PLAYED_FROM]->(:Network) WHERE p.concurrent > 0
  RETURN u
}
WITH u WHERE NOT coalesce(u.erased, false)
` + riskLinksCypher + `
WHERE cardPeerCount + devicePeerCount + concurrentNetworks > 0` + riskLinksReturn + `
ORDER BY card_peer_count + device_peer_count + concurrent_networks DESC, user_id ASC
LIMIT $limit`

// RiskLinks returns the user's links (streaming.RiskGraph): other accounts sharing one of its payment instruments or
// devices (at most streaming.MaxRelatedAccounts of each, sorted, with their full counts) and its concurrent networks.
// A user the graph does not know, or an erased one, has none: RiskLinks{UserID: userID} and no error.
func (g *Graph) RiskLinks(ctx context.Context, userID string) (streaming.RiskLinks, error) {
	if userID == "" {
		return streaming.RiskLinks{}, streaming.Invalid("user_id", "is empty")
	}
	links, err := g.readRiskLinks(ctx, "risk links", userRiskLinksCypher,
		map[string]any{"userId": userID, "maxPeers": int64(streaming.MaxRelatedAccounts)})
	if err != nil {
		return streaming.RiskLinks{}, err
	}
	if len(links) == 0 {
		return streaming.RiskLinks{UserID: userID}, nil
	}
	return links[0], nil
}

// SuspiciousLinks returns at most limit accounts with at least one signal, with their links, those with the most
// links (card peers + device peers + concurrent networks) first, then by user id (streaming.RiskGraph). A limit
// below 1 is a CodeInvalid error.
func (g *Graph) SuspiciousLinks(ctx context.Context, limit int) ([]streaming.RiskLinks, error) {
	if limit < 1 {
		return nil, streaming.Invalid("limit", "must be positive, got %d", limit)
	}
	return g.readRiskLinks(ctx, "suspicious links", suspiciousLinksCypher,
		map[string]any{"limit": int64(limit), "maxPeers": int64(streaming.MaxRelatedAccounts)})
}

// readRiskLinks runs one of the risk queries (readBounded) and reads its records as links; op names it in spans and
// errors.
func (g *Graph) readRiskLinks(ctx context.Context, op, cypher string, params map[string]any) ([]streaming.RiskLinks, error) {
	records, err := g.readBounded(ctx, op, cypher, params)
	if err != nil {
		return nil, err
	}
	out := make([]streaming.RiskLinks, len(records))
	for i, r := range records {
		cards, _ := recInt(r, "card_peer_count")
		devices, _ := recInt(r, "device_peer_count")
		concurrent, _ := recInt(r, "concurrent_networks")
		out[i] = streaming.RiskLinks{UserID: recString(r, "user_id"),
			CardPeerCount: int(cards), CardPeers: recPeers(r, "card_peers"),
			DevicePeerCount: int(devices), DevicePeers: recPeers(r, "device_peers"),
			ConcurrentNetworks: int(concurrent)}
	}
	return out, nil
}

// recPeers is a list of peer ids, nil when empty (as in the links of an account the graph does not know).
func recPeers(r *neo4j.Record, key string) []string {
	if ids := recStrings(r, key); len(ids) > 0 {
		return ids
	}
	return nil
}
