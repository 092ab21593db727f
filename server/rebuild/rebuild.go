// Package rebuild rebuilds a read model (the Neo4j graph, the search index, the Redis views) from the source of
// truth while the platform serves. It reads every row of PostgreSQL page by page, turns each into the event that
// carries its whole current state (an outbox payload holds the aggregate's whole state: see streaming/events.go), and
// hands those events to the read model's own outbox projector. The projectors' writes are versioned, so a rebuild
// never overwrites a newer state that the relay projected meanwhile, and a rebuild run twice changes nothing the
// second time. The graph's watches come from Cassandra (continue-watching), through the same write as ingest's.
package rebuild

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Projector is a read model's outbox projector (outbox.Projector).
type Projector interface {
	Name() string
	Project(ctx context.Context, events []streaming.Event) error
}

// Source is the source of truth, paged in key order (postgres.RebuildSource).
type Source interface {
	Plans(ctx context.Context, after string, limit int) ([]streaming.Plan, error)
	Users(ctx context.Context, after string, limit int) ([]streaming.User, error)
	Subscriptions(ctx context.Context, after string, limit int) ([]streaming.Subscription, error)
	Contents(ctx context.Context, after string, limit int) ([]postgres.RatedContent, error)
	Ratings(ctx context.Context, afterUser, afterContent string, limit int) ([]streaming.Rating, error)
}

// DefaultPage is how many rows one page reads and one Project call writes.
const DefaultPage = 500

// Kinds selects the rows a read model is built from.
type Kinds uint8

const (
	Plans Kinds = 1 << iota
	Users
	Subscriptions
	Contents // a title's catalog state and its published rating figures
	Ratings  // one user's rating of one title
)

// What each read model is built from: the search index holds titles; the graph users, titles and ratings (and the
// watches, from Cassandra); the Redis views plans, users with their subscriptions, and titles.
const (
	ForSearch = Contents
	ForGraph  = Users | Contents | Ratings
	ForRedis  = Plans | Users | Subscriptions | Contents
)

// Counts is how many rows of each kind a rebuild projected.
type Counts struct {
	Plans, Users, Subscriptions, Contents, Ratings, Watches int64
}

// Project projects every row of src of the given kinds through p, page by page (page rows per Project call;
// DefaultPage when 0), in this order: plans, users, subscriptions, titles (their catalog state, then their
// published rating figures) and ratings.
func Project(ctx context.Context, src Source, p Projector, kinds Kinds, page int) (Counts, error) {
	if page <= 0 {
		page = DefaultPage
	}
	var n Counts
	at := time.Now().UTC()
	project := func(kind string, events []streaming.Event) error {
		if len(events) == 0 {
			return nil
		}
		if err := p.Project(ctx, events); err != nil {
			return fmt.Errorf("rebuild %s: project %s: %w", p.Name(), kind, err)
		}
		return nil
	}
	var err error
	if kinds&Plans != 0 {
		if n.Plans, err = pages(ctx, page, src.Plans, func(v streaming.Plan) string { return v.ID }, func(rows []streaming.Plan) error {
			events := make([]streaming.Event, 0, len(rows))
			for i := range rows {
				events = append(events, event(streaming.AggregatePlan, rows[i].ID, rows[i].Version, streaming.EventPlanUpdated,
					streaming.NewPlanPayload(&rows[i]), at))
			}
			return project("plans", events)
		}); err != nil {
			return n, err
		}
	}
	if kinds&Users != 0 {
		if n.Users, err = pages(ctx, page, src.Users, func(v streaming.User) string { return v.ID }, func(rows []streaming.User) error {
			events := make([]streaming.Event, 0, len(rows))
			for i := range rows {
				events = append(events, event(streaming.AggregateUser, rows[i].ID, rows[i].Version, streaming.EventUserRegistered,
					streaming.NewUserPayload(&rows[i]), at))
			}
			return project("users", events)
		}); err != nil {
			return n, err
		}
	}
	if kinds&Subscriptions != 0 {
		if n.Subscriptions, err = pages(ctx, page, src.Subscriptions, func(v streaming.Subscription) string { return v.ID },
			func(rows []streaming.Subscription) error {
				events := make([]streaming.Event, 0, len(rows))
				for i := range rows {
					// Any subscription event carries the whole subscription; the projectors apply them alike.
					events = append(events, event(streaming.AggregateSubscription, rows[i].ID, rows[i].Version,
						streaming.EventSubscriptionCreated, streaming.NewSubscriptionPayload(&rows[i]), at))
				}
				return project("subscriptions", events)
			}); err != nil {
			return n, err
		}
	}
	if kinds&Contents != 0 {
		if n.Contents, err = pages(ctx, page, src.Contents, func(v postgres.RatedContent) string { return v.ID },
			func(rows []postgres.RatedContent) error {
				events := make([]streaming.Event, 0, 2*len(rows))
				for i := range rows {
					c := &rows[i]
					events = append(events, event(streaming.AggregateContent, c.ID, c.Version, streaming.EventContentUpserted,
						streaming.NewContentPayload(&c.Content), at))
					if c.RatingSeq > 0 {
						events = append(events, event(streaming.AggregateContent, c.ID, c.Version,
							streaming.EventContentRatingAggregated, streaming.RatingAggregatePayload{ContentID: c.ID,
								RatingAvg: c.RatingAvg, RatingCount: c.RatingCount, RatingSeq: c.RatingSeq}, at))
					}
				}
				return project("titles", events)
			}); err != nil {
			return n, err
		}
	}
	if kinds&Ratings == 0 {
		return n, nil
	}
	var afterUser, afterContent string
	for {
		rows, err := src.Ratings(ctx, afterUser, afterContent, page)
		if err != nil {
			return n, fmt.Errorf("rebuild %s: read ratings: %w", p.Name(), err)
		}
		events := make([]streaming.Event, 0, len(rows))
		for _, r := range rows {
			events = append(events, event(streaming.AggregateRating, streaming.RatingAggregateID(r.ContentID, r.UserID),
				r.Version, streaming.EventRatingChanged, streaming.RatingPayload{UserID: r.UserID, ContentID: r.ContentID,
					Stars: r.Stars, UpdatedAt: r.UpdatedAt}, at))
		}
		if err := project("ratings", events); err != nil {
			return n, err
		}
		n.Ratings += int64(len(rows))
		if len(rows) < page {
			return n, nil
		}
		afterUser, afterContent = rows[len(rows)-1].UserID, rows[len(rows)-1].ContentID
	}
}

// pages reads src page by page (keyed by key) and hands each page to fn; it returns how many rows it read.
func pages[T any](ctx context.Context, page int, src func(context.Context, string, int) ([]T, error), key func(T) string,
	fn func([]T) error) (int64, error) {
	var n int64
	after := ""
	for {
		rows, err := src(ctx, after, page)
		if err != nil {
			return n, err
		}
		if err := fn(rows); err != nil {
			return n, err
		}
		n += int64(len(rows))
		if len(rows) < page {
			return n, nil
		}
		after = key(rows[len(rows)-1])
	}
}

// event is the outbox event of a row's current state. Its payload's JSON is the stored format the projectors decode.
func event(aggregate, id string, version int64, typ string, payload any, at time.Time) streaming.Event {
	b, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("rebuild: %s payload does not encode: %v", typ, err)) // plain structs: cannot happen
	}
	return streaming.Event{AggregateType: aggregate, AggregateID: id, Version: version, Type: typ, Payload: b, OccurredAt: at}
}

// WatchSource is the full scan of who watched what (cassandra.Store.ScanWatches).
type WatchSource interface {
	ScanWatches(ctx context.Context, pageSize int, fn func([]streaming.Watch) error) error
}

// WatchSink writes watches (neo4j.Graph.ApplyWatches, the write ingest's derived update makes).
type WatchSink interface {
	ApplyWatches(ctx context.Context, watches []streaming.Watch) error
}

// Watches writes every watch of src into sink, page by page; it returns how many it wrote.
func Watches(ctx context.Context, src WatchSource, sink WatchSink, page int) (int64, error) {
	if page <= 0 {
		page = DefaultPage
	}
	var n int64
	err := src.ScanWatches(ctx, page, func(w []streaming.Watch) error {
		if err := sink.ApplyWatches(ctx, w); err != nil {
			return fmt.Errorf("rebuild graph: apply watches: %w", err)
		}
		n += int64(len(w))
		return nil
	})
	return n, err
}
