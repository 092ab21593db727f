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

// RateContentHandler stores users' ratings. A rating is one step of the store (RatingRecorder) that writes the
// rating alone: on a title many users rate at once, every round trip and every row a rating writes counts. The
// rater is not read first either: the rating's foreign key answers CodeNotFound "user not found".
type RateContentHandler struct {
	Ratings streaming.RatingRecorder
	Now     func() time.Time
}

// RateContent stores the user's rating; the title's aggregate and the rating's event follow with the store's flush.
func (h *Handler) RateContent(ctx context.Context, c RateContent) (*streaming.Rating, error) {
	return h.rateContent.Handle(ctx, c)
}

// Handle stores the rating of c. The title is not re-published per rating: the store's flush folds the ratings of an
// interval into the title's figures (one ContentRatingAggregated event per title) and sends each changed rating
// to the graph (RatingChanged).
func (h RateContentHandler) Handle(ctx context.Context, c RateContent) (*streaming.Rating, error) {
	at := now(h.Now).UTC().Truncate(time.Microsecond) // PostgreSQL's precision: what is stored is what is answered
	r := &streaming.Rating{UserID: c.UserID, ContentID: c.ContentID, Stars: c.Stars, Review: c.Review, UpdatedAt: at}
	if err := h.Ratings.RecordRating(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}
