package main

// ingest_frontend: playback events per second through IngestPlaybackEvents of our gRPC server (every interceptor,
// service-token auth, per-event validation and ownership, the ingest pipeline and its tickets) writing to
// ingest.DiscardWriter, against two bare grpc-go servers of the same service that only receive and count: one
// decoding with grpc-go's standard protobuf codec (ingest_frontend: is our whole stack ahead of the plain way?),
// one decoding with our codec into wire.Batch (ingest_frontend_vs_codec: what everything after decoding costs).
// All get the same requests, encoded once before the run, from the same client. Ratio = ours ÷ bare.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/ingest"
)

const (
	frontPerSide  = 4_000_000 // measured events per side and shape
	frontWarmup   = 200_000   // unmeasured events per side and shape first
	frontCycles   = 2         // ABBA cycles: 4 rounds per side
	frontDistinct = 64_000    // distinct events, cycled through
	frontSideCap  = 10 * time.Second
	frontRoundCap = time.Minute
)

// frontShapes are the client shapes measured; the first is reported as ingest_frontend (and
// ingest_frontend_vs_codec), the others with the shape in the name.
var frontShapes = []struct{ streams, batch int }{{4, 500}, {2, 500}, {4, 1000}}

func ingestFrontend(ctx context.Context) ([]Result, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	ours, md, err := startIngestServer(ingest.DiscardWriter{}, noDerivedUpdates)
	if err != nil {
		return nil, err
	}
	defer ours.stop()
	bare, err := startBareServer(cfg.MaxRecvBytes, false)
	if err != nil {
		return nil, err
	}
	defer bare.stop()
	bareCodec, err := startBareServer(cfg.MaxRecvBytes, true)
	if err != nil {
		return nil, err
	}
	defer bareCodec.stop()

	rng := rand.New(rand.NewPCG(1, 2))
	events := playbackEvents(rng, frontDistinct, uuids(ingestUsers), uuids(catalogSize))
	var results []Result
	for i, shape := range frontShapes {
		pool, err := encodeRequests(events, shape.batch)
		if err != nil {
			return nil, err
		}
		requests := cycling(pool)
		perRound := frontPerSide / (2 * frontCycles) / shape.batch
		sides := []*side{{name: "bare grpc-go"}, {name: "bare grpc-go, our codec"}, {name: "ours"}}
		for k, t := range []*target{bare, bareCodec, ours} {
			if err := sendStreams(ctx, t.conn, md, requests(0, frontWarmup/shape.batch), shape.streams); err != nil {
				return nil, fmt.Errorf("%s warm-up: %w", sides[k].name, err)
			}
			sides[k].round = func(ctx context.Context, r int) (int, error) {
				return perRound * shape.batch, sendStreams(ctx, t.conn, md, requests(r*perRound, perRound), shape.streams)
			}
		}
		writes0, events0, err := ours.partitionWrites()
		if err != nil {
			return nil, err
		}
		if err := measureABBA(ctx, sides, frontCycles, frontSideCap, frontRoundCap); err != nil {
			return nil, err
		}
		writes1, events1, err := ours.partitionWrites()
		if err != nil {
			return nil, err
		}
		b, bc, o := sides[0], sides[1], sides[2]
		name := "ingest_frontend"
		if i > 0 {
			name = fmt.Sprintf("ingest_frontend_s%d_b%d", shape.streams, shape.batch)
		}
		conditions := fmt.Sprintf("%d streams, requests of %d events; measured %d events ours, %d bare (standard "+
			"decoder, %.0f events/s), %d bare with our codec (%.0f events/s), in rounds of %d, %d palindromic cycles "+
			"of the three, after %d unmeasured warm-up events per side; ours made %.2f events per partition write on "+
			"average; %s",
			shape.streams, shape.batch, o.events, b.events, b.perSecond(), bc.events, bc.perSecond(),
			perRound*shape.batch, frontCycles, frontWarmup, float64(events1-events0)/float64(writes1-writes0),
			frontCommon(cfg))
		results = append(results,
			Result{Name: name, Value: round(o.perSecond(), 0), Unit: "events/s", Baseline: round(b.perSecond(), 0),
				Ratio: ratio(o.perSecond(), b.perSecond()), Conditions: conditions},
			Result{Name: name + "_vs_codec", Value: round(o.perSecond(), 0), Unit: "events/s",
				Baseline: round(bc.perSecond(), 0), Ratio: ratio(o.perSecond(), bc.perSecond()), Conditions: conditions})
	}
	return results, nil
}

func frontCommon(cfg config.Config) string {
	return fmt.Sprintf("client: concurrent IngestPlaybackEvents calls over one loopback HTTP/2 connection per "+
		"server, %d distinct events (%d users × %d titles, fresh event ids, occur_time within the last hour, one device per user and title, valid "+
		"enums) encoded once before the run and cycled, so neither side pays client marshalling; ours: wiring.NewServer "+
		"and wiring.NewPipeline, as streamingd is built (JSON log at info to io.Discard, Prometheus metrics, service-token auth, protovalidate), "+
		"ingest.Validate and ownership per event, ingest pipeline (QueueEvents=%d, Writers=%d, default MaxBatch/Linger) "+
		"over ingest.DiscardWriter, streamingd's fan-out to two asynchronous observers applying nothing; bare: grpc.NewServer without interceptors, Recv and count, "+
		"one with grpc-go's standard protobuf decoder (generated messages), one forcing our codec (wire.NewCodec, "+
		"RecvMsg into wire.Batch: domain events, the fast path); all servers: MaxRecvMsgSize=%d, grpc-go default flow-control windows (BDP estimation; grpcapi.New sets "+
		"none), default GC; %s",
		frontDistinct, ingestUsers, titlesPerUser, cfg.IngestQueueEvents, cfg.IngestWriters, cfg.MaxRecvBytes, machine())
}

// cycling returns a function giving n requests that cycle through pool from request first on.
func cycling(pool []*request) func(first, n int) []*request {
	return func(first, n int) []*request {
		out := make([]*request, n)
		for k := range out {
			out[k] = pool[(first+k)%len(pool)]
		}
		return out
	}
}
