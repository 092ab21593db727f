// Package readcheck checks the query side's read models against PostgreSQL, their source of truth: the search
// index, the Neo4j graph and the Redis views. Check streams the PostgreSQL rows (content and ratings, users and
// subscriptions, plans), reads what each read model holds for them and reports, per read model, what is missing,
// behind, ahead, different or without a row. It only reads, and only through the stores' packages (Sources): the
// queries and their error maps live there, the comparison here.
//
// The platform keeps running while it checks, so the check is built not to report the races it will meet:
//   - A batch reads the read models first and PostgreSQL second. A read model only ever holds committed versions,
//     so a row that moves on between the two reads can make a read model look behind, never ahead or different at
//     the same version.
//   - Every difference is read again (read models, then PostgreSQL) before it counts, so a projection that landed
//     in between is not reported.
//   - A difference that an unpublished outbox event explains (missing, behind, or an unversioned rating that
//     differs) is "pending", not a difference, unless Options.Strict.
//
// Erased users (DeleteUser, docs/erasure.md) are checked apart, as KindErasure (erasure.go): not compared with a row,
// but proved to leave nothing personal in PostgreSQL, the graph, Redis or Cassandra.
package readcheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/search"
)

// Sources are the stores to compare, each read through its adapter. Postgres is required; a read model left nil is
// not checked.
type Sources struct {
	Postgres *postgres.CheckSource
	Redis    *redis.ReadModel
	Search   *search.Index
	Graph    *neo4j.Graph // only its reads (ContentNodes, UserNodes, Ratings, NodePage, ErasedNodes) are used
	// Cassandra is only checked for erased users' playback data (KindErasure): it is no read model of PostgreSQL.
	Cassandra *cassandra.Store
}

// Options tune a check. Zero values check everything.
type Options struct {
	// Sample checks about this many random rows of each table (content, users, plans, and erased users) instead of
	// all of them, with their ratings and subscriptions; 0 checks everything. A sample looks for no orphans.
	Sample int
	// IDs restricts the check to these aggregates (content, user, plan or subscription ids: a subscription id checks
	// its user's view; an erased user's id checks the erasure). Orphans are then looked for among these ids only, not
	// by scanning whole read models. IDs and Sample exclude each other.
	IDs []string
	// MaxDiffs is how many differences the report lists (0: 100, negative: none); the counts always cover all.
	MaxDiffs int
	// BatchSize is how many rows one batch reads (1000).
	BatchSize int
	// Concurrency bounds the point reads (search documents, Redis user views) in flight at once (8).
	Concurrency int
	// Strict reports differences as they are even when unpublished outbox events, or an erasure still queued for the
	// store, explain them.
	Strict bool
}

// Model is a read model, or a store the erasure check reads (KindErasure only: PostgreSQL's anonymized rows,
// Cassandra's playback data).
type Model string

const (
	ModelSearch    Model = "search"
	ModelNeo4j     Model = "neo4j"
	ModelRedis     Model = "redis"
	ModelCassandra Model = "cassandra"
	ModelPostgres  Model = "postgres"
)

// Kind is what a read-model entry describes.
type Kind string

const (
	KindContent      Kind = "content"
	KindRating       Kind = "rating"
	KindUser         Kind = "user"
	KindPlan         Kind = "plan"
	KindSubscription Kind = "subscription"
	// KindErasure is an erased user, checked for what a store still holds of them (see erasure.go).
	KindErasure Kind = "erasure"
)

// Status is the outcome of one comparison.
type Status string

const (
	StatusOK       Status = "ok"
	StatusAbsent   Status = "absent"   // not in a cache that is rebuilt on a miss (Redis): fine
	StatusMissing  Status = "missing"  // not in a read model that must hold it
	StatusBehind   Status = "behind"   // an older version than PostgreSQL's: lag
	StatusDiverged Status = "diverged" // the same version with other data
	StatusAhead    Status = "ahead"    // a newer version than PostgreSQL's: a bug
	StatusOrphan   Status = "orphan"   // a read-model entry without a PostgreSQL row
	// StatusPending is lag that will pass: missing or behind, and unpublished outbox events will change it; or an
	// erased user's data left in a store whose erasure is still queued.
	StatusPending Status = "pending"
)

// Failing reports whether s is a divergence (a reason for exit code 1), rather than fine or lag.
func (s Status) Failing() bool {
	switch s {
	case StatusMissing, StatusDiverged, StatusAhead, StatusOrphan:
		return true
	}
	return false
}

// severity orders the listed differences: the worst first.
func (s Status) severity() int {
	return slices.Index([]Status{StatusAhead, StatusDiverged, StatusMissing, StatusOrphan, StatusBehind, StatusPending}, s)
}

// FieldDiff is one field at fault: PostgreSQL's value (Want) and the read model's (Got).
type FieldDiff struct {
	Field string `json:"field"`
	Want  string `json:"want"`
	Got   string `json:"got"`
}

// Difference is one read-model entry that does not match PostgreSQL.
type Difference struct {
	Model  Model  `json:"model"`
	Kind   Kind   `json:"kind"`
	ID     string `json:"id"` // the aggregate's id; "user_id/content_id" for a rating
	Status Status `json:"status"`
	// Version is PostgreSQL's (0 without a row or for an unversioned rating), ModelVersion the read model's (0 when
	// it holds none).
	Version      int64       `json:"version"`
	ModelVersion int64       `json:"model_version"`
	Fields       []FieldDiff `json:"fields,omitempty"`
}

// Counts are the outcomes of one read model for one kind. Checked counts the PostgreSQL rows compared; orphans are
// read-model entries without a row, counted apart.
type Counts struct {
	Model    Model `json:"model"`
	Kind     Kind  `json:"kind"`
	Checked  int64 `json:"checked"`
	OK       int64 `json:"ok"`
	Absent   int64 `json:"absent"`
	Missing  int64 `json:"missing"`
	Behind   int64 `json:"behind"`
	Diverged int64 `json:"diverged"`
	Ahead    int64 `json:"ahead"`
	Orphan   int64 `json:"orphan"`
	Pending  int64 `json:"pending"`
}

// Of is the count of status s.
func (c *Counts) Of(s Status) int64 {
	return *c.field(s)
}

func (c *Counts) field(s Status) *int64 {
	switch s {
	case StatusOK:
		return &c.OK
	case StatusAbsent:
		return &c.Absent
	case StatusMissing:
		return &c.Missing
	case StatusBehind:
		return &c.Behind
	case StatusDiverged:
		return &c.Diverged
	case StatusAhead:
		return &c.Ahead
	case StatusOrphan:
		return &c.Orphan
	case StatusPending:
		return &c.Pending
	}
	panic("readcheck: unknown status " + string(s))
}

// Report is the outcome of a check.
type Report struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Mode     string    `json:"mode"` // "full", "sample" or "ids"
	// UnpublishedAtStart is how many outbox events were waiting for the relay when the check began: read models
	// may legitimately be behind by that much.
	UnpublishedAtStart int64    `json:"unpublished_at_start"`
	Counts             []Counts `json:"counts"` // one per read model and kind checked
	// Differences lists the first Options.MaxDiffs differences, worst first; Unlisted is how many more there are.
	Differences []Difference `json:"differences"`
	Unlisted    int64        `json:"unlisted"`
}

// Failed reports whether any read model is missing, diverged, ahead or has orphans, or any store still holds
// personal data of an erased user (diverged).
func (r *Report) Failed() bool {
	for _, c := range r.Counts {
		if c.Missing+c.Diverged+c.Ahead+c.Orphan > 0 {
			return true
		}
	}
	return false
}

// Total is the count of status s over every read model and kind.
func (r *Report) Total(s Status) int64 {
	var n int64
	for i := range r.Counts {
		n += r.Counts[i].Of(s)
	}
	return n
}

// Count returns the counts of one read model and kind; ok is false when that pair was not checked.
func (r *Report) Count(m Model, k Kind) (c Counts, ok bool) {
	for _, c := range r.Counts {
		if c.Model == m && c.Kind == k {
			return c, true
		}
	}
	return Counts{}, false
}

// Defaults of Options.
const (
	defaultMaxDiffs    = 100
	defaultBatchSize   = 1000
	defaultConcurrency = 8
)

// Check compares every read model in src with PostgreSQL. A store that fails is an error, as its adapter mapped it
// (streaming.Unavailable when it could not be reached); differences are the report, not errors.
func Check(ctx context.Context, src Sources, opts Options) (*Report, error) {
	if src.Postgres == nil {
		return nil, errors.New("readcheck: Sources.Postgres is nil")
	}
	if opts.Sample < 0 {
		return nil, fmt.Errorf("readcheck: Options.Sample %d is negative", opts.Sample)
	}
	if opts.Sample > 0 && len(opts.IDs) > 0 {
		return nil, errors.New("readcheck: Options.Sample and Options.IDs exclude each other")
	}
	for _, id := range opts.IDs {
		if !validUUID(id) {
			return nil, fmt.Errorf("readcheck: id %q is not a uuid", id)
		}
	}
	if opts.MaxDiffs == 0 {
		opts.MaxDiffs = defaultMaxDiffs
	}
	opts.MaxDiffs = max(opts.MaxDiffs, 0)
	opts.BatchSize = cmp.Or(max(opts.BatchSize, 0), defaultBatchSize)
	opts.Concurrency = cmp.Or(max(opts.Concurrency, 0), defaultConcurrency)

	c := &checker{src: src, opts: opts, listed: map[Status][]Difference{},
		rep: &Report{Started: time.Now().UTC(), Mode: "full"}}
	switch {
	case opts.Sample > 0:
		c.rep.Mode = "sample"
	case len(opts.IDs) > 0:
		c.rep.Mode = "ids"
	}
	c.initCounts()
	var err error
	if c.rep.UnpublishedAtStart, err = src.Postgres.Unpublished(ctx); err != nil {
		return nil, err
	}
	for _, k := range []struct {
		table postgres.Table
		check func(context.Context, []string) ([]result, error)
	}{
		{postgres.TableContent, c.checkContent},
		{postgres.TableUsers, c.checkUsers},
		{postgres.TablePlans, c.checkPlans},
	} {
		err := c.eachBatch(ctx, tableIDs(src.Postgres, k.table), func(ids []string) error { return c.batch(ctx, ids, k.check) })
		if err != nil {
			return nil, err
		}
	}
	err = c.eachBatch(ctx, erasedIDs(src.Postgres), func(ids []string) error { return c.batch(ctx, ids, c.checkErasures) })
	if err != nil {
		return nil, err
	}
	switch c.rep.Mode {
	case "full":
		err = c.scanOrphans(ctx)
	case "ids":
		err = c.orphansAmong(ctx, opts.IDs)
	}
	if err != nil {
		return nil, err
	}
	c.finish()
	return c.rep, nil
}

// result is one comparison of one read-model entry.
type result struct {
	model        Model
	kind         Kind
	id           string
	batchID      string    // the id of the batch row it came from (the content of a rating, the user of a subscription)
	agg          aggregate // whose unpublished events could explain a lag
	status       Status
	version      int64
	modelVersion int64
	fields       []FieldDiff
}

// aggregate names an outbox aggregate.
type aggregate = postgres.AggregateRef

type countKey struct {
	model Model
	kind  Kind
}

type checker struct {
	src    Sources
	opts   Options
	rep    *Report
	counts map[countKey]*Counts
	order  []countKey
	listed map[Status][]Difference // at most MaxDiffs of each status, so memory stays bounded
	total  int64                   // differences found
}

// initCounts creates the rows of the report for the read models given, in a fixed order.
func (c *checker) initCounts() {
	c.counts = map[countKey]*Counts{}
	add := func(m Model, kinds ...Kind) {
		for _, k := range kinds {
			key := countKey{m, k}
			c.counts[key] = &Counts{Model: m, Kind: k}
			c.order = append(c.order, key)
		}
	}
	if c.src.Search != nil {
		add(ModelSearch, KindContent)
	}
	if c.src.Graph != nil {
		add(ModelNeo4j, KindContent, KindRating, KindUser, KindErasure)
	}
	if c.src.Redis != nil {
		add(ModelRedis, KindContent, KindPlan, KindUser, KindSubscription, KindErasure)
	}
	if c.src.Cassandra != nil {
		add(ModelCassandra, KindErasure)
	}
	add(ModelPostgres, KindErasure)
}

// batch checks ids, checks the ones that differ once more, resolves pending ones and records the outcome.
func (c *checker) batch(ctx context.Context, ids []string, check func(context.Context, []string) ([]result, error)) error {
	res, err := check(ctx, ids)
	if err != nil {
		return err
	}
	var again []string
	differs := map[string]bool{}
	for _, r := range res {
		if r.status != StatusOK && r.status != StatusAbsent && !differs[r.batchID] {
			differs[r.batchID] = true
			again = append(again, r.batchID)
		}
	}
	if len(again) > 0 {
		// Read again: a projection may have landed between the two reads of the first pass.
		res2, err := check(ctx, again)
		if err != nil {
			return err
		}
		res = slices.DeleteFunc(res, func(r result) bool { return differs[r.batchID] })
		res = append(res, res2...)
	}
	if err := c.resolvePending(ctx, res); err != nil {
		return err
	}
	c.record(res)
	return nil
}

// explainedByLag reports whether an unpublished event of r's aggregate could turn r into ok.
func explainedByLag(r result) bool {
	switch r.status {
	case StatusMissing, StatusBehind:
		return true
	case StatusDiverged:
		return r.kind == KindRating // ratings carry no version: a newer rating looks like different data
	}
	return false
}

// resolvePending turns lag that unpublished outbox events explain into StatusPending.
func (c *checker) resolvePending(ctx context.Context, res []result) error {
	if c.opts.Strict {
		return nil
	}
	var ids []string
	for _, r := range res {
		if explainedByLag(r) {
			ids = append(ids, r.agg.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	pending, err := c.src.Postgres.Pending(ctx, ids)
	if err != nil {
		return err
	}
	for i, r := range res {
		if explainedByLag(r) && pending[r.agg] {
			res[i].status = StatusPending
		}
	}
	return nil
}

// record counts results and keeps the first differences of each status.
func (c *checker) record(res []result) {
	for _, r := range res {
		cnt := c.counts[countKey{r.model, r.kind}]
		if cnt == nil {
			continue // a read model not checked
		}
		if r.status != StatusOrphan {
			cnt.Checked++
		}
		(*cnt.field(r.status))++
		if r.status == StatusOK || r.status == StatusAbsent {
			continue
		}
		c.total++
		if len(c.listed[r.status]) < c.opts.MaxDiffs {
			c.listed[r.status] = append(c.listed[r.status], Difference{Model: r.model, Kind: r.kind, ID: r.id,
				Status: r.status, Version: r.version, ModelVersion: r.modelVersion, Fields: r.fields})
		}
	}
}

func (c *checker) finish() {
	for _, k := range c.order {
		c.rep.Counts = append(c.rep.Counts, *c.counts[k])
	}
	var all []Difference
	for _, d := range c.listed {
		all = append(all, d...)
	}
	slices.SortStableFunc(all, func(a, b Difference) int {
		return cmp.Or(cmp.Compare(a.Status.severity(), b.Status.severity()), cmp.Compare(a.Model, b.Model),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID))
	})
	if len(all) > c.opts.MaxDiffs {
		all = all[:c.opts.MaxDiffs]
	}
	c.rep.Differences = all
	if c.rep.Differences == nil {
		c.rep.Differences = []Difference{}
	}
	c.rep.Unlisted = c.total - int64(len(all))
	c.rep.Finished = time.Now().UTC()
}

// validUUID reports whether s is a uuid in canonical text form, as PostgreSQL prints them (ids are compared as text).
func validUUID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}
