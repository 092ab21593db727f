package command

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

type RateContent struct {
	UserID, ContentID string
	Stars             int32
	Review            string
}

// RateContentHandler stores users' ratings. A rating is one atomic step of the store (RatingRecorder), not a
// transaction of several: on a title many users rate at once, every round trip a rating holds its connection for
// counts. The rater is not read first either: the rating's foreign key answers CodeNotFound "user not found".
type RateContentHandler struct {
	Ratings streaming.RatingRecorder
	Now     func() time.Time
}

// RateContent stores the user's rating and adjusts the title's aggregate, with its event, atomically.
func (h *Handler) RateContent(ctx context.Context, c RateContent) (*streaming.Rating, error) {
	return h.rateContent.Handle(ctx, c)
}

// Handle stores the rating of c. Its event names only the rating (for the graph): the title is not re-published
// per rating; its new figures reach the read models through the coalesced ContentRatingAggregated events.
func (h RateContentHandler) Handle(ctx context.Context, c RateContent) (*streaming.Rating, error) {
	at := now(h.Now).UTC().Truncate(time.Microsecond) // PostgreSQL's precision: the row and the payload agree
	r := &streaming.Rating{UserID: c.UserID, ContentID: c.ContentID, Stars: c.Stars, Review: c.Review, UpdatedAt: at}
	ev, err := event(at, streaming.AggregateRating, streaming.RatingAggregateID(r.ContentID, r.UserID), 0,
		streaming.EventRatingChanged, streaming.RatingPayload{UserID: r.UserID, ContentID: r.ContentID, Stars: r.Stars, UpdatedAt: at})
	if err != nil {
		return nil, err
	}
	if err := h.Ratings.RecordRating(ctx, r, ev); err != nil {
		return nil, err
	}
	return r, nil
}
