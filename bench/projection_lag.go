package main

// projection_lag: how long after a command is answered its effect shows in the read models, under a steady load of
// commands. Clients call UpsertContent (admin) and RateContent through the server (projections on: the outbox relay
// and its Neo4j, search and Redis projectors run in the server's process); a probe reads the title's Redis read
// model every millisecond, pipelined for every command still waiting, until it holds the command's version. The
// relay applies a batch to Neo4j, then the search index, then Redis, so a version visible in Redis has reached all
// three. Lag = first read showing the version − the command's answer. Only UpsertContent is probed: a rating bumps
// no version and its figures are published by the coalescing flusher (rate_content_hot measures that delay).
//
// There is no raw equivalent of an asynchronous projection. The baseline is the probe's own floor, measured in the
// same run under the same load: the same probe on titles whose read model is written directly (ReadModel.PutContent,
// the projector's own write, synchronously from the client), i.e. what an inline projection would show through this
// probe. The ratio says how many times that floor the relay takes.

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/redis/rueidis"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/streaming"
)

const (
	lagClients         = 8   // concurrent command clients, each owning its titles
	lagRate            = 100 // commands per second, all clients together, paced
	lagTitlesPerClient = 10
	lagRateShare       = 0.25 // share of commands that are RateContent (the rest UpsertContent)
	lagRaters          = 200  // users that rate (inserted straight into PostgreSQL)
	lagWarmup          = 5 * time.Second
	lagMeasure         = 30 * time.Second
	lagPoll            = time.Millisecond
	lagTimeout         = 10 * time.Second // a command still invisible after this fails the run
)

// lagKind is what made a read model change.
type lagKind int

const (
	kindUpsert lagKind = iota
	kindRate
	kindDirect // the baseline: a direct PutContent
)

// lagWait is a change the probe waits to see.
type lagWait struct {
	key      string
	version  int64
	since    time.Time // the command's answer (or PutContent's return)
	kind     lagKind
	measured bool
}

// lagProbe polls the Redis read models of waiting changes, all in one pipelined round trip per poll.
type lagProbe struct {
	c        rueidis.Client
	mu       sync.Mutex
	pending  []*lagWait
	lat      [3][]time.Duration // measured lags per kind
	polls    int
	failures []string
}

func (p *lagProbe) add(w *lagWait) {
	p.mu.Lock()
	p.pending = append(p.pending, w)
	p.mu.Unlock()
}

func (p *lagProbe) waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

// run polls until ctx is done.
func (p *lagProbe) run(ctx context.Context) {
	tick := time.NewTicker(lagPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		p.mu.Lock()
		waits := slices.Clone(p.pending)
		p.mu.Unlock()
		if len(waits) == 0 {
			continue
		}
		cmds := make(rueidis.Commands, len(waits))
		for i, w := range waits {
			cmds[i] = p.c.B().Hget().Key(w.key).Field("v:content").Build()
		}
		results := p.c.DoMulti(ctx, cmds...)
		now := time.Now()
		done := map[*lagWait]bool{}
		p.mu.Lock()
		p.polls++
		for i, w := range waits {
			v, err := results[i].AsInt64()
			switch {
			case err == nil && v >= w.version:
				if w.measured {
					p.lat[w.kind] = append(p.lat[w.kind], now.Sub(w.since))
				}
				done[w] = true
			case err != nil && !rueidis.IsRedisNil(err) && ctx.Err() == nil:
				p.failures = append(p.failures, fmt.Sprintf("read %s: %v", w.key, err))
				done[w] = true
			case now.Sub(w.since) > lagTimeout:
				p.failures = append(p.failures, fmt.Sprintf("%s version %d not visible after %s", w.key, w.version, lagTimeout))
				done[w] = true
			}
		}
		p.pending = slices.DeleteFunc(p.pending, func(w *lagWait) bool { return done[w] })
		p.mu.Unlock()
	}
}

// lagTitle is a title a client owns, with the version its last command gave it.
type lagTitle struct {
	content streaming.Content
	version int64
}

var lagGenres = []string{"bench-lag-drama", "bench-lag-comedy", "bench-lag-action", "bench-lag-crime"}

func newLagTitle(rng *rand.Rand, n int) *lagTitle {
	return &lagTitle{content: streaming.Content{ID: uuid.NewString(), Title: fmt.Sprintf("Lag Title %d", n),
		Description: "a title of the projection lag benchmark", Type: streaming.ContentMovie,
		Genres: []string{lagGenres[rng.IntN(len(lagGenres))]}, Actors: []string{"Ana Torres"}, ReleaseYear: 2020,
		DurationSeconds: 5400}}
}

func contentPB(c streaming.Content) *pb.Content {
	return &pb.Content{Id: c.ID, Title: c.Title, Description: c.Description, Type: pb.ContentType_CONTENT_TYPE_MOVIE,
		Genres: c.Genres, Actors: c.Actors, ReleaseYear: c.ReleaseYear, DurationSeconds: c.DurationSeconds}
}

func projectionLag(ctx context.Context) ([]Result, error) {
	pgURL, drop, err := benchSchema(ctx)
	if err != nil {
		return nil, err
	}
	defer drop()
	alias := "bench_lag_" + randomHex(4) // a throwaway index: the shared "content" alias is left alone
	srv, err := startServer(ctx, pgURL, func(c *config.Config) {
		c.ReadModelsEnabled = true
		c.SearchAlias = alias
	})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	cfg := srv.cfg
	command := pb.NewCommandServiceClient(srv.conn)
	measure := lagMeasure
	if quick, _ := strconv.ParseBool(os.Getenv("BENCH_QUICK")); quick {
		measure = 10 * time.Second
	}

	raters, err := insertUsers(ctx, srv.built.Pool, lagRaters)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(8, 9))
	owned := make([][]*lagTitle, lagClients+1) // the last set is the baseline's
	var all []*lagTitle
	for c := range owned {
		for range lagTitlesPerClient {
			t := newLagTitle(rng, len(all))
			owned[c] = append(owned[c], t)
			all = append(all, t)
		}
	}
	defer cleanUpLag(srv, alias, all, raters)

	rc, closeRedis, err := redis.Open(ctx, redis.Config{Addr: cfg.RedisAddr})
	if err != nil {
		return nil, err
	}
	defer closeRedis()
	probe := &lagProbe{c: rc}
	pctx, stopProbe := context.WithCancel(ctx)
	probeDone := make(chan struct{})
	go func() { defer close(probeDone); probe.run(pctx) }()
	defer func() { stopProbe(); <-probeDone }()

	// Create every title (unmeasured) and wait until all are projected.
	for _, t := range all[:lagClients*lagTitlesPerClient] {
		if _, err := command.UpsertContent(srv.asAdmin(ctx), &pb.UpsertContentRequest{Content: contentPB(t.content)}); err != nil {
			return nil, fmt.Errorf("create title: %w", err)
		}
		t.version = 1
		probe.add(&lagWait{key: "content:" + t.content.ID, version: 1, since: time.Now()})
	}
	if err := waitProbe(ctx, probe); err != nil {
		return nil, err
	}

	start := time.Now()
	measureFrom, end := start.Add(lagWarmup), start.Add(lagWarmup+measure)
	// The histogram is read when the measured window opens and once everything is visible after it closes.
	var metrics0 lagHistogram
	scraped := make(chan error, 1)
	go func() {
		time.Sleep(time.Until(measureFrom))
		var err error
		metrics0, err = scrapeLagMetric(ctx, srv.built.Server.OpsAddr())
		scraped <- err
	}()
	interval := time.Duration(float64(time.Second) * float64(lagClients) / lagRate)
	var mu sync.Mutex
	var cmdLat []time.Duration
	var late, commands int
	var wg sync.WaitGroup
	errs := make([]error, lagClients+1)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for c := range lagClients + 1 {
		wg.Go(func() {
			crng := rand.New(rand.NewPCG(uint64(c), 10))
			// Clients start spread over one interval, so commands arrive evenly rather than in bursts of 9.
			next := start.Add(interval * time.Duration(c) / time.Duration(lagClients+1))
			for k := 0; runCtx.Err() == nil; k++ {
				if wait := time.Until(next); wait > 0 {
					time.Sleep(wait)
				} else if wait < -interval/2 {
					mu.Lock()
					late++
					mu.Unlock()
				}
				now := time.Now()
				if now.After(end) {
					return
				}
				next = next.Add(interval)
				t := owned[c][k%lagTitlesPerClient]
				measured := now.After(measureFrom)
				kind := kindUpsert
				var err error
				switch {
				case c == lagClients:
					kind = kindDirect
					t.content.Version = t.version + 1
					t.content.UpdatedAt = now
					err = srv.built.ReadModels.PutContent(runCtx, t.content)
				case crng.Float64() < lagRateShare:
					kind = kindRate
					_, err = command.RateContent(srv.asAdmin(runCtx), &pb.RateContentRequest{UserId: raters[crng.IntN(len(raters))],
						ContentId: t.content.ID, Stars: int32(1 + crng.IntN(5))})
				default:
					t.content.Description = fmt.Sprintf("a title of the projection lag benchmark, edit %d", k)
					_, err = command.UpsertContent(srv.asAdmin(runCtx), &pb.UpsertContentRequest{Content: contentPB(t.content)})
				}
				answered := time.Now()
				if err != nil {
					errs[c] = fmt.Errorf("client %d: %w", c, err)
					cancel()
					return
				}
				// A rating leaves the title's version alone: its figures reach Redis through the coalesced aggregate
				// (rate_content_hot measures that), so ratings here are load for the relay, not probed.
				if kind != kindRate {
					t.version++
					probe.add(&lagWait{key: "content:" + t.content.ID, version: t.version, since: answered, kind: kind, measured: measured})
				}
				if measured && kind != kindDirect {
					mu.Lock()
					cmdLat = append(cmdLat, answered.Sub(now))
					commands++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := waitProbe(ctx, probe); err != nil {
		return nil, err
	}
	if err := <-scraped; err != nil {
		return nil, err
	}
	metrics1, err := scrapeLagMetric(ctx, srv.built.Server.OpsAddr())
	if err != nil {
		return nil, err
	}
	if err := checkLagVersions(ctx, srv, all[:lagClients*lagTitlesPerClient]); err != nil {
		return nil, err
	}

	probe.mu.Lock()
	defer probe.mu.Unlock()
	ours := &latSide{lat: slices.Clone(probe.lat[kindUpsert])}
	base := &latSide{lat: probe.lat[kindDirect]}
	if len(ours.lat) == 0 || len(base.lat) == 0 {
		return nil, fmt.Errorf("no lag measured (%d commands, %d direct writes)", len(ours.lat), len(base.lat))
	}
	kindP := func(k lagKind) string {
		l := load{lat: probe.lat[k]}
		return fmt.Sprintf("%d samples, p50 %.1f ms, p99 %.1f ms", len(l.lat), ms(l.percentile(.5)), ms(l.percentile(.99)))
	}
	metric := metrics1.minus(metrics0)
	conditions := fmt.Sprintf("%d clients calling the server (gRPC, admin token, projections on: outbox relay with "+
		"%d partitions, %d workers, batch %d, poll %s + NOTIFY, projectors Neo4j → search → Redis, in the server "+
		"process) at a paced %d commands/s in total (%.0f%% RateContent by %d users, the rest UpsertContent; each "+
		"client owns %d titles, so it knows each command's version), %s warm-up then %s measured (%d commands, "+
		"%d started late); lag = first probe read of the title's Redis read model (content:{id} v:content, every "+
		"%s, one pipelined HGET per waiting command) at the command's version − the command's answer "+
		"(commit precedes the answer, so this slightly understates commit-to-visible); UpsertContent: %s; "+
		"RateContent (not probed: a rating changes no version; its RatingChanged events are relayed, its figures are coalesced, see rate_content_hot); command latency p50 %.1f ms, p99 %.1f ms; baseline = the probe's floor under the same "+
		"load: one more client writes its own %d titles' read models directly with ReadModel.PutContent at the "+
		"same per-client pace and the same probe times them (%s) — there is no raw equivalent of an asynchronous "+
		"projection; the server's outbox_projection_lag_seconds (outbox insert's transaction start → every "+
		"projector done, PostgreSQL clock) from the window's start until all was visible: %s; fresh PostgreSQL schema, throwaway search "+
		"alias %s, the stack's Neo4j and Redis (the benchmark's titles and users deleted afterwards); %s",
		lagClients, cfg.OutboxPartitions, cfg.OutboxWorkers, cfg.OutboxBatch, cfg.OutboxPoll, lagRate,
		100*lagRateShare, lagRaters, lagTitlesPerClient, lagWarmup, measure, commands, late, lagPoll,
		kindP(kindUpsert), ms(load{lat: cmdLat}.percentile(.5)), ms(load{lat: cmdLat}.percentile(.99)),
		lagTitlesPerClient, kindP(kindDirect), metric, alias, machine())
	// A paced load, not closed-loop workers: there is no two-worker variant of this measure.
	return latencyResults("projection_lag", ours, base, nil, nil, conditions), nil
}

// waitProbe waits until the probe has seen every pending change, and fails on anything it could not see.
func waitProbe(ctx context.Context, p *lagProbe) error {
	deadline := time.Now().Add(lagTimeout + time.Second)
	for p.waiting() > 0 {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%d changes still not visible in the read models", p.waiting())
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.failures) > 0 {
		return fmt.Errorf("%d changes not seen, e.g. %s", len(p.failures), p.failures[0])
	}
	return nil
}

// checkLagVersions confirms the clients' version bookkeeping against PostgreSQL.
func checkLagVersions(ctx context.Context, srv *server, titles []*lagTitle) error {
	ids := make([]string, len(titles))
	for i, t := range titles {
		ids[i] = t.content.ID
	}
	rows, err := srv.built.Pool.Query(ctx, `SELECT id::text, version FROM content WHERE id = ANY($1::uuid[])`, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	got := map[string]int64{}
	for rows.Next() {
		var id string
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		got[id] = v
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range titles {
		if got[t.content.ID] != t.version {
			return fmt.Errorf("title %s is at version %d in PostgreSQL, the client counted %d", t.content.ID, got[t.content.ID], t.version)
		}
	}
	return nil
}

// cleanUpLag deletes what the benchmark wrote outside its PostgreSQL schema: the throwaway search index, the
// titles' and raters' nodes in Neo4j, the titles' Redis read models.
func cleanUpLag(srv *server, alias string, titles []*lagTitle, raters []string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ids := make([]string, len(titles))
	keys := make([]string, len(titles))
	for i, t := range titles {
		ids[i], keys[i] = t.content.ID, "content:"+t.content.ID
	}
	var errs []error
	if err := deleteSearchIndex(ctx, srv.cfg.SearchURLs[0], alias); err != nil {
		errs = append(errs, err)
	}
	rc := srv.built.Redis
	if err := rc.Do(ctx, rc.B().Del().Key(keys...).Build()).Error(); err != nil {
		errs = append(errs, err)
	}
	if drv, closeDrv, err := openNeo4j(ctx, srv.cfg); err != nil {
		errs = append(errs, err)
	} else {
		_, err := neo4j.ExecuteQuery(ctx, drv, `
			UNWIND $ids AS id MATCH (c:Content {id: id}) DETACH DELETE c
			WITH count(*) AS _
			UNWIND $users AS id MATCH (u:User {id: id}) DETACH DELETE u`,
			map[string]any{"ids": ids, "users": raters}, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(srv.cfg.Neo4jDatabase), neo4j.ExecuteQueryWithWritersRouting())
		if err != nil {
			errs = append(errs, err)
		}
		closeDrv()
	}
	for _, err := range errs {
		fmt.Fprintln(os.Stderr, "bench: projection_lag clean-up:", err)
	}
}

// lagHistogram is the outbox_projection_lag_seconds histogram as scraped: cumulative bucket counts by upper bound.
type lagHistogram struct {
	le    []float64
	count []float64
	sum   float64
	total float64
}

func (h lagHistogram) minus(o lagHistogram) lagHistogram {
	d := lagHistogram{le: h.le, count: slices.Clone(h.count), sum: h.sum - o.sum, total: h.total - o.total}
	for i := range d.count {
		if i < len(o.count) {
			d.count[i] -= o.count[i]
		}
	}
	return d
}

// String gives the count, the mean and the bucket bounds of the median and the 99th percentile.
func (h lagHistogram) String() string {
	if h.total == 0 {
		return "no observations"
	}
	bound := func(p float64) string {
		for i, c := range h.count {
			if c >= p*h.total {
				return fmt.Sprintf("≤ %g s", h.le[i])
			}
		}
		return "> last bucket"
	}
	return fmt.Sprintf("%.0f events, mean %.1f ms, p50 %s, p99 %s", h.total, 1000*h.sum/h.total, bound(.5), bound(.99))
}

// scrapeLagMetric reads the histogram from the server's /metrics (the Prometheus text format).
func scrapeLagMetric(ctx context.Context, addr string) (lagHistogram, error) {
	var h lagHistogram
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return h, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return h, err
	}
	defer res.Body.Close()
	const name = "outbox_projection_lag_seconds"
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return h, fmt.Errorf("metrics line %q: %w", line, err)
		}
		switch series := line[:i]; {
		case strings.HasPrefix(series, name+`_bucket{le="`):
			le := strings.TrimSuffix(strings.TrimPrefix(series, name+`_bucket{le="`), `"}`)
			bound, err := strconv.ParseFloat(le, 64) // "+Inf" parses as +Inf
			if err != nil {
				return h, fmt.Errorf("metrics line %q: %w", line, err)
			}
			h.le, h.count = append(h.le, bound), append(h.count, v)
		case series == name+"_sum":
			h.sum = v
		case series == name+"_count":
			h.total = v
		}
	}
	if err := sc.Err(); err != nil {
		return h, err
	}
	if h.le == nil {
		return h, fmt.Errorf("no %s on http://%s/metrics", name, addr)
	}
	return h, nil
}
