package main

// tracing: what tracing costs the two hot paths, measured against the same server with tracing off in the same run.
// Three servers of each kind, built as streamingd is: tracing off (no exporter, no instrumentation installed),
// sampling 1% and sampling 100%, both exporting over OTLP to the stack's Jaeger (`stack up jaeger`). Rounds alternate
// in palindromic cycles (off, 1%, 100%, 100%, 1%, off, ...), so drift weighs on every side alike.
// - tracing_create_subscription_<r>: CreateSubscription calls per second (as create_subscription, projections off).
// - tracing_ingest_frontend_<r>: playback events per second through IngestPlaybackEvents (as ingest_frontend: 4
//   streams of 500-event requests, the pipeline over ingest.DiscardWriter).
// Ratio = traced ÷ off: 1 - ratio is the cost. Each round ends by exporting the spans it left buffered and collecting
// its garbage (settle), inside its measured time.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/ingest"
	"github.com/streamingplatform/streaming/server/telemetry"
)

const (
	traceSubPerSide    = 3000 // measured subscriptions per side
	traceSubWarmup     = 200
	traceFrontPerSide  = 8_000_000 // measured events per side: rounds of 2M (about a second untraced; at 500k, 1% measured 0.77–1.00 of off)
	traceFrontWarmup   = 200_000
	traceCycles        = 2 // palindromic cycles: 4 rounds per side
	traceFrontStreams  = 4
	traceFrontBatch    = 500
	traceStreamBatches = 100 // requests per stream: 40 streams per round, 160 per side
	traceServiceName   = "streamingd-bench"
	traceSideCap       = 60 * time.Second
	traceRoundCap      = 2 * time.Minute
	traceFrontSideCap  = 40 * time.Second
	traceFrontRoundCap = time.Minute
)

// traceSettings are the sides: tracing off, then the sampling ratios measured against it.
var traceSettings = []struct {
	name  string
	ratio float64 // < 0: tracing off
}{{"off", -1}, {"1pct", 0.01}, {"100pct", 1}}

func tracingCost(ctx context.Context) ([]Result, error) {
	st, err := stackenv.Load()
	if err != nil {
		return nil, err
	}
	endpoint := st.JaegerOTLPAddr()
	if c, err := net.DialTimeout("tcp", endpoint, 2*time.Second); err != nil {
		return nil, fmt.Errorf("tracing: Jaeger's OTLP receiver does not answer at %s (%v): start it with `go tool task stack:up -- jaeger`", endpoint, err)
	} else {
		c.Close()
	}
	tune := func(ratio float64) func(*config.Config) {
		return func(c *config.Config) {
			if ratio >= 0 {
				c.OTelEndpoint, c.OTelSampleRatio, c.OTelServiceName = endpoint, ratio, traceServiceName
			} else {
				c.OTelEndpoint = ""
			}
		}
	}
	subs, err := tracingSubscriptions(ctx, tune)
	if err != nil {
		return nil, err
	}
	front, err := tracingFrontend(ctx, tune)
	if err != nil {
		return nil, err
	}
	return append(subs, front...), nil
}

func tracingSubscriptions(ctx context.Context, tune func(float64) func(*config.Config)) ([]Result, error) {
	pgURL, drop, err := benchSchema(ctx)
	if err != nil {
		return nil, err
	}
	defer drop()
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	for _, ts := range traceSettings {
		t := tune(ts.ratio)
		srv, err := startServer(ctx, pgURL, func(c *config.Config) { c.ReadModelsEnabled = false; t(c) })
		if err != nil {
			return nil, fmt.Errorf("server, tracing %s: %w", ts.name, err)
		}
		servers = append(servers, srv)
	}
	plan, err := pb.NewCommandServiceClient(servers[0].conn).CreatePlan(servers[0].asAdmin(ctx), &pb.CreatePlanRequest{
		Name: "Bench", MonthlyPrice: "9.99", Currency: "USD", MaxStreams: 2, MaxQuality: pb.VideoQuality_VIDEO_QUALITY_HD, Available: true})
	if err != nil {
		return nil, fmt.Errorf("create plan: %w", err)
	}
	planID := plan.GetPlan().GetId()
	users, err := insertUsers(ctx, servers[0].built.Pool, len(servers)*(traceSubWarmup+traceSubPerSide))
	if err != nil {
		return nil, err
	}
	chunk := traceSubPerSide / (2 * traceCycles)
	sides := make([]*side, len(servers))
	for k, srv := range servers {
		client := pb.NewCommandServiceClient(srv.conn)
		mine := users[k*(traceSubWarmup+traceSubPerSide) : (k+1)*(traceSubWarmup+traceSubPerSide)]
		subscribe := func(users []string) func(context.Context, int) error {
			return func(ctx context.Context, i int) error {
				_, err := client.CreateSubscription(srv.asAdmin(ctx), &pb.CreateSubscriptionRequest{UserId: users[i],
					PlanId: planID, PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD, PaymentToken: subToken,
					IdempotencyKey: uuid.NewString()})
				return err
			}
		}
		if _, err := runLoad(ctx, traceSubWarmup, subConcurrency, subRoundCap, subscribe(mine[:traceSubWarmup])); err != nil {
			return nil, fmt.Errorf("tracing %s warm-up: %w", traceSettings[k].name, err)
		}
		measured := mine[traceSubWarmup:]
		sides[k] = &side{name: "tracing " + traceSettings[k].name, round: func(ctx context.Context, r int) (int, error) {
			users := measured[r*chunk : (r+1)*chunk]
			if _, err := runLoad(ctx, len(users), subConcurrency, traceRoundCap, subscribe(users)); err != nil {
				return 0, err
			}
			return len(users), settle(ctx, srv.built.Tracing)
		}}
	}
	if err := measureABBA(ctx, sides, traceCycles, traceSideCap, traceRoundCap); err != nil {
		return nil, err
	}
	conditions := fmt.Sprintf("CreateSubscription as create_subscription measures it (projections off, %d concurrent "+
		"workers, fresh users inserted directly, admin token), %d subscriptions per side after %d warm-up, in %d "+
		"palindromic cycles of the three servers (off, 1%%, 100%%) over one database schema; traced servers export "+
		"over OTLP/gRPC to the stack's Jaeger (batch span processor, parent-based ratio sampling); %s",
		subConcurrency, sides[0].events, traceSubWarmup, traceCycles, machine())
	return tracingResults("tracing_create_subscription", "ops/s", sides, conditions), nil
}

func tracingFrontend(ctx context.Context, tune func(float64) func(*config.Config)) ([]Result, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	events := playbackEvents(rng, frontDistinct, uuids(ingestUsers), uuids(catalogSize))
	pool, err := encodeRequests(events, traceFrontBatch)
	if err != nil {
		return nil, err
	}
	requests := cycling(pool)
	perRound := traceFrontPerSide / (2 * traceCycles) / traceFrontBatch
	sides := make([]*side, len(traceSettings))
	for k, ts := range traceSettings {
		t, md, err := startTracedIngestServer(ingest.DiscardWriter{}, noDerivedUpdates, tune(ts.ratio))
		if err != nil {
			return nil, fmt.Errorf("ingest server, tracing %s: %w", ts.name, err)
		}
		defer t.stop()
		if err := sendStreams(ctx, t.conn, md, requests(0, traceFrontWarmup/traceFrontBatch), traceFrontStreams); err != nil {
			return nil, fmt.Errorf("tracing %s warm-up: %w", ts.name, err)
		}
		sides[k] = &side{name: "tracing " + ts.name, round: func(ctx context.Context, r int) (int, error) {
			// Many short streams, traceFrontStreams at a time: a sampled stream is traced whole, so with a few long
			// ones the 1% entry measured whether one of them happened to be sampled (each cost about a tenth).
			reqs := requests(r*perRound, perRound)
			for c := range slices.Chunk(reqs, traceStreamBatches*traceFrontStreams) {
				if err := sendStreams(ctx, t.conn, md, c, traceFrontStreams); err != nil {
					return 0, err
				}
			}
			return perRound * traceFrontBatch, settle(ctx, t.tracing)
		}}
	}
	if err := measureABBA(ctx, sides, traceCycles, traceFrontSideCap, traceFrontRoundCap); err != nil {
		return nil, err
	}
	conditions := fmt.Sprintf("IngestPlaybackEvents as ingest_frontend measures it (%d streams, requests of %d events, "+
		"the pipeline over ingest.DiscardWriter, streamingd's fan-out to two observers applying nothing), %d events per "+
		"side in rounds of %d (streams of %d requests, %d at a time) after %d warm-up, %d palindromic cycles of the three servers (off, 1%%, 100%%), each round ended once its spans were exported and the machine was quiet again; traced "+
		"servers: a span per stream, per received batch and per partition write, exported over OTLP/gRPC to the stack's "+
		"Jaeger; MaxRecvMsgSize=%d; %s",
		traceFrontStreams, traceFrontBatch, sides[0].events, perRound*traceFrontBatch, traceStreamBatches, traceFrontStreams,
		traceFrontWarmup, traceCycles,
		cfg.MaxRecvBytes, machine())
	return tracingResults("tracing_ingest_frontend", "events/s", sides, conditions), nil
}

// settle ends a round inside its own measured time: the spans the round left in the exporter's buffer are exported,
// and its garbage collected. Otherwise the 100% side's export backlog and garbage would be paid for by whichever
// side runs next (measured: 1% at 0.71 of off when it followed 100%, 1.06 without a 100% side).
func settle(ctx context.Context, t *telemetry.Tracing) error {
	if err := t.Flush(ctx); err != nil {
		return fmt.Errorf("export the round's spans: %w", err)
	}
	runtime.GC()
	// Jaeger stores what it was sent after answering: without waiting, the round after a 100% round (a 1% one,
	// in the palindromic order) shared the cores with that backlog and measured 0.77-0.88 of tracing off.
	quiesce(ctx, quietWait)
	return nil
}

// quietWait bounds how long quiesce waits for the machine to go quiet.
const quietWait = 30 * time.Second

// quiesce waits until the machine's cores are nearly idle (at most a tenth of one core busy over 100 ms, read from
// /proc/stat), at most max or until ctx ends: the stores and Jaeger have finished what an earlier round left them.
// Where /proc/stat cannot be read it returns at once.
func quiesce(ctx context.Context, max time.Duration) {
	const window = 100 * time.Millisecond
	deadline := time.Now().Add(max)
	prev, err := machineBusy()
	for err == nil && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(window)
		var now time.Duration
		if now, err = machineBusy(); err == nil && now-prev <= window/10 {
			return
		}
		prev = now
	}
}

// tracingResults reports each traced side against the first (tracing off).
func tracingResults(prefix, unit string, sides []*side, conditions string) []Result {
	off := sides[0]
	var out []Result
	for k, s := range sides[1:] {
		out = append(out, Result{Name: prefix + "_" + traceSettings[k+1].name, Value: round(s.perSecond(), 1), Unit: unit,
			Baseline: round(off.perSecond(), 1), Ratio: ratio(s.perSecond(), off.perSecond()), Conditions: conditions})
	}
	return out
}
