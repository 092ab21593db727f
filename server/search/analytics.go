package search

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/olivere/elastic/v7"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Catalog analytics: the playback roll-ups (streaming.Rollup) are documents of time-based indices, one per UTC
// month, named <prefix>-YYYY.MM. A month's index is created by the first write into it; the index template
// <prefix> (EnsureAnalytics) gives it its mapping and settings. Analytics are aggregations over <prefix>-*, and
// retention deletes whole months (DropBefore).

const (
	// rollupChunk is how many roll-ups one bulk request carries.
	rollupChunk = 1000
	// addAttempts is how often AddRollups reads and writes a roll-up that another writer changed in between.
	addAttempts = 5
	// maxRefusedRetries is how often an addition is sent again when its connection was refused (see addRetrier).
	maxRefusedRetries = 8
	// termsShardSize is how many titles, countries and devices each month's index proposes for the top lists: the
	// lists are exact while no month has more distinct values than this (the countries and devices never do).
	termsShardSize = 1000
	// monthFormat names a month's index.
	monthFormat = "2006.01"
)

// metricFields are the figures of a roll-up, which add up.
var metricFields = []string{"seconds", "events", "plays", "completions"}

// Analytics is the catalog analytics store (streaming.AnalyticsStore) on the content index's client. It is safe
// for concurrent use; closing the Index closes it.
type Analytics struct {
	x      *Index
	prefix string
	ready  atomic.Bool // the index template is in place (EnsureAnalytics succeeded)
	// written is what this process wrote last per roll-up (see writtenRollups): an addition to one of them reads
	// nothing first.
	written *writtenRollups
	// read and sent count roll-ups read before an addition and roll-ups written (see RollupIO).
	read, sent atomic.Uint64
}

var _ streaming.AnalyticsStore = (*Analytics)(nil)

// Analytics is the analytics store whose indices are <prefix>-YYYY.MM; an empty prefix means <alias>_analytics.
// The prefix takes lower-case letters, digits, '_', '-' and '.', and starts with a letter or digit.
func (x *Index) Analytics(prefix string) (*Analytics, error) {
	if prefix == "" {
		prefix = x.alias + "_analytics"
	}
	ok := len(prefix) <= 200
	for i, r := range prefix {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || i > 0 && strings.ContainsRune("_-.", r)) {
			ok = false
		}
	}
	if !ok {
		return nil, fmt.Errorf("search: analytics prefix %q: want lower-case letters, digits, '_', '-' or '.', starting with a letter or digit, at most 200", prefix)
	}
	return &Analytics{x: x, prefix: prefix, written: newWrittenRollups(defaultWrittenRollups)}, nil
}

// Prefix is what the monthly indices' names start with (and the index template's name).
func (a *Analytics) Prefix() string { return a.prefix }

// MonthIndex is the index holding the roll-ups of t's UTC month.
func (a *Analytics) MonthIndex(t time.Time) string {
	return a.prefix + "-" + t.UTC().Format(monthFormat)
}

// pattern matches every month's index.
func (a *Analytics) pattern() string { return a.prefix + "-*" }

// analyticsMapping is a month index's layout; strict, like the content index's.
func analyticsMapping() map[string]any {
	typ := func(t string) map[string]any { return map[string]any{"type": t} }
	properties := map[string]any{
		"content_id": typ("keyword"),
		"hour":       typ("date"),
		"country":    typ("keyword"),
		"device":     typ("keyword"),
	}
	for _, f := range metricFields {
		properties[f] = typ("long")
	}
	return map[string]any{"dynamic": "strict", "properties": properties}
}

// EnsureAnalytics puts the index template <prefix> for <prefix>-*, so a month's index created by a write gets the
// mapping, one shard and the content index's replicas. It is idempotent (the template is replaced) and safe when
// several processes start at once; indices created before keep what they were created with. The writes call it
// once themselves, so a month is never created without the mapping.
func (a *Analytics) EnsureAnalytics(ctx context.Context) error {
	body := map[string]any{
		"index_patterns": []string{a.pattern()},
		"template": map[string]any{
			"settings": map[string]any{"number_of_shards": 1, "number_of_replicas": a.x.replicas},
			"mappings": analyticsMapping(),
		},
	}
	if _, err := a.x.client.PerformRequest(ctx, elastic.PerformRequestOptions{Method: "PUT",
		Path: "/_index_template/" + url.PathEscape(a.prefix), Body: body}); err != nil {
		return classify("put index template "+a.prefix, err)
	}
	a.ready.Store(true)
	return nil
}

func (a *Analytics) ensure(ctx context.Context) error {
	if a.ready.Load() {
		return nil
	}
	return a.EnsureAnalytics(ctx)
}

// RollupIO is how many roll-ups this store read before adding to them, and how many it wrote, so far. A roll-up it
// wrote before is added to without a read while it remembers it (see writtenRollups).
func (a *Analytics) RollupIO() (read, written uint64) { return a.read.Load(), a.sent.Load() }

// Refresh makes every written roll-up visible to ContentAnalytics now (for tests).
func (a *Analytics) Refresh(ctx context.Context) error {
	if _, err := a.x.client.Refresh(a.pattern()).Do(ctx); err != nil {
		return classify("refresh "+a.pattern(), err)
	}
	return nil
}

// rollupDoc is a roll-up as indexed.
type rollupDoc struct {
	ContentID   string    `json:"content_id"`
	Hour        time.Time `json:"hour"`
	Country     string    `json:"country"`
	Device      string    `json:"device"`
	Seconds     int64     `json:"seconds"`
	Events      int64     `json:"events"`
	Plays       int64     `json:"plays"`
	Completions int64     `json:"completions"`
}

// id is the document id: the roll-up's key, so each title, hour, country and device has one document.
func (d *rollupDoc) id() string {
	return fmt.Sprintf("%d|%s|%s|%s", d.Hour.Unix(), d.ContentID, d.Country, d.Device)
}

func (d *rollupDoc) add(o rollupDoc) {
	d.Seconds += o.Seconds
	d.Events += o.Events
	d.Plays += o.Plays
	d.Completions += o.Completions
}

// rollupDocs checks the roll-ups and sums those of the same key, in first-seen order. A bad roll-up is a bug of the
// caller's: nothing is written.
func rollupDocs(rollups []streaming.Rollup) ([]rollupDoc, error) {
	docs := make([]rollupDoc, 0, len(rollups))
	byID := make(map[string]int, len(rollups))
	for _, r := range rollups {
		d := rollupDoc{ContentID: r.ContentID, Hour: r.Hour.UTC(), Country: r.Country, Device: r.Device,
			Seconds: r.Seconds, Events: r.Events, Plays: r.Plays, Completions: r.Completions}
		switch {
		case d.ContentID == "" || d.Country == "" || d.Device == "":
			return nil, fmt.Errorf("search: roll-up %+v: content id, country and device are required", r)
		case strings.Contains(d.ContentID+d.Country+d.Device, "|"):
			return nil, fmt.Errorf("search: roll-up %+v: '|' in a key", r)
		case d.Hour.IsZero() || !d.Hour.Equal(d.Hour.Truncate(time.Hour)):
			return nil, fmt.Errorf("search: roll-up %+v: the hour must be a whole UTC hour", r)
		case d.Seconds < 0 || d.Events < 0 || d.Plays < 0 || d.Completions < 0:
			return nil, fmt.Errorf("search: roll-up %+v: negative figures", r)
		}
		if i, ok := byID[d.id()]; ok {
			docs[i].add(d)
			continue
		}
		byID[d.id()] = len(docs)
		docs = append(docs, d)
	}
	return docs, nil
}

// AddRollups adds each roll-up's figures to the stored one, creating it, in bulk requests of rollupChunk roll-ups
// (roll-ups of the same key in the batch are summed first). Nothing is written when a roll-up is malformed.
//
// The search server may run no scripts (the local stack's has none), so an addition is a conditional write: each
// roll-up is written summed only if nobody changed it since its sequence number was known (if_seq_no), or created
// only if it still does not exist. The sequence number is the one this process's last write of the roll-up got
// (writtenRollups), or else read first; a roll-up another writer changed in between is read and written again, up
// to addAttempts times.
//
// Additions are not idempotent: after an error part of the batch may have been added (the error says which chunks
// were), and adding the batch again counts that part twice. For the same reason a failed bulk request is sent again
// only when its connection was refused (addRetrier), never after it may have reached a server.
func (a *Analytics) AddRollups(ctx context.Context, rollups []streaming.Rollup) error {
	return a.write(ctx, "add", rollups, a.add)
}

// PutRollups replaces the stored roll-ups of the same keys with these (roll-ups of the same key in the batch are
// summed first, as AddRollups would add them). Writing the same batch twice is harmless.
func (a *Analytics) PutRollups(ctx context.Context, rollups []streaming.Rollup) error {
	return a.write(ctx, "put", rollups, a.put)
}

// write checks and merges the roll-ups, makes sure of the template, and writes them chunk by chunk.
func (a *Analytics) write(ctx context.Context, op string, rollups []streaming.Rollup, chunk func(context.Context, []rollupDoc) error) error {
	docs, err := rollupDocs(rollups)
	if err != nil || len(docs) == 0 {
		return err
	}
	if err := a.ensure(ctx); err != nil {
		return err
	}
	for start := 0; start < len(docs); start += rollupChunk {
		end := min(start+rollupChunk, len(docs))
		if err := chunk(ctx, docs[start:end]); err != nil {
			if start == 0 {
				return err
			}
			return fmt.Errorf("%w (%s: roll-ups 1-%d of %d were written)", err, op, start, len(docs))
		}
	}
	return nil
}

func (a *Analytics) put(ctx context.Context, docs []rollupDoc) error {
	bulk := a.x.client.Bulk()
	byID := make(map[string]rollupDoc, len(docs))
	for _, d := range docs {
		byID[d.id()] = d
		bulk.Add(elastic.NewBulkIndexRequest().Index(a.MonthIndex(d.Hour)).Id(d.id()).Doc(d))
	}
	_, err := a.send(ctx, bulk, "put", byID, false)
	return err
}

// add adds one chunk of distinct roll-ups (see AddRollups). A roll-up this process wrote before is written from
// what it wrote, conditionally on that write's sequence number (writtenRollups); the others, and those another
// writer changed in between (refused with 409), are read first.
func (a *Analytics) add(ctx context.Context, docs []rollupDoc) error {
	pending := docs
	for attempt := 1; ; attempt++ {
		known := make(map[string]storedRollup, len(pending))
		var unknown []rollupDoc
		for _, d := range pending {
			if s, ok := a.written.get(d.id()); ok && attempt == 1 {
				known[d.id()] = s
			} else {
				unknown = append(unknown, d)
			}
		}
		stored, err := a.stored(ctx, unknown)
		if err != nil {
			return err
		}
		maps.Copy(stored, known)
		bulk := a.x.client.Bulk().Retrier(addRetrier{})
		byID := make(map[string]rollupDoc, len(pending))
		for _, d := range pending {
			req := elastic.NewBulkIndexRequest().Index(a.MonthIndex(d.Hour)).Id(d.id())
			if s, ok := stored[d.id()]; ok {
				s.doc.add(d)
				byID[d.id()] = s.doc
				req.IfSeqNo(s.seqNo).IfPrimaryTerm(s.primaryTerm).Doc(s.doc)
			} else {
				byID[d.id()] = d
				req.OpType("create").Doc(d)
			}
			bulk.Add(req)
		}
		conflicts, err := a.send(ctx, bulk, "add", byID, true)
		if err != nil || len(conflicts) == 0 {
			return err
		}
		if attempt == addAttempts {
			return streaming.Unavailable("search", fmt.Errorf("add roll-ups: %d of %d still changed by another writer after %d attempts, e.g. %s",
				len(conflicts), len(docs), addAttempts, conflicts[0]))
		}
		conflicted := make(map[string]bool, len(conflicts))
		for _, id := range conflicts {
			conflicted[id] = true
		}
		var again []rollupDoc
		for _, d := range pending {
			if conflicted[d.id()] {
				again = append(again, d)
			}
		}
		pending = again
	}
}

type storedRollup struct {
	doc                rollupDoc
	seqNo, primaryTerm int64
}

// stored reads the roll-ups of docs as stored, with their sequence numbers, in one request; missing ones (and those
// of a month without an index yet) are absent.
func (a *Analytics) stored(ctx context.Context, docs []rollupDoc) (map[string]storedRollup, error) {
	if len(docs) == 0 {
		return map[string]storedRollup{}, nil
	}
	a.read.Add(uint64(len(docs)))
	mget := a.x.client.Mget()
	for _, d := range docs {
		mget.Add(elastic.NewMultiGetItem().Index(a.MonthIndex(d.Hour)).Id(d.id()))
	}
	res, err := mget.Do(ctx)
	if err != nil {
		return nil, classify(fmt.Sprintf("get %d roll-ups", len(docs)), err)
	}
	out := make(map[string]storedRollup, len(res.Docs))
	for _, g := range res.Docs {
		if g.Error != nil {
			if g.Error.Type == "index_not_found_exception" {
				continue
			}
			return nil, streaming.Unavailable("search", fmt.Errorf("get roll-up %s: %s: %s", g.Id, g.Error.Type, g.Error.Reason))
		}
		if !g.Found {
			continue
		}
		if g.SeqNo == nil || g.PrimaryTerm == nil {
			return nil, fmt.Errorf("search: roll-up %s read without its sequence number", g.Id)
		}
		var d rollupDoc
		if err := json.Unmarshal(g.Source, &d); err != nil {
			return nil, fmt.Errorf("search: roll-up %s: %w", g.Id, err)
		}
		out[g.Id] = storedRollup{doc: d, seqNo: *g.SeqNo, primaryTerm: *g.PrimaryTerm}
	}
	return out, nil
}

// send runs a bulk writing the roll-ups of byID (each as written, by id) and remembers each one written with the
// sequence number the server gave it (writtenRollups); the others are forgotten, their outcome unknown or another
// writer's. With conditional writes (occ) it returns the ids another writer changed in between (409).
func (a *Analytics) send(ctx context.Context, bulk *elastic.BulkService, op string, byID map[string]rollupDoc, occ bool) ([]string, error) {
	a.sent.Add(uint64(len(byID)))
	res, conflicts, err := sendRollups(ctx, bulk, op, len(byID), occ)
	if res == nil || err != nil {
		a.written.forget(slices.Collect(maps.Keys(byID))...)
		return conflicts, err
	}
	for _, item := range res.Items {
		for _, r := range item {
			if d, ok := byID[r.Id]; ok && r.Status >= 200 && r.Status < 300 && r.PrimaryTerm > 0 {
				a.written.put(r.Id, storedRollup{doc: d, seqNo: r.SeqNo, primaryTerm: r.PrimaryTerm})
			} else {
				a.written.forget(r.Id)
			}
		}
	}
	return conflicts, nil
}

// sendRollups runs a bulk of n roll-up writes and returns the server's answer (nil when there was none). With
// conditional writes (occ) it returns the ids another writer changed in between (409); any other refused roll-up is
// an error with the count and the first reason: unavailable when the server may take it on a retry (429, 5xx).
func sendRollups(ctx context.Context, bulk *elastic.BulkService, op string, n int, occ bool) (*elastic.BulkResponse, []string, error) {
	res, err := bulk.Do(ctx)
	if err != nil {
		return nil, nil, classify(fmt.Sprintf("%s %d roll-ups", op, n), err)
	}
	var conflicts []string
	failed, first, retryable := 0, "", false
	for _, item := range res.Items {
		for _, r := range item {
			switch {
			case r.Status >= 200 && r.Status < 300:
				continue
			case occ && r.Status == http.StatusConflict:
				conflicts = append(conflicts, r.Id)
				continue
			}
			if failed++; failed == 1 {
				first = fmt.Sprintf("roll-up %s: status %d", r.Id, r.Status)
				if r.Error != nil {
					first += ": " + r.Error.Type + ": " + r.Error.Reason
				}
			}
			retryable = retryable || r.Status == http.StatusTooManyRequests || r.Status >= 500
		}
	}
	if failed == 0 {
		return res, conflicts, nil
	}
	err = fmt.Errorf("search: %s roll-ups: %d of %d not written, first %s", op, failed, n, first)
	if retryable {
		return res, nil, streaming.Unavailable("search", err)
	}
	return res, nil, err
}

// addRetrier is nodeRetrier for additions, which must not be applied twice: a request is sent again (to the next
// node) only when it cannot have reached a server, that is when every node was marked dead (ErrNoClient) or its
// connection was refused. After a reset or a timeout the server may have applied it, and the error goes to the
// caller.
type addRetrier struct{}

func (addRetrier) Retry(_ context.Context, retry int, _ *http.Request, _ *http.Response, err error) (time.Duration, bool, error) {
	if elastic.IsConnErr(err) {
		return 0, retry == 1, nil
	}
	return 0, errors.Is(err, syscall.ECONNREFUSED) && retry <= maxRefusedRetries, nil
}

// Request is the search body ContentAnalytics sends to <prefix>-*/_search for q: a benchmark can send the identical
// request straight to the server as a baseline. q is checked as ContentAnalytics checks it (a CodeInvalid error
// naming the request's field).
func (a *Analytics) Request(q streaming.AnalyticsQuery) (map[string]any, error) {
	if _, err := q.Buckets(); err != nil {
		return nil, err
	}
	return analyticsRequest(q), nil
}

// analyticsRequest is the search body for a checked q: the roll-ups of [Start, End) and the filters, summed in
// total, per histogram bucket, and per title, country and device (the top TopN by seconds).
func analyticsRequest(q streaming.AnalyticsQuery) map[string]any {
	start, end := q.Start.UnixMilli(), q.End.UnixMilli()
	filter := []any{map[string]any{"range": map[string]any{"hour": map[string]any{"gte": start, "lt": end, "format": "epoch_millis"}}}}
	for _, f := range []struct{ field, value string }{{"content_id", q.ContentID}, {"country", q.Country}, {"device", q.Device}} {
		if f.value != "" {
			filter = append(filter, map[string]any{"term": map[string]any{f.field: f.value}})
		}
	}
	sums := map[string]any{}
	for _, f := range metricFields {
		sums[f] = map[string]any{"sum": map[string]any{"field": f}}
	}
	histogram := map[string]any{"field": "hour", "time_zone": "UTC", "min_doc_count": 0,
		"extended_bounds": map[string]any{"min": start, "max": end - 1}}
	if q.Interval == streaming.IntervalHour {
		histogram["fixed_interval"] = "1h"
	} else {
		histogram["calendar_interval"] = "1d"
	}
	terms := func(field string) map[string]any {
		return map[string]any{
			"terms": map[string]any{"field": field, "size": q.TopN, "shard_size": termsShardSize,
				"order": []any{map[string]any{"seconds": "desc"}, map[string]any{"_key": "asc"}}},
			"aggs": sums,
		}
	}
	aggs := map[string]any{
		"histogram": map[string]any{"date_histogram": histogram, "aggs": sums},
		"titles":    terms("content_id"),
		"countries": terms("country"),
		"devices":   terms("device"),
	}
	maps.Copy(aggs, sums) // the totals
	return map[string]any{
		"size":             0,
		"track_total_hits": false,
		"query":            map[string]any{"bool": map[string]any{"filter": filter}},
		"aggs":             aggs,
	}
}

// metricSums are the four sum aggregations, at the top (the totals) or in a bucket.
type metricSums struct {
	Seconds     sumValue `json:"seconds"`
	Events      sumValue `json:"events"`
	Plays       sumValue `json:"plays"`
	Completions sumValue `json:"completions"`
}

// sumValue is a sum aggregation's answer: a double, exact for sums below 2^53.
type sumValue struct {
	Value float64 `json:"value"`
}

func (s *metricSums) metrics() streaming.PlaybackMetrics {
	n := func(v sumValue) int64 { return int64(math.Round(v.Value)) }
	return streaming.PlaybackMetrics{Seconds: n(s.Seconds), Plays: n(s.Plays), Completions: n(s.Completions), Events: n(s.Events)}
}

type termsAgg struct {
	Buckets []struct {
		Key string `json:"key"`
		metricSums
	} `json:"buckets"`
}

func (t *termsAgg) terms() []streaming.AnalyticsTerm {
	out := make([]streaming.AnalyticsTerm, 0, len(t.Buckets))
	for i := range t.Buckets {
		out = append(out, streaming.AnalyticsTerm{Key: t.Buckets[i].Key, Metrics: t.Buckets[i].metrics()})
	}
	// The server already orders them so; sorting again makes the order a property of this code.
	slices.SortStableFunc(out, func(a, b streaming.AnalyticsTerm) int {
		return cmp.Or(cmp.Compare(b.Metrics.Seconds, a.Metrics.Seconds), strings.Compare(a.Key, b.Key))
	})
	return out
}

type analyticsResponse struct {
	Shards struct {
		Total    int `json:"total"`
		Failed   int `json:"failed"`
		Failures []struct {
			Index  string `json:"index"`
			Reason struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"reason"`
		} `json:"failures"`
	} `json:"_shards"`
	Aggregations struct {
		metricSums
		Histogram struct {
			Buckets []struct {
				Key int64 `json:"key"` // the bucket's start, epoch milliseconds
				metricSums
			} `json:"buckets"`
		} `json:"histogram"`
		Titles    termsAgg `json:"titles"`
		Countries termsAgg `json:"countries"`
		Devices   termsAgg `json:"devices"`
	} `json:"aggregations"`
}

// ContentAnalytics aggregates the roll-ups q selects in one search over every month's index (the range filter
// picks the months). A q that streaming.AnalyticsQuery.Buckets refuses is that CodeInvalid error. The histogram has every bucket of the range, empty ones included,
// also when no month has an index yet.
func (a *Analytics) ContentAnalytics(ctx context.Context, q streaming.AnalyticsQuery) (*streaming.ContentAnalytics, error) {
	starts, err := q.Buckets()
	if err != nil {
		return nil, err
	}
	raw, err := a.x.client.PerformRequest(ctx, elastic.PerformRequestOptions{Method: "POST",
		Path: "/" + a.pattern() + "/_search", Body: analyticsRequest(q),
		Params: url.Values{"ignore_unavailable": {"true"}, "allow_no_indices": {"true"}}})
	if err != nil {
		return nil, classify("analytics", err)
	}
	var res analyticsResponse
	if err := json.Unmarshal(raw.Body, &res); err != nil {
		return nil, classify("analytics", fmt.Errorf("decode the answer: %w", err))
	}
	// Sums over part of the months would be wrong figures, not fewer results.
	if s := res.Shards; s.Failed > 0 {
		reason := "unknown"
		if len(s.Failures) > 0 {
			reason = s.Failures[0].Index + ": " + s.Failures[0].Reason.Type + ": " + s.Failures[0].Reason.Reason
		}
		return nil, streaming.Unavailable("search", fmt.Errorf("analytics: %d of %d shards failed, first %s", s.Failed, s.Total, reason))
	}
	aggs := &res.Aggregations
	out := &streaming.ContentAnalytics{
		Totals:    aggs.metrics(),
		Histogram: make([]streaming.AnalyticsBucket, len(starts)),
		TopTitles: aggs.Titles.terms(),
		ByCountry: aggs.Countries.terms(),
		ByDevice:  aggs.Devices.terms(),
	}
	// The buckets are laid out here, so the range is whole also when the search met no index (and answered no
	// aggregations); the server's buckets fill them.
	at := make(map[int64]int, len(starts))
	for i, t := range starts {
		out.Histogram[i].Start = t
		at[t.UnixMilli()] = i
	}
	for _, b := range aggs.Histogram.Buckets {
		if i, ok := at[b.Key]; ok {
			out.Histogram[i].Metrics = b.metrics()
		}
	}
	return out, nil
}

// DropBefore deletes the indices of the months that ended at or before t (a month ends at the first instant of the
// next) and returns their names, sorted. Indices under the prefix that are not named for a month are left alone.
func (a *Analytics) DropBefore(ctx context.Context, t time.Time) ([]string, error) {
	res, err := a.x.client.PerformRequest(ctx, elastic.PerformRequestOptions{Method: "GET",
		Path: "/_cat/indices/" + a.pattern(), Params: url.Values{"format": {"json"}, "h": {"index"}}})
	if err != nil {
		return nil, classify("list "+a.pattern(), err)
	}
	var indices []struct {
		Index string `json:"index"`
	}
	if err := json.Unmarshal(res.Body, &indices); err != nil {
		return nil, classify("list "+a.pattern(), fmt.Errorf("decode the answer: %w", err))
	}
	var old []string
	for _, ix := range indices {
		month, err := time.Parse(monthFormat, strings.TrimPrefix(ix.Index, a.prefix+"-"))
		if err != nil || a.MonthIndex(month) != ix.Index {
			continue
		}
		if !month.AddDate(0, 1, 0).After(t) {
			old = append(old, ix.Index)
		}
	}
	if len(old) == 0 {
		return nil, nil
	}
	slices.Sort(old)
	// A month's index created again numbers its writes from 0: what was remembered of the deleted one must not match.
	defer a.written.reset()
	// A month another process deleted meanwhile is gone all the same.
	if _, err := a.x.client.PerformRequest(ctx, elastic.PerformRequestOptions{Method: "DELETE",
		Path: "/" + strings.Join(old, ","), Params: url.Values{"ignore_unavailable": {"true"}}}); err != nil {
		return nil, classify(fmt.Sprintf("delete %v", old), err)
	}
	return old, nil
}
