package main

// ingest_flood: one user sending at ten times its ingest quota must not slow another user's ingest (issue 13).

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
)

const (
	floodPhase       = 15 * time.Second       // one phase (victim alone, or with the flood)
	floodCycles      = 2                      // palindromic: alone, flood, flood, alone per cycle
	floodEvery       = 100 * time.Millisecond // one request per user per tick
	victimBatch      = 5                      // 50 events/s: half its quota
	floodMultiple    = 10                     // the flooder sends ten times its quota
	floodTitlesCount = 5
)

// ingestFlood runs the shipped server with its default quotas. A victim user records a batch of its own events every
// 100 ms (half its quota), alone and while a flooder sends ten times its own quota, in palindromic phases; the
// victim's p99 with the flood is compared with its p99 alone. The flooder ignores the retry hints, as an abuser
// would; what it gets through is its quota.
func ingestFlood(ctx context.Context) ([]Result, error) {
	pgURL, drop, err := benchSchema(ctx)
	if err != nil {
		return nil, err
	}
	defer drop()
	srv, err := startServer(ctx, pgURL, nil)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	cfg := srv.cfg
	if cfg.IngestUserRate <= 0 {
		return nil, errors.New("ingest_flood: the shipped configuration has no per-user quota")
	}
	cmd, ingest := pb.NewCommandServiceClient(srv.conn), pb.NewIngestServiceClient(srv.conn)
	var titles []string
	for i := range floodTitlesCount {
		res, err := cmd.UpsertContent(srv.asAdmin(ctx), &pb.UpsertContentRequest{Content: &pb.Content{Id: uuid.NewString(),
			Title: fmt.Sprintf("Inundación %d", i), Type: pb.ContentType_CONTENT_TYPE_MOVIE, Genres: []string{"drama"}, ReleaseYear: 2024}})
		if err != nil {
			return nil, err
		}
		titles = append(titles, res.GetContent().GetId())
	}
	login := func(name string) (string, metadata.MD, error) {
		email := name + "-" + randomHex(6) + "@example.com"
		reg, err := cmd.RegisterUser(ctx, &pb.RegisterUserRequest{Email: email, Password: "correct horse battery",
			DisplayName: name, Country: "ES"})
		if err != nil {
			return "", nil, err
		}
		res, err := cmd.Login(ctx, &pb.LoginRequest{Email: email, Password: "correct horse battery"})
		if err != nil {
			return "", nil, err
		}
		return reg.GetUser().GetId(), metadata.Pairs("authorization", "Bearer "+res.GetToken()), nil
	}
	victim, victimMD, err := login("victim")
	if err != nil {
		return nil, err
	}
	flooder, flooderMD, err := login("flooder")
	if err != nil {
		return nil, err
	}
	batch := func(user string, n int) []*pb.PlaybackEvent {
		events := make([]*pb.PlaybackEvent, n)
		for i := range events {
			events[i] = &pb.PlaybackEvent{EventId: uuid.NewString(), UserId: user, ContentId: titles[i%len(titles)],
				OccurTime: timestamppb.New(time.Now().Add(-time.Second)), PlayedSeconds: 10, PositionSeconds: int32(i),
				Device: pb.Device_DEVICE_MOBILE, Quality: pb.VideoQuality_VIDEO_QUALITY_HD}
		}
		return events
	}
	floodBatch := int(cfg.IngestUserRate*floodMultiple*floodEvery.Seconds() + 0.5)

	// victimPhase records the victim's batches for d, timing each, and fails on any answer but all accepted.
	victimPhase := func(d time.Duration) (load, error) {
		var l load
		start := time.Now()
		t := time.NewTicker(floodEvery)
		defer t.Stop()
		for time.Since(start) < d {
			<-t.C
			call := time.Now()
			res, err := ingest.RecordPlaybackEvents(metadata.NewOutgoingContext(ctx, victimMD),
				&pb.RecordPlaybackEventsRequest{Events: batch(victim, victimBatch)})
			if err != nil || res.GetAccepted() != victimBatch {
				return l, fmt.Errorf("ingest_flood: the victim's batch: %v, %v", res, err)
			}
			l.lat = append(l.lat, time.Since(call))
			l.ops++
		}
		l.elapsed = time.Since(start)
		return l, nil
	}
	var alone, flooded load
	var floodSent, floodAccepted, floodRefused atomic.Int64
	var floodTime time.Duration
	for range floodCycles {
		for _, withFlood := range []bool{false, true, true, false} {
			fctx, stopFlood := context.WithCancel(ctx)
			var wg sync.WaitGroup
			if withFlood {
				wg.Go(func() {
					t := time.NewTicker(floodEvery)
					defer t.Stop()
					for {
						select {
						case <-fctx.Done():
							return
						case <-t.C:
						}
						res, err := ingest.RecordPlaybackEvents(metadata.NewOutgoingContext(fctx, flooderMD),
							&pb.RecordPlaybackEventsRequest{Events: batch(flooder, floodBatch)})
						floodSent.Add(int64(floodBatch))
						switch {
						case err == nil:
							floodAccepted.Add(res.GetAccepted())
						case status.Code(err) == codes.ResourceExhausted:
							floodRefused.Add(int64(floodBatch))
						}
					}
				})
			}
			l, err := victimPhase(floodPhase)
			stopFlood()
			wg.Wait()
			if err != nil {
				return nil, err
			}
			if withFlood {
				flooded.add(l)
				floodTime += l.elapsed
			} else {
				alone.add(l)
			}
		}
	}
	if floodRefused.Load() == 0 {
		return nil, errors.New("ingest_flood: the flooder was never refused: no quota at work")
	}
	conditions := fmt.Sprintf("the shipped server (wiring.Build, default settings: per-user quota %.0f events/s, burst %d; "+
		"Cassandra, derived updates on); a victim user records %d of its own events every %s (RecordPlaybackEvents, "+
		"half its quota) for %s per phase, alone and while a flooder sends %d events every %s (%d× its quota) and ignores "+
		"the retry hints; %d palindromic cycles (alone, flood, flood, alone); %d victim calls per side; the flooder sent "+
		"%d events, %d accepted (%.0f/s, its quota plus the burst), %d refused with ResourceExhausted; baseline = the "+
		"victim's latency alone; both users' calls over one loopback HTTP/2 connection; %s",
		cfg.IngestUserRate, cfg.IngestUserBurst, victimBatch, floodEvery, floodPhase, floodBatch, floodEvery,
		floodMultiple, floodCycles, alone.ops, floodSent.Load(), floodAccepted.Load(),
		float64(floodAccepted.Load())/floodTime.Seconds(), floodRefused.Load(), machine())
	var out []Result
	for _, q := range []struct {
		suffix string
		p      float64
	}{{"_p50", .5}, {"_p99", .99}} {
		f, a := ms(flooded.percentile(q.p)), ms(alone.percentile(q.p))
		out = append(out, Result{Name: "ingest_flood_victim" + q.suffix, Value: f, Unit: "ms", Baseline: a,
			Ratio: ratio(f, a), Conditions: conditions})
	}
	return out, nil
}
