package main

// What the two ingest benchmarks share: playback events of realistic content, requests encoded once before the
// run, our gRPC server with the ingest pipeline over a chosen PlaybackWriter, a client that sends the requests over
// concurrent client-streaming calls, and rounds in ABBA order.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/grpcapi"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/ingest"
	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/telemetry"
	"github.com/streamingplatform/streaming/server/wiring"
)

// Events are spread uniformly over users × titlesPerUser (user, title) partitions, like many viewers' devices
// reporting through one service at once.
const (
	ingestUsers   = 2000
	titlesPerUser = 5
	catalogSize   = 1000
)

func uuids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = uuid.NewString()
	}
	return out
}

// playbackEvents makes n events of users watching titlesPerUser titles each from titles, with fresh event ids,
// times within the last hour (well inside the accepted window), valid qualities, and each user watching each of
// their titles on one device (drawn once per user and title), as a viewer's player reports a title it plays: a
// viewing of the roll-ups and trending is a viewer, title, hour and device, and drawing the device per event made
// five times the viewings a real audience makes.
func playbackEvents(rng *rand.Rand, n int, users, titles []string) []streaming.PlaybackEvent {
	now := time.Now()
	devices := make([]string, len(users)*titlesPerUser) // each (user, title)'s device
	for i := range devices {
		devices[i] = streaming.Devices[rng.IntN(len(streaming.Devices))]
	}
	out := make([]streaming.PlaybackEvent, n)
	for i := range out {
		u := rng.IntN(len(users))
		slot := u*titlesPerUser + rng.IntN(titlesPerUser)
		out[i] = streaming.PlaybackEvent{
			EventID: uuid.NewString(), UserID: users[u],
			ContentID:     titles[slot%len(titles)],
			OccurredAt:    now.Add(-time.Duration(rng.Int64N(int64(time.Hour)))),
			PlayedSeconds: rng.Int32N(61), PositionSeconds: rng.Int32N(7200),
			Device:    devices[slot],
			Quality:   streaming.Qualities[rng.IntN(len(streaming.Qualities))],
			Completed: rng.IntN(50) == 0,
		}
	}
	return out
}

// request is an IngestPlaybackEventsRequest marshalled once; preEncoded sends it as it is.
type request struct {
	wire   []byte
	events int
}

// encodeRequests marshals events as requests of batch events each (the last may be shorter).
func encodeRequests(events []streaming.PlaybackEvent, batch int) ([]*request, error) {
	var out []*request
	for c := range slices.Chunk(events, batch) {
		m := &pb.IngestPlaybackEventsRequest{Events: make([]*pb.PlaybackEvent, len(c))}
		for i, e := range c {
			// The contract's enums list devices and qualities in the domain's order, from 1.
			m.Events[i] = &pb.PlaybackEvent{EventId: e.EventID, UserId: e.UserID, ContentId: e.ContentID,
				OccurTime: timestamppb.New(e.OccurredAt), PlayedSeconds: e.PlayedSeconds, PositionSeconds: e.PositionSeconds,
				Device:    pb.Device(slices.Index(streaming.Devices, e.Device) + 1),
				Quality:   pb.VideoQuality(slices.Index(streaming.Qualities, e.Quality) + 1),
				Completed: e.Completed}
		}
		b, err := proto.Marshal(m)
		if err != nil {
			return nil, err
		}
		out = append(out, &request{wire: b, events: len(c)})
	}
	return out, nil
}

// preEncoded is the client's codec: requests go out as the bytes encoded before the run (so sending costs no
// marshalling on either side of a comparison), responses are decoded as protobuf. The server sees ordinary
// protobuf.
type preEncoded struct{}

func (preEncoded) Name() string                    { return "proto" }
func (preEncoded) Marshal(v any) ([]byte, error)   { return v.(*request).wire, nil }
func (preEncoded) Unmarshal(b []byte, v any) error { return proto.Unmarshal(b, v.(proto.Message)) }

// target is a gRPC server under test and the client connection to it.
type target struct {
	conn      *grpc.ClientConn
	tracing   *telemetry.Tracing      // our server's tracing (off unless configured); nil for the bare servers
	reg       *prometheus.Registry    // our server's metrics; nil for the bare servers
	observers []*ingest.AsyncObserver // our server's derived-update buffers
	stop      func()
}

// dropped is how many events each derived-update buffer of our server has dropped (full buffer), in order.
func (t *target) dropped() []uint64 {
	out := make([]uint64, len(t.observers))
	for i, o := range t.observers {
		out[i] = o.Dropped()
	}
	return out
}

// syncDerived applies at once what our server's derived-update buffers hold, and waits for it: a side that ends its
// round with it pays for its own derived updates (otherwise what gathered at the end of its round would be applied
// during the next side's). Forcing the apply can only cost more than the buffers' own gathering would.
func (t *target) syncDerived(ctx context.Context) error {
	for _, o := range t.observers {
		if err := o.Sync(ctx); err != nil {
			return err
		}
	}
	return nil
}

// observerFactory builds the derived updates of our server's pipeline on its registry: the fan-out the pipeline
// calls and the buffers to close after it.
type observerFactory func(reg prometheus.Registerer, log *slog.Logger) (streaming.PlaybackObserver, []*ingest.AsyncObserver)

// noDerivedUpdates is streamingd's fan-out to two asynchronous observers with nothing applied: the pipeline pays for
// folding events into viewings and handing them over, as it does in streamingd.
func noDerivedUpdates(_ prometheus.Registerer, log *slog.Logger) (streaming.PlaybackObserver, []*ingest.AsyncObserver) {
	os := []*ingest.AsyncObserver{
		ingest.NewAsyncObserver(100_000, func([]streaming.Viewing) error { return nil }, nil, log),
		ingest.NewAsyncObserver(100_000, func([]streaming.Viewing) error { return nil }, nil, log),
	}
	return ingest.FanOut(os), os
}

// partitionWrites reads from our server's metrics how many partition writes the pipeline has made and how many
// events they carried.
func (t *target) partitionWrites() (writes, events uint64, err error) {
	mfs, err := t.reg.Gather()
	if err != nil {
		return 0, 0, err
	}
	for _, mf := range mfs {
		if mf.GetName() == "ingest_write_batch_events" {
			h := mf.GetMetric()[0].GetHistogram()
			return h.GetSampleCount(), uint64(h.GetSampleSum()), nil
		}
	}
	return 0, 0, errors.New("no ingest_write_batch_events metric")
}

// applies reads from our server's metrics how often the derived update named update has been applied (its lag
// histogram's count; 0 when it has not).
func (t *target) applies(update string) (uint64, error) {
	mfs, err := t.reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, mf := range mfs {
		if mf.GetName() != "ingest_derived_update_lag_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "update" && l.GetValue() == update {
					return m.GetHistogram().GetSampleCount(), nil
				}
			}
		}
	}
	return 0, nil
}

// counters reads counters of our server's metrics, in the order named (0 for one not registered).
func (t *target) counters(names ...string) ([]float64, error) {
	mfs, err := t.reg.Gather()
	if err != nil {
		return nil, err
	}
	values := make([]float64, len(names))
	for _, mf := range mfs {
		if i := slices.Index(names, mf.GetName()); i >= 0 {
			values[i] = mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return values, nil
}

func dial(addr string) (*grpc.ClientConn, error) {
	return grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
}

// startIngestServer starts our gRPC server in-process on loopback through wiring.NewServer and wiring.NewPipeline,
// the functions streamingd itself is built with (interceptors, auth, validation, ingest service, transport), except
// that the pipeline writes to w and its derived updates are what derived builds (noDerivedUpdates, or
// wiring.PlaybackObservers over the stores as streamingd wires them). It returns the target and the service
// credential to send.
func startIngestServer(w streaming.PlaybackWriter, derived observerFactory) (*target, metadata.MD, error) {
	return startTracedIngestServer(w, derived, nil)
}

// startTracedIngestServer is startIngestServer with tune applied to the configuration first (nil: none) and the
// tracing that configuration sets up (wiring.Tracing: off unless an OTLP endpoint is set), as streamingd wires it.
func startTracedIngestServer(w streaming.PlaybackWriter, derived observerFactory, tune func(*config.Config)) (*target, metadata.MD, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, nil, err
	}
	if tune != nil {
		tune(&cfg)
	}
	tracing, err := wiring.Tracing(context.Background(), cfg)
	if err != nil {
		return nil, nil, err
	}
	token := "bench-service-" + randomHex(16)
	cfg.GRPCAddr, cfg.HTTPAddr, cfg.OpsAddr, cfg.ServiceToken, cfg.AdminToken = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", token, ""
	cfg.ShutdownGrace = 5 * time.Second
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	registry := prometheus.NewRegistry()
	observer, observers := derived(registry, log)
	pipeline := wiring.NewPipeline(cfg, w, observer, registry, log, tracing)
	srv, err := wiring.NewServer(cfg, log, wiring.Parts{Registry: registry, Command: &grpcapi.CommandServer{},
		Query: &grpcapi.QueryServer{}, Pipeline: pipeline, Tracing: tracing})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Run(ctx); err != nil {
			slog.Error("bench: server stopped", "err", err)
		}
	}()
	closeAll := func() {
		cancel()
		<-done
		cctx, ccancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer ccancel()
		pipeline.Close(cctx)
		for _, o := range observers {
			o.Close(cctx)
		}
		tracing.Shutdown(cctx)
	}
	conn, err := dial(srv.GRPCAddr())
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return &target{conn: conn, reg: registry, observers: observers, tracing: tracing, stop: func() { conn.Close(); closeAll() }},
		metadata.Pairs("authorization", "Bearer "+token), nil
}

// bareIngest is the baseline server: the same service on plain grpc-go, no interceptors, IngestPlaybackEvents
// only receives (decoding each request) and counts the events.
type bareIngest struct {
	pb.UnimplementedIngestServiceServer
}

func (bareIngest) IngestPlaybackEvents(stream grpc.ClientStreamingServer[pb.IngestPlaybackEventsRequest, pb.IngestPlaybackEventsResponse]) error {
	var n int64
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&pb.IngestPlaybackEventsResponse{Accepted: n})
		}
		if err != nil {
			return err
		}
		n += int64(len(m.GetEvents()))
	}
}

// bareCodecIngest is the second baseline: plain grpc-go, no interceptors, decoding with our codec as our server
// does (wire.NewCodec, each request received into a wire.Batch of domain events), and only counting the events.
// Against it, the ratio is what everything after decoding costs: checks, ownership, the pipeline, the tickets.
type bareCodecIngest struct {
	pb.UnimplementedIngestServiceServer
}

func (bareCodecIngest) IngestPlaybackEvents(stream grpc.ClientStreamingServer[pb.IngestPlaybackEventsRequest, pb.IngestPlaybackEventsResponse]) error {
	var n int64
	for {
		var b wire.Batch
		err := stream.RecvMsg(&b)
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&pb.IngestPlaybackEventsResponse{Accepted: n})
		}
		if err != nil {
			return err
		}
		n += int64(len(b.Events))
	}
}

// startBareServer serves the bare service on loopback with the given largest request (our server's MaxRecvBytes):
// with grpc-go's standard protobuf decoder (bareIngest), or with our codec (bareCodecIngest).
func startBareServer(maxRecv int, ourCodec bool) (*target, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	opts := []grpc.ServerOption{grpc.MaxRecvMsgSize(maxRecv)}
	var svc pb.IngestServiceServer = bareIngest{}
	if ourCodec {
		opts = append(opts, grpc.ForceServerCodecV2(wire.NewCodec()))
		svc = bareCodecIngest{}
	}
	s := grpc.NewServer(opts...)
	pb.RegisterIngestServiceServer(s, svc)
	go s.Serve(lis)
	conn, err := dial(lis.Addr().String())
	if err != nil {
		s.Stop()
		return nil, err
	}
	return &target{conn: conn, stop: func() { conn.Close(); s.Stop() }}, nil
}

// sendStreams sends reqs over streams concurrent IngestPlaybackEvents calls (request i on call i % streams), each
// with md, and checks that each call's response accepted every event it sent and rejected none.
func sendStreams(ctx context.Context, conn *grpc.ClientConn, md metadata.MD, reqs []*request, streams int) error {
	ctx, cancel := context.WithCancel(metadata.NewOutgoingContext(ctx, md))
	defer cancel()
	client := pb.NewIngestServiceClient(conn)
	errs := make([]error, streams)
	var wg sync.WaitGroup
	for s := range streams {
		wg.Go(func() {
			if errs[s] = sendStream(ctx, client, reqs, s, streams); errs[s] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func sendStream(ctx context.Context, client pb.IngestServiceClient, reqs []*request, first, step int) error {
	stream, err := client.IngestPlaybackEvents(ctx, grpc.ForceCodec(preEncoded{}))
	if err != nil {
		return err
	}
	var sent int64
	for i := first; i < len(reqs); i += step {
		if err := stream.SendMsg(reqs[i]); err != nil {
			break // the call ended: CloseAndRecv returns its status
		}
		sent += int64(reqs[i].events)
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return err
	}
	if resp.GetAccepted() != sent || resp.GetRejected() != 0 {
		return fmt.Errorf("%d of %d events accepted, %d rejected (first rejections: %v)",
			resp.GetAccepted(), sent, resp.GetRejected(), resp.GetRejections()[:min(3, len(resp.GetRejections()))])
	}
	return nil
}

// side is one contender of a benchmark: round r sends or writes that round's events and returns how many.
type side struct {
	name    string
	round   func(ctx context.Context, r int) (events int, err error)
	rounds  int // rounds completed
	events  int
	elapsed time.Duration
	cpu     cpuTimes // CPU spent during its rounds (see readCPU)
}

func (s *side) perSecond() float64 { return float64(s.events) / s.elapsed.Seconds() }

// measureABBA runs every side's rounds in cycles of palindromic order (A B C C B A …), so drift over the run
// (memtables filling, compaction, other work on the shared machine) weighs on every side alike; each cycle gives a
// side two rounds. A side that has spent sideCap in total skips its remaining rounds: its rate stands on the rounds
// it completed. roundCap bounds one round (a hang, not a slow side).
func measureABBA(ctx context.Context, sides []*side, cycles int, sideCap, roundCap time.Duration) error {
	mirror := slices.Clone(sides)
	slices.Reverse(mirror)
	order := slices.Concat(sides, mirror)
	for range cycles {
		for _, s := range order {
			if s.elapsed >= sideCap {
				continue
			}
			rctx, cancel := context.WithTimeout(ctx, roundCap)
			cpu0, start := readCPU(), time.Now()
			n, err := s.round(rctx, s.rounds)
			elapsed, cpu := time.Since(start), readCPU().sub(cpu0)
			cancel()
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", s.name, s.rounds, err)
			}
			s.rounds++
			s.events += n
			s.elapsed += elapsed
			if s.rounds == 1 {
				s.cpu = cpu
			} else {
				s.cpu = s.cpu.add(cpu)
			}
		}
	}
	return nil
}
