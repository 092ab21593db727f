// Package playback enforces what a subscription entitles to at playback: a device leases a stream slot before it
// plays (streaming.LeaseStore, in Redis), at no better quality than the plan's, and no more devices at once than
// the plan's streams. Authorization of the caller happens in the transport before a call runs.
package playback

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// DefaultLeaseTTL is how long a lease lives without a renewal when the service is not told.
const DefaultLeaseTTL = 2 * time.Minute

// Service carries the dependencies of the playback calls.
type Service struct {
	Leases       streaming.LeaseStore
	Entitlements streaming.Entitlements
	// LeaseTTL is how long a lease lives without a renewal: how long a vanished device keeps its slot.
	LeaseTTL time.Duration
	// Accesses takes each granted start's device and network for the risk signals (a bounded buffer in front of
	// the graph: Add never waits); nil: none are recorded.
	Accesses interface{ Add(streaming.Access) }
}

func (s *Service) ttl() time.Duration {
	if s.LeaseTTL > 0 {
		return s.LeaseTTL
	}
	return DefaultLeaseTTL
}

// Start asks for a stream slot for the device.
type Start struct {
	UserID    string
	DeviceID  string
	Device    string // one of streaming.Devices
	ContentID string
	Quality   string // one of streaming.Qualities: asked for
	// ClientAddr is the caller's address as the transport found it ("" unknown): its network is kept on the lease.
	ClientAddr string
}

// Started is a granted lease; QualityCapped says its quality is the plan's, lower than the one asked for.
type Started struct {
	Lease         streaming.Lease
	QualityCapped bool
}

// Start leases a slot to the device (replacing the device's own lease): refused with CodePrecondition without a
// subscription that plays, and with CodeQuotaExceeded, naming the devices holding them, when the plan's every slot
// is leased to other devices. A quality above the plan's is capped to it, never refused.
func (s *Service) Start(ctx context.Context, r Start) (*Started, error) {
	if !slices.Contains(streaming.Devices, r.Device) {
		return nil, streaming.Invalid("device", "unknown device %q", r.Device)
	}
	if streaming.QualityRank(r.Quality) < 0 {
		return nil, streaming.Invalid("quality", "unknown quality %q", r.Quality)
	}
	plan, err := s.Entitlements.EntitledPlan(ctx, r.UserID)
	if err != nil {
		return nil, err
	}
	if plan.MaxStreams < 1 || streaming.QualityRank(plan.MaxQuality) < 0 {
		return nil, fmt.Errorf("plan %s: max_streams %d, max_quality %q: no playback can be granted", plan.ID, plan.MaxStreams, plan.MaxQuality)
	}
	quality, capped := streaming.CapQuality(r.Quality, plan.MaxQuality)
	network := streaming.NetworkOf(r.ClientAddr)
	granted, held, ok, err := s.Leases.Acquire(ctx, r.UserID, streaming.Lease{DeviceID: r.DeviceID, Device: r.Device,
		ContentID: r.ContentID, Quality: quality, Network: network}, int(plan.MaxStreams), s.ttl())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, streamsInUse(plan, held)
	}
	if s.Accesses != nil {
		s.Accesses.Add(streaming.Access{UserID: r.UserID, DeviceID: r.DeviceID, Device: r.Device, Network: network,
			Concurrent: otherNetworks(network, held), At: granted.StartedAt})
	}
	return &Started{Lease: granted, QualityCapped: capped}, nil
}

// otherNetworks are the known networks of the other live leases that differ from network, each once, sorted: the
// account plays from them now. Nothing when network is unknown (no pair can be told apart).
func otherNetworks(network string, others []streaming.Lease) []string {
	if network == "" {
		return nil
	}
	var out []string
	for _, l := range others {
		if l.Network != "" && l.Network != network && !slices.Contains(out, l.Network) {
			out = append(out, l.Network)
		}
	}
	slices.Sort(out)
	return out
}

// streamsInUse is the refusal of a device past the plan's streams: it names every device holding a slot, so the
// user can stop one.
func streamsInUse(plan *streaming.Plan, held []streaming.Lease) error {
	streaming.SortLeases(held)
	e := streaming.Errorf(streaming.CodeQuotaExceeded, "every stream of the plan is in use (%d of %d): stop playback on one of the devices named",
		len(held), plan.MaxStreams)
	for _, l := range held {
		e.Quota = append(e.Quota, streaming.QuotaViolation{Subject: "device:" + l.DeviceID,
			Description: fmt.Sprintf("%s playing content %s since %s, leased until %s", l.Device, l.ContentID,
				l.StartedAt.UTC().Format(time.RFC3339), l.ExpiresAt.UTC().Format(time.RFC3339))})
	}
	return e
}

// Renew extends the device's lease by the lease TTL: CodeNotFound when it has expired or was stopped (the device
// starts again), CodePrecondition once the user's subscription no longer plays (the lease is released then, so a
// canceled account cannot keep playing by renewing).
func (s *Service) Renew(ctx context.Context, userID, deviceID string) (*streaming.Lease, error) {
	if _, err := s.Entitlements.EntitledPlan(ctx, userID); err != nil {
		if streaming.ErrorCode(err) == streaming.CodePrecondition {
			if rerr := s.Leases.Release(ctx, userID, deviceID); rerr != nil {
				return nil, rerr
			}
		}
		return nil, err
	}
	return s.Leases.Renew(ctx, userID, deviceID, s.ttl())
}

// Stop gives the device's slot back; stopping a lease that is gone is not an error.
func (s *Service) Stop(ctx context.Context, userID, deviceID string) error {
	return s.Leases.Release(ctx, userID, deviceID)
}

// List is the user's live leases, oldest first.
func (s *Service) List(ctx context.Context, userID string) ([]streaming.Lease, error) {
	return s.Leases.Leases(ctx, userID)
}
