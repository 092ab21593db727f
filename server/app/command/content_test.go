package command_test

import (
	"context"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/streaming"
)

type upsertContentTx struct {
	*fakeContents
	*fakeOutbox
}

func TestUpsertContent(t *testing.T) {
	tests := []struct {
		name    string
		created bool
		err     error
		code    streaming.Code
	}{
		{name: "creates", created: true},
		{name: "replaces", created: false},
		{name: "invalid", err: streaming.Invalid("type", "must be one of movie, series, documentary"), code: streaming.CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := &fakeOutbox{}
			contents := &fakeContents{upsertContent: func(c *streaming.Content) (bool, error) {
				if tc.err != nil {
					return false, tc.err
				}
				c.Version, c.RatingAvg, c.RatingCount = 5, 4.5, 2 // the store keeps the rating figures
				return tc.created, nil
			}}
			uow := &fakeUoW[command.UpsertContentTx]{tx: upsertContentTx{contents, out}}
			in := streaming.Content{ID: "c1", Title: "T", Type: streaming.ContentMovie, Genres: []string{"drama"}}
			c, created, err := command.UpsertContentHandler{Tx: uow, Now: clock}.Handle(t.Context(), in)
			wantErr(t, err, tc.code, "")
			if tc.code != "" {
				if c != nil || created || len(out.events) != 0 {
					t.Fatalf("failed upsert returned %+v, %v, events %+v", c, created, out.events)
				}
				return
			}
			if created != tc.created || c.ID != "c1" || c.Version != 5 || c.RatingAvg != 4.5 {
				t.Fatalf("upsert = %+v, %v", c, created)
			}
			pl := wantEvent[streaming.ContentPayload](t, out.events, streaming.AggregateContent, "c1", 5, streaming.EventContentUpserted)
			if pl.Title != "T" || len(pl.Genres) != 1 || pl.RatingAvg != 4.5 || pl.RatedBy != "" || pl.Stars != 0 {
				t.Fatalf("payload = %+v", pl)
			}
		})
	}
}

// recorder is a fake of the RatingRecorder port: it records the ratings it was given.
type recorder struct {
	err   error
	rated []streaming.Rating
}

func (f *recorder) RecordRating(_ context.Context, r *streaming.Rating) error {
	if f.err != nil {
		return f.err
	}
	r.Version = 3 // as the store writes it back
	f.rated = append(f.rated, *r)
	return nil
}

func TestRateContent(t *testing.T) {
	at := clock().UTC().Truncate(time.Microsecond)
	tests := []struct {
		name    string
		err     error
		code    streaming.Code
		message string
	}{
		{name: "rates"},
		{name: "unknown user", err: notFound("user"), code: streaming.CodeNotFound, message: "user not found"},
		{name: "unknown title", err: notFound("content"), code: streaming.CodeNotFound, message: "content not found"},
		{name: "store down", err: errStore, code: streaming.CodeUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{err: tc.err}
			r, err := command.RateContentHandler{Ratings: rec, Now: clock}.Handle(t.Context(),
				command.RateContent{UserID: "u1", ContentID: "c1", Stars: 4, Review: "good"})
			wantErr(t, err, tc.code, tc.message)
			if tc.code != "" {
				if r != nil {
					t.Fatalf("failed rating returned %+v", r)
				}
				return
			}
			// The rating alone, timed by the handler's clock at the store's precision: its event and the title's
			// figures are the store's flush's.
			want := streaming.Rating{UserID: "u1", ContentID: "c1", Stars: 4, Review: "good", UpdatedAt: at, Version: 3}
			if *r != want || len(rec.rated) != 1 || rec.rated[0].UpdatedAt != at {
				t.Fatalf("rating = %+v (stored %+v), want %+v", r, rec.rated, want)
			}
		})
	}
}
