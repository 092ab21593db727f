// Package rebuild rebuilds a read model (the Neo4j graph, the search index, the Redis views) from the source of
// truth while the platform serves. It reads every row of PostgreSQL page by page, turns each into the event that
// carries its whole current state (an outbox payload holds the aggregate's whole state: see streaming/events.go), and
// hands those events to the read model's own outbox projector. The projectors' writes are versioned, so a rebuild
// never overwrites a newer state that the relay projected meanwhile, and a rebuild run twice changes nothing the
// second time. The graph's watches come from Cassandra (continue-watching), through the same write as ingest's.
package rebuild

import (
	"cmp"
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
	ForGraph  = Users | Contents | Ratings | Subscriptions // subscriptions: the cards' PAID_WITH links
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
	// An event is stamped with its row's last change where the row has one (projectors keep it: a plan's update
	// time, a rating's rated_at, a card's last use), else with the rebuild's time.
	at := time.Now().UTC()
	run := func(kind string) rows {
		return rows{ctx: ctx, page: page, name: p.Name() + " " + kind, project: p.Project}
	}
	var n Counts
	var err error
	if kinds&Plans != 0 {
		n.Plans, err = section(run("plans"), src.Plans, func(p *streaming.Plan) string { return p.ID },
			func(evs []streaming.Event, p *streaming.Plan) []streaming.Event {
				return append(evs, event(streaming.AggregatePlan, p.ID, p.Version, streaming.EventPlanUpdated,
					streaming.NewPlanPayload(p), cmp.Or(p.UpdatedAt, at)))
			})
	}
	if err == nil && kinds&Users != 0 {
		n.Users, err = section(run("users"), src.Users, func(u *streaming.User) string { return u.ID },
			func(evs []streaming.Event, u *streaming.User) []streaming.Event {
				return append(evs, event(streaming.AggregateUser, u.ID, u.Version, streaming.EventUserRegistered,
					streaming.NewUserPayload(u), at))
			})
	}
	if err == nil && kinds&Subscriptions != 0 {
		n.Subscriptions, err = section(run("subscriptions"), src.Subscriptions,
			func(s *streaming.Subscription) string { return s.ID },
			func(evs []streaming.Event, s *streaming.Subscription) []streaming.Event {
				// Any subscription event carries the whole subscription; the projectors apply them alike.
				return append(evs, event(streaming.AggregateSubscription, s.ID, s.Version, streaming.EventSubscriptionCreated,
					streaming.NewSubscriptionPayload(s), cmp.Or(s.UpdatedAt, at)))
			})
	}
	if err == nil && kinds&Contents != 0 {
		n.Contents, err = section(run("titles"), src.Contents, func(c *postgres.RatedContent) string { return c.ID },
			func(evs []streaming.Event, c *postgres.RatedContent) []streaming.Event {
				evs = append(evs, event(streaming.AggregateContent, c.ID, c.Version, streaming.EventContentUpserted,
					streaming.NewContentPayload(&c.Content), cmp.Or(c.UpdatedAt, at)))
				if c.RatingSeq == 0 {
					return evs
				}
				return append(evs, event(streaming.AggregateContent, c.ID, c.Version, streaming.EventContentRatingAggregated,
					streaming.RatingAggregatePayload{ContentID: c.ID, RatingAvg: c.RatingAvg, RatingCount: c.RatingCount,
						RatingSeq: c.RatingSeq}, at))
			})
	}
	if err == nil && kinds&Ratings != 0 {
		n.Ratings, err = section(run("ratings"),
			func(ctx context.Context, after [2]string, limit int) ([]streaming.Rating, error) {
				return src.Ratings(ctx, after[0], after[1], limit)
			},
			func(r *streaming.Rating) [2]string { return [2]string{r.UserID, r.ContentID} },
			func(evs []streaming.Event, r *streaming.Rating) []streaming.Event {
				return append(evs, event(streaming.AggregateRating, streaming.RatingAggregateID(r.ContentID, r.UserID),
					r.Version, streaming.EventRatingChanged, streaming.RatingPayload{UserID: r.UserID,
						ContentID: r.ContentID, Stars: r.Stars, UpdatedAt: r.UpdatedAt}, cmp.Or(r.UpdatedAt, at)))
			})
	}
	return n, err
}

// rows is one kind's pass: its pages' size, its name in errors and the projector's Project.
type rows struct {
	ctx     context.Context
	page    int
	name    string
	project func(context.Context, []streaming.Event) error
}

// section reads every row of one kind page by page (keyset: each page after the previous page's last key), turns
// each page into its rows' events and projects them in one call; it returns how many rows it read.
func section[T, K any](r rows, read func(ctx context.Context, after K, limit int) ([]T, error), key func(*T) K,
	events func([]streaming.Event, *T) []streaming.Event) (int64, error) {
	var n int64
	var after K
	for {
		page, err := read(r.ctx, after, r.page)
		if err != nil {
			return n, fmt.Errorf("rebuild %s: read: %w", r.name, err)
		}
		evs := make([]streaming.Event, 0, len(page))
		for i := range page {
			evs = events(evs, &page[i])
		}
		if len(evs) > 0 {
			if err := r.project(r.ctx, evs); err != nil {
				return n, fmt.Errorf("rebuild %s: project: %w", r.name, err)
			}
		}
		n += int64(len(page))
		if len(page) < r.page {
			return n, nil
		}
		after = key(&page[len(page)-1])
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
