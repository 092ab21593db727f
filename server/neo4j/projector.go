package neo4j

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Projector projects outbox events onto the graph: users, titles with their genres, ratings as WATCHED edges, and
// the payment instruments of subscriptions as PAID_WITH edges. It implements the outbox relay's Projector.
type Projector struct {
	g *Graph
}

// Projector returns the graph's outbox projector.
func (g *Graph) Projector() *Projector { return &Projector{g: g} }

// Name names the projector in the relay's logs and metrics.
func (*Projector) Name() string { return "neo4j" }

// maxRows is the most rows one UNWIND statement carries; larger groups run as several statements in the same
// transaction, so no single statement builds an unbounded parameter list or transaction state.
const maxRows = 1000

// Statements of the projector. Each applies a row only when its version is newer than the one stored, so a replay or
// a late event changes nothing; nodes and edges created by a skipped row are the same ones an earlier row created.
// A row of an erased user (a tombstone, see EraseUser) is skipped whatever its version: the tombstone is final.
const (
	projectUsersCypher = `
UNWIND $rows AS r
MERGE (u:User {id: r.id})
` + lockUser + `
WITH u, r WHERE coalesce(u.version, 0) < r.version AND NOT coalesce(u.erased, false)
SET u.version = r.version`

	// The genre edges are replaced, not added to: edges to genres the title no longer has are deleted, the others
	// merged. Genre nodes are never deleted (other titles may use them; an unused one costs nothing).
	projectContentCypher = `
UNWIND $rows AS r
MERGE (c:Content {id: r.id})
WITH c, r WHERE coalesce(c.version, 0) < r.version
SET c.title = r.title, c.type = r.type, c.rating_avg = r.rating_avg, c.version = r.version
WITH c, r
CALL (c, r) {
  MATCH (c)-[old:IN_GENRE]->(g:Genre)
  WHERE NOT g.name IN r.genres
  DELETE old
}
CALL (c, r) {
  UNWIND r.genres AS name
  MERGE (g:Genre {name: name})
  MERGE (c)-[:IN_GENRE]->(g)
}`

	// A rating means the user watched the title; it leaves completed as it is (false on a new edge). The rating's
	// own version guards it, so an older ContentRated event does not overwrite a newer rating even when the
	// content part of a newer event was already applied. An erased user gets no edge.
	projectRatingsCypher = `
UNWIND $rows AS r
MERGE (c:Content {id: r.content_id})
MERGE (u:User {id: r.user_id})
` + lockUser + `
WITH c, u, r WHERE NOT coalesce(u.erased, false)
MERGE (u)-[w:WATCHED]->(c)
SET w.completed = coalesce(w.completed, false)
WITH w, r WHERE coalesce(w.rating_version, 0) < r.version
SET w.rating = r.stars, w.rating_version = r.version, w.rated_at = r.rated_at`

	// A title's published rating figures (ContentRatingAggregated): only its average, guarded by the figures' own
	// sequence, so the title's version and other properties are left alone. A title not in the graph yet gets its
	// average from its ContentUpserted event, which comes first.
	projectRatingAggregatesCypher = `
UNWIND $rows AS r
MATCH (c:Content {id: r.id})
WITH c, r WHERE coalesce(c.rating_seq, 0) < r.seq
SET c.rating_avg = r.rating_avg, c.rating_seq = r.seq`
)

// A subscription event with a card fingerprint links its user to the payment instrument (see risk.go). The link is
// only ever added to, never versioned: merged, with first and last widened to the row's, so a replay or an
// out-of-order event changes nothing it should not. An erased user gets no edge and no new instrument.
var projectPaymentsCypher = liveUserRows + `
MERGE (p:PaymentInstrument {fingerprint: r.fingerprint})
MERGE (u)-[w:PAID_WITH]->(p)
SET ` + widenSeen("w")

// Project applies the batch in one write transaction. Events of other types are ignored; a payload that cannot be
// decoded fails the batch with an error naming the event (it is a bug, and skipping it would lose the change).
func (p *Projector) Project(ctx context.Context, events []streaming.Event) error {
	// Newest version per aggregate (and per rating), so the result does not depend on the order of rows in the
	// statement: a batch can hold several events of one aggregate.
	users := map[string]int64{}
	contents := map[string]contentRow{}
	type ratingKey struct{ user, content string }
	ratings := map[ratingKey]ratingRow{}
	aggregates := map[string]streaming.RatingAggregatePayload{}
	type paymentKey struct{ user, fingerprint string }
	payments := map[paymentKey]*seen{}
	for _, e := range events {
		switch e.Type {
		case streaming.EventRatingChanged:
			var pl streaming.RatingPayload
			if err := streaming.DecodePayload(e, &pl); err != nil {
				return err
			}
			k := ratingKey{pl.UserID, pl.ContentID}
			if cur, ok := ratings[k]; !ok || cur.version < e.Version {
				ratedAt := e.OccurredAt
				if ratedAt.IsZero() {
					ratedAt = pl.UpdatedAt
				}
				ratings[k] = ratingRow{userID: pl.UserID, contentID: pl.ContentID, version: e.Version, stars: pl.Stars,
					ratedAt: ratedAt}
			}
		case streaming.EventContentRatingAggregated:
			var pl streaming.RatingAggregatePayload
			if err := streaming.DecodePayload(e, &pl); err != nil {
				return err
			}
			id := cmp.Or(pl.ContentID, e.AggregateID)
			if cur, ok := aggregates[id]; !ok || cur.RatingSeq < pl.RatingSeq {
				pl.ContentID = id
				aggregates[id] = pl
			}
		case streaming.EventSubscriptionCreated, streaming.EventSubscriptionPlanChanged,
			streaming.EventSubscriptionCanceled, streaming.EventSubscriptionRenewed, streaming.EventSubscriptionPastDue,
			streaming.EventSubscriptionExpired, streaming.EventSubscriptionEnded,
			streaming.EventSubscriptionPaymentMethodUpdated:
			var pl streaming.SubscriptionPayload
			if err := streaming.DecodePayload(e, &pl); err != nil {
				return err
			}
			if pl.UserID == "" || pl.PaymentFingerprint == "" {
				continue
			}
			at := e.OccurredAt
			if at.IsZero() {
				at = pl.UpdatedAt
			}
			k := paymentKey{pl.UserID, pl.PaymentFingerprint}
			if payments[k] == nil {
				payments[k] = &seen{}
			}
			payments[k].at(at)
		case streaming.EventUserRegistered:
			var pl streaming.UserPayload
			if err := streaming.DecodePayload(e, &pl); err != nil {
				return err
			}
			id := cmp.Or(pl.UserID, e.AggregateID)
			if users[id] < e.Version {
				users[id] = e.Version
			}
		case streaming.EventContentUpserted, streaming.EventContentRated:
			var pl streaming.ContentPayload
			if err := streaming.DecodePayload(e, &pl); err != nil {
				return err
			}
			id := cmp.Or(pl.ContentID, e.AggregateID)
			if cur, ok := contents[id]; !ok || cur.version < e.Version {
				contents[id] = contentRow{id: id, version: e.Version, title: pl.Title, typ: pl.Type,
					ratingAvg: pl.RatingAvg, genres: genreNames(pl.Genres)}
			}
			if e.Type == streaming.EventContentRated && pl.RatedBy != "" {
				k := ratingKey{pl.RatedBy, id}
				if cur, ok := ratings[k]; !ok || cur.version < e.Version {
					ratedAt := e.OccurredAt
					if ratedAt.IsZero() {
						ratedAt = pl.UpdatedAt
					}
					ratings[k] = ratingRow{userID: pl.RatedBy, contentID: id, version: e.Version, stars: pl.Stars,
						ratedAt: ratedAt}
				}
			}
		}
	}
	if len(users) == 0 && len(contents) == 0 && len(ratings) == 0 && len(aggregates) == 0 && len(payments) == 0 {
		return nil
	}

	// Rows sorted by id: concurrent transactions then lock nodes in the same order, which avoids most deadlocks.
	userRows := make([]map[string]any, 0, len(users))
	for _, id := range slices.Sorted(maps.Keys(users)) {
		userRows = append(userRows, map[string]any{"id": id, "version": users[id]})
	}
	contentRows := make([]map[string]any, 0, len(contents))
	for _, id := range slices.Sorted(maps.Keys(contents)) {
		contentRows = append(contentRows, contents[id].params())
	}
	ratingRows := make([]ratingRow, 0, len(ratings))
	for _, r := range ratings {
		ratingRows = append(ratingRows, r)
	}
	slices.SortFunc(ratingRows, func(a, b ratingRow) int {
		return cmp.Or(cmp.Compare(a.contentID, b.contentID), cmp.Compare(a.userID, b.userID))
	})
	ratingParams := make([]map[string]any, len(ratingRows))
	for i, r := range ratingRows {
		ratingParams[i] = r.params()
	}
	aggregateRows := make([]map[string]any, 0, len(aggregates))
	for _, id := range slices.Sorted(maps.Keys(aggregates)) {
		a := aggregates[id]
		aggregateRows = append(aggregateRows, map[string]any{"id": id, "seq": a.RatingSeq, "rating_avg": a.RatingAvg})
	}
	// By user, then fingerprint: the order the statement locks them in.
	paymentRows := make([]map[string]any, 0, len(payments))
	for _, k := range slices.SortedFunc(maps.Keys(payments), func(a, b paymentKey) int {
		return cmp.Or(cmp.Compare(a.user, b.user), cmp.Compare(a.fingerprint, b.fingerprint))
	}) {
		row := map[string]any{"user_id": k.user, "fingerprint": k.fingerprint, "first": nil, "last": nil}
		if p := payments[k]; !p.first.IsZero() { // no event of the batch had a time: the edge's times stay as they are
			row["first"], row["last"] = p.first.UTC(), p.last.UTC()
		}
		paymentRows = append(paymentRows, row)
	}

	// Titles before ratings: the rating statement merges the title too, but running the title's own statement first
	// means a new title gets its properties and genres in the same transaction either way.
	return p.g.write(ctx, func(tx txRunner) error {
		for _, step := range []struct {
			cypher string
			rows   []map[string]any
		}{
			{projectUsersCypher, userRows},
			{projectContentCypher, contentRows},
			{projectRatingsCypher, ratingParams},
			{projectRatingAggregatesCypher, aggregateRows},
			{projectPaymentsCypher, paymentRows},
		} {
			if err := runRows(ctx, tx, step.cypher, step.rows); err != nil {
				return err
			}
		}
		return nil
	})
}

type contentRow struct {
	id, title, typ string
	version        int64
	ratingAvg      float64
	genres         []string
}

func (r contentRow) params() map[string]any {
	return map[string]any{"id": r.id, "version": r.version, "title": r.title, "type": r.typ,
		"rating_avg": r.ratingAvg, "genres": r.genres}
}

type ratingRow struct {
	userID, contentID string
	version           int64
	stars             int32
	ratedAt           time.Time
}

func (r ratingRow) params() map[string]any {
	m := map[string]any{"user_id": r.userID, "content_id": r.contentID, "version": r.version, "stars": int64(r.stars),
		"rated_at": nil}
	if !r.ratedAt.IsZero() {
		m["rated_at"] = r.ratedAt.UTC()
	}
	return m
}

// genreNames drops empty names (MERGE cannot match a node on an empty key) and duplicates, keeping order.
func genreNames(genres []string) []string {
	out := make([]string, 0, len(genres))
	for _, g := range genres {
		if g != "" && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}
