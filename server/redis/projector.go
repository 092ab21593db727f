package redis

import (
	"context"
	"fmt"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Projector keeps the read models current from the outbox's events (see outbox.Projector). Every write is
// versioned by the event's aggregate version, so replays and late events are no-ops; events that change what a user
// should be recommended drop that user's cached recommendations. A batch goes out pipelined, in one round trip per
// thousand commands.
//
// Register it after the graph's projector: an invalidation that runs before the graph has the new edges lets a
// read in between cache stale recommendations for an hour.
type Projector struct {
	m *ReadModel
}

// Projector returns the projector that feeds m.
func (m *ReadModel) Projector() *Projector { return &Projector{m: m} }

func (p *Projector) Name() string { return "redis" }

// Project applies the events it knows and ignores the others. A payload that cannot be decoded is a bug and fails
// the batch, naming the event.
func (p *Projector) Project(ctx context.Context, events []streaming.Event) error {
	var writes []write
	var invalidate []string
	ratings := map[string]streaming.RatingAggregatePayload{} // the newest figures per title in the batch
	for _, e := range events {
		if e.Type == streaming.EventContentRatingAggregated {
			var pl streaming.RatingAggregatePayload
			if err := streaming.DecodePayload(e, &pl); err != nil {
				return err
			}
			if pl.ContentID == "" {
				return fmt.Errorf("%s event %s/%s v%d: payload has no content_id", e.Type, e.AggregateType, e.AggregateID, e.Version)
			}
			if cur, ok := ratings[pl.ContentID]; !ok || cur.RatingSeq < pl.RatingSeq {
				ratings[pl.ContentID] = pl
			}
			continue
		}
		w, users, err := p.project(e)
		if err != nil {
			return err
		}
		if w.key != "" {
			writes = append(writes, w)
		}
		for _, u := range users {
			invalidate = append(invalidate, recommendationsKey(u))
		}
	}
	if err := p.m.apply(ctx, writes, invalidate); err != nil {
		return err
	}
	// After the batch's whole-title writes: those carry figures at least as old as a later aggregate's.
	return p.m.applyRatings(ctx, ratings)
}

// project turns one event into its versioned write and the users whose recommendations it invalidates.
func (p *Projector) project(e streaming.Event) (write, []string, error) {
	failed := func(err error) (write, []string, error) {
		return write{}, nil, fmt.Errorf("%s event %s/%s v%d: %w", e.Type, e.AggregateType, e.AggregateID, e.Version, err)
	}
	switch e.Type {
	case streaming.EventUserRegistered:
		var pl streaming.UserPayload
		if err := streaming.DecodePayload(e, &pl); err != nil {
			return write{}, nil, err
		}
		w, err := applyUserWrite(pl.User(e.Version))
		if err != nil {
			return failed(err)
		}
		return w, nil, nil

	case streaming.EventSubscriptionCreated, streaming.EventSubscriptionPlanChanged, streaming.EventSubscriptionCanceled,
		streaming.EventSubscriptionRenewed, streaming.EventSubscriptionPastDue, streaming.EventSubscriptionExpired,
		streaming.EventSubscriptionEnded, streaming.EventSubscriptionPaymentMethodUpdated:
		var pl streaming.SubscriptionPayload
		if err := streaming.DecodePayload(e, &pl); err != nil {
			return write{}, nil, err
		}
		s, err := pl.Subscription(e.Version)
		if err != nil {
			return failed(err)
		}
		// The brief invalidates user_profile:{id} here; this view is updated in place instead, versioned.
		w, err := applySubscriptionWrite(s)
		if err != nil {
			return failed(err)
		}
		return w, []string{s.UserID}, nil

	case streaming.EventPlanCreated, streaming.EventPlanUpdated:
		var pl streaming.PlanPayload
		if err := streaming.DecodePayload(e, &pl); err != nil {
			return write{}, nil, err
		}
		cents, err := streaming.ParseCents(pl.MonthlyPrice)
		if err != nil {
			return failed(fmt.Errorf("monthly_price: %w", err))
		}
		// The payload has no timestamps: the event's time is when the plan last changed.
		w, err := planWrite(streaming.Plan{ID: pl.PlanID, Name: pl.Name, Description: pl.Description, PriceCents: cents,
			Currency: pl.Currency, MaxStreams: pl.MaxStreams, MaxQuality: pl.MaxQuality, Available: pl.Available,
			Version: e.Version, UpdatedAt: e.OccurredAt})
		if err != nil {
			return failed(err)
		}
		return w, nil, nil

	case streaming.EventContentUpserted, streaming.EventContentRated:
		var pl streaming.ContentPayload
		if err := streaming.DecodePayload(e, &pl); err != nil {
			return write{}, nil, err
		}
		w, err := contentWrite(pl.Content(e.Version))
		if err != nil {
			return failed(err)
		}
		var users []string
		if e.Type == streaming.EventContentRated && pl.RatedBy != "" {
			users = []string{pl.RatedBy}
		}
		return w, users, nil

	case streaming.EventRatingChanged:
		// The graph has the new edge (its projector runs first): the rater's recommendations are recomputed.
		var pl streaming.RatingPayload
		if err := streaming.DecodePayload(e, &pl); err != nil {
			return write{}, nil, err
		}
		if pl.UserID == "" {
			return failed(fmt.Errorf("payload has no user_id"))
		}
		return write{}, []string{pl.UserID}, nil
	}
	return write{}, nil, nil
}
