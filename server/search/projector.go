package search

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/olivere/elastic/v7"

	"github.com/streamingplatform/streaming/server/streaming"
)

// document is a title as indexed. Its version is the document's external _version, not a field.
type document struct {
	ID              string    `json:"id"`
	Title           string    `json:"title"`
	Description     string    `json:"description"`
	Type            string    `json:"type"`
	Genres          []string  `json:"genres"`
	Actors          []string  `json:"actors"`
	Seasons         int32     `json:"seasons"`
	ReleaseYear     int32     `json:"release_year"`
	DurationSeconds int32     `json:"duration_seconds"`
	RatingAvg       float64   `json:"rating_avg"`
	RatingCount     int64     `json:"rating_count"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func newDocument(p streaming.ContentPayload) document {
	return document{ID: p.ContentID, Title: p.Title, Description: p.Description, Type: p.Type, Genres: p.Genres,
		Actors: p.Actors, Seasons: p.Seasons, ReleaseYear: p.ReleaseYear, DurationSeconds: p.DurationSeconds,
		RatingAvg: p.RatingAvg, RatingCount: p.RatingCount, UpdatedAt: p.UpdatedAt}
}

func decodeDocument(source json.RawMessage, version int64) (*streaming.Content, error) {
	var d document
	if err := json.Unmarshal(source, &d); err != nil {
		return nil, err
	}
	c := d.content(version)
	return &c, nil
}

// content is the title the document holds, at the given version.
func (d *document) content(version int64) streaming.Content {
	return streaming.Content{ID: d.ID, Title: d.Title, Description: d.Description, Type: d.Type, Genres: d.Genres,
		Actors: d.Actors, Seasons: d.Seasons, ReleaseYear: d.ReleaseYear, DurationSeconds: d.DurationSeconds,
		RatingAvg: d.RatingAvg, RatingCount: d.RatingCount, Version: version, UpdatedAt: d.UpdatedAt}
}

// Projector keeps the search documents in step with the outbox's content events. It implements the outbox
// relay's Projector.
type Projector struct {
	x *Index
	// target is what the projector reads and writes: the alias, or a concrete index while a rebuild fills one that
	// the alias does not point at yet.
	target string
}

// Projector is the outbox projector writing through the alias.
func (x *Index) Projector() *Projector { return &Projector{x: x, target: x.alias} }

// Target is the alias or index the projector reads and writes.
func (p *Projector) Target() string { return p.target }

// Name identifies the projector in the relay's logs and metrics.
func (p *Projector) Name() string { return "search" }

// Project indexes the titles of the batch's ContentUpserted and ContentRated events in one bulk request, each as
// its latest version in the batch, and applies ContentRatingAggregated events as partial updates of the rating
// fields; other event types are not this projector's business. Versions are external, so the server itself refuses
// a version not newer than the indexed one (409): that document is already newer and the event is skipped (but the
// batch's figures for it still apply when the index holds exactly that version). Any other refused document is an
// error naming it, and the relay retries the whole batch.
func (p *Projector) Project(ctx context.Context, events []streaming.Event) error {
	type latest struct {
		version int64
		doc     document
		whole   bool                              // doc holds a whole title from this batch
		rating  *streaming.RatingAggregatePayload // newest figures after the whole title (if any)
	}
	byID := map[string]*latest{}
	var order []string // first-seen order, so the bulk body is deterministic
	// entry is the title's entry, made on first sight; an event whose payload names no title is an error.
	entry := func(e streaming.Event, id string) (*latest, error) {
		if id == "" {
			return nil, fmt.Errorf("search projector: %s event %s/%s v%d: payload has no content_id", e.Type, e.AggregateType, e.AggregateID, e.Version)
		}
		cur, seen := byID[id]
		if !seen {
			cur = &latest{}
			byID[id] = cur
			order = append(order, id)
		}
		return cur, nil
	}
	for _, e := range events {
		switch e.Type {
		case streaming.EventContentUpserted, streaming.EventContentRated:
			var payload streaming.ContentPayload
			if err := streaming.DecodePayload(e, &payload); err != nil {
				return fmt.Errorf("search projector: %w", err)
			}
			cur, err := entry(e, payload.ContentID)
			if err != nil {
				return err
			}
			if !cur.whole || e.Version > cur.version {
				// Figures published before this title's event are in it already (events of a title come in order).
				*cur = latest{version: e.Version, doc: newDocument(payload), whole: true}
			}
		case streaming.EventContentRatingAggregated:
			var payload streaming.RatingAggregatePayload
			if err := streaming.DecodePayload(e, &payload); err != nil {
				return fmt.Errorf("search projector: %w", err)
			}
			cur, err := entry(e, payload.ContentID)
			if err != nil {
				return err
			}
			if cur.rating == nil || payload.RatingSeq > cur.rating.RatingSeq {
				cur.rating = &payload
			}
		}
	}
	if len(order) == 0 {
		return nil
	}
	// Titles with only new figures: their indexed document is read and written back whole with the figures
	// replaced, at the version it has (external_gte accepts the same version). An update request would do it in
	// one step but bumps the document's version past the title's, and the title's next catalog change would then be
	// refused as old.
	var partial []string
	for _, id := range order {
		if !byID[id].whole {
			partial = append(partial, id)
		}
	}
	indexed, err := p.indexed(ctx, partial)
	if err != nil {
		return err
	}
	for id, d := range indexed {
		byID[id].doc, byID[id].version = d.doc, d.version
	}
	bulk := p.x.client.Bulk()
	var sent []string
	for _, id := range order {
		l := byID[id]
		if l.rating != nil {
			l.doc.RatingAvg, l.doc.RatingCount = l.rating.RatingAvg, l.rating.RatingCount
		}
		switch {
		case l.whole:
			bulk.Add(elastic.NewBulkIndexRequest().Index(p.target).Id(id).VersionType("external").Version(l.version).Doc(l.doc))
		case l.version > 0: // indexed: the figures replace its rating fields
			bulk.Add(elastic.NewBulkIndexRequest().Index(p.target).Id(id).VersionType("external_gte").Version(l.version).Doc(l.doc))
		default: // not indexed yet: its ContentUpserted carries the figures published before it
			continue
		}
		sent = append(sent, id)
	}
	if len(sent) == 0 {
		return nil
	}
	version := func(id string) int64 {
		if l, ok := byID[id]; ok {
			return l.version
		}
		return 0
	}
	refused, err := p.send(ctx, bulk, len(sent), version)
	if err != nil {
		return err
	}
	// A whole title refused as not newer takes the batch's figures down with it. When the index holds that very
	// version (the batch is projected again: a redelivery, or a rebuild's second pass reading the catalog anew),
	// figures published since would be lost; they go onto the indexed document the way figures alone do, at its
	// version. A newer indexed version is left alone: its title came with figures at least as new.
	var refigure []string
	for _, id := range refused {
		if l := byID[id]; l.whole && l.rating != nil {
			refigure = append(refigure, id)
		}
	}
	if len(refigure) == 0 {
		return nil
	}
	indexed, err = p.indexed(ctx, refigure)
	if err != nil {
		return err
	}
	bulk = p.x.client.Bulk()
	n := 0
	for _, id := range refigure {
		l, d := byID[id], indexed[id]
		if d.version != l.version || d.doc.RatingAvg == l.rating.RatingAvg && d.doc.RatingCount == l.rating.RatingCount {
			continue // newer, gone, or already showing these figures
		}
		d.doc.RatingAvg, d.doc.RatingCount = l.rating.RatingAvg, l.rating.RatingCount
		bulk.Add(elastic.NewBulkIndexRequest().Index(p.target).Id(id).VersionType("external_gte").Version(d.version).Doc(d.doc))
		n++
	}
	if n == 0 {
		return nil
	}
	// A conflict now means a newer version was indexed meanwhile, with its own figures.
	_, err = p.send(ctx, bulk, n, version)
	return err
}

// send runs a bulk of n index requests and returns the ids the server refused as not newer than the indexed
// document (409). Any other refused document is an error naming it (with its version, from version):
// unavailable when the server may take it on a retry (429, 5xx).
func (p *Projector) send(ctx context.Context, bulk *elastic.BulkService, n int, version func(id string) int64) ([]string, error) {
	res, err := bulk.Do(ctx)
	if err != nil {
		return nil, classify(fmt.Sprintf("bulk index of %d titles", n), err)
	}
	var refused, failures []string
	retryable := false
	for _, item := range res.Items {
		for _, r := range item {
			if r.Status >= 200 && r.Status < 300 {
				continue
			}
			if r.Status == http.StatusConflict {
				refused = append(refused, r.Id)
				continue
			}
			reason := "unknown"
			if r.Error != nil {
				reason = r.Error.Type + ": " + r.Error.Reason
			}
			failures = append(failures, fmt.Sprintf("content %s v%d: status %d: %s", r.Id, version(r.Id), r.Status, reason))
			retryable = retryable || r.Status == http.StatusTooManyRequests || r.Status >= 500
		}
	}
	if len(failures) == 0 {
		return refused, nil
	}
	err = fmt.Errorf("search projector: %d of %d titles not indexed: %s", len(failures), n, strings.Join(failures, "; "))
	if retryable {
		return nil, streaming.Unavailable("search", err)
	}
	return nil, err
}

type indexedDoc struct {
	doc     document
	version int64
}

// indexed reads the documents of ids as indexed, with their versions, in one request; missing ones are absent.
func (p *Projector) indexed(ctx context.Context, ids []string) (map[string]indexedDoc, error) {
	out := make(map[string]indexedDoc, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	mget := p.x.client.Mget()
	for _, id := range ids {
		mget.Add(elastic.NewMultiGetItem().Index(p.target).Id(id))
	}
	res, err := mget.Do(ctx)
	if err != nil {
		return nil, classify(fmt.Sprintf("get %d titles", len(ids)), err)
	}
	for _, d := range res.Docs {
		if d.Error != nil {
			return nil, streaming.Unavailable("search", fmt.Errorf("get %s: %s: %s", d.Id, d.Error.Type, d.Error.Reason))
		}
		if !d.Found || d.Version == nil {
			continue
		}
		var doc document
		if err := json.Unmarshal(d.Source, &doc); err != nil {
			return nil, fmt.Errorf("search projector: document %s: %w", d.Id, err)
		}
		out[d.Id] = indexedDoc{doc: doc, version: *d.Version}
	}
	return out, nil
}
