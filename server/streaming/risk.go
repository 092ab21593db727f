package streaming

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Risk signals: why an account scores a risk (proto RiskSignal).
const (
	RiskSharedPaymentInstrument = "shared_payment_instrument"
	RiskSharedDevice            = "shared_device"
	RiskConcurrentNetworks      = "concurrent_networks"
)

// MaxRelatedAccounts is how many related accounts a risk reason names at most.
const MaxRelatedAccounts = 20

// Access is a derived signal from playback: the user started playing on the device (its installation id and kind)
// from the network at At. Concurrent are the networks of the user's other live leases that differ from Network: the
// account was playing from them at that moment. It feeds the graph's account-sharing links
// ((:User)-[:USED_DEVICE]->(:Device), (:User)-[:PLAYED_FROM]->(:Network)).
type Access struct {
	UserID     string
	DeviceID   string
	Device     string // one of Devices
	Network    string // NetworkOf the client's address; "" unknown
	Concurrent []string
	At         time.Time
}

// NetworkOf is the network a client address belongs to for the risk signals: its IPv4 /24 or IPv6 /48, as a prefix
// ("203.0.113.0/24"); "" when addr is not an IP address (with or without a port). Addresses of one household or
// office share it; a network elsewhere does not.
func NetworkOf(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		ap, perr := netip.ParseAddrPort(addr)
		if perr != nil {
			return ""
		}
		a = ap.Addr()
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// RiskLinks is what the graph knows of one account's links to other accounts.
type RiskLinks struct {
	UserID string
	// Other accounts that paid with one of the user's payment instruments: how many, and at most
	// MaxRelatedAccounts of them, sorted.
	CardPeerCount int
	CardPeers     []string
	// Other accounts that played on one of the user's devices.
	DevicePeerCount int
	DevicePeers     []string
	// Networks the account played from while another of its networks was playing (0, or at least 2).
	ConcurrentNetworks int
}

// Suspicious reports whether the links give any signal.
func (l RiskLinks) Suspicious() bool {
	return l.CardPeerCount > 0 || l.DevicePeerCount > 0 || l.ConcurrentNetworks > 0
}

// RiskReason is one signal behind an account's score.
type RiskReason struct {
	Signal      string // one of the Risk* signals
	Weight      int
	Count       int
	RelatedIDs  []string
	Description string
}

// AccountRisk is an account's score, 0 to 100, and the reasons behind it, heaviest first.
type AccountRisk struct {
	UserID  string
	Score   int
	Reasons []RiskReason
}

// ScoreRisk turns an account's links into its risk. The weights (docs/risk.md): a shared payment instrument is the
// strongest signal (40, +10 per further account, at most 60), a shared device next (25, +5 per further account, at
// most 40), concurrent playback from different networks last (20, +5 per network beyond two, at most 30); the score is
// their sum, at most 100.
func ScoreRisk(l RiskLinks) AccountRisk {
	r := AccountRisk{UserID: l.UserID}
	add := func(signal string, weight, count int, related []string, desc string) {
		r.Reasons = append(r.Reasons, RiskReason{Signal: signal, Weight: weight, Count: count, RelatedIDs: related, Description: desc})
		r.Score += weight
	}
	if n := l.CardPeerCount; n > 0 {
		add(RiskSharedPaymentInstrument, min(40+10*(n-1), 60), n, l.CardPeers,
			fmt.Sprintf("a payment instrument of this account also paid for %d other account(s)", n))
	}
	if n := l.DevicePeerCount; n > 0 {
		add(RiskSharedDevice, min(25+5*(n-1), 40), n, l.DevicePeers,
			fmt.Sprintf("a device of this account also played for %d other account(s)", n))
	}
	if n := l.ConcurrentNetworks; n > 0 {
		add(RiskConcurrentNetworks, min(20+5*max(n-2, 0), 30), n, nil,
			fmt.Sprintf("playback started from %d different networks at once", n))
	}
	r.Score = min(r.Score, 100)
	slices.SortStableFunc(r.Reasons, func(a, b RiskReason) int { return cmp.Compare(b.Weight, a.Weight) })
	return r
}

// RiskGraph keeps the account-sharing links (Neo4j) and reads them back. Payment instruments reach it through the
// subscription events' fingerprints (the projector); devices and networks through RecordAccesses.
type RiskGraph interface {
	// RecordAccesses links each access's user to its device and network; an access of an erased user is dropped.
	// An access without a user, device or time is a CodeInvalid error and nothing of the call is written.
	RecordAccesses(ctx context.Context, accesses []Access) error
	// RiskLinks is one account's links; an account the graph does not know has none (no error).
	RiskLinks(ctx context.Context, userID string) (RiskLinks, error)
	// SuspiciousLinks is every account with at least one signal, at most limit of them, those with the most links
	// first (then by user id).
	SuspiciousLinks(ctx context.Context, limit int) ([]RiskLinks, error)
}
