package main

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"
)

// Both bare baselines receive every event and answer the count the client checks: the standard decoder into
// generated messages, and our codec into wire.Batch (a failed fast path or a miscount fails sendStreams).
func TestBareServersCountEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rng := rand.New(rand.NewPCG(5, 6))
	events := playbackEvents(rng, 1000, uuids(20), uuids(50))
	reqs, err := encodeRequests(events, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, ourCodec := range []bool{false, true} {
		bare, err := startBareServer(4<<20, ourCodec)
		if err != nil {
			t.Fatal(err)
		}
		if err := sendStreams(ctx, bare.conn, metadata.MD{}, reqs, 3); err != nil {
			t.Errorf("our codec %t: %v", ourCodec, err)
		}
		bare.stop()
	}
}
