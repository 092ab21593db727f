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

// RateContentTx is what rating touches: the rating (and the title's aggregate) and the event. The rater is not read
// first: the rating's foreign key answers CodeNotFound "user not found" for an unknown one, and on a hit title every
// round trip a rating holds its connection for counts.
type RateContentTx interface {
	streaming.Ratings
	streaming.Outbox
}

// RateContentHandler stores users' ratings.
type RateContentHandler struct {
	Tx  streaming.UnitOfWork[RateContentTx]
	Now func() time.Time
}

// RateContent stores the user's rating and adjusts the title's aggregate in one transaction.
func (h *Handler) RateContent(ctx context.Context, c RateContent) (*streaming.Rating, error) {
	return h.rateContent.Handle(ctx, c)
}

// Handle stores the rating of c. Its event names only the rating (for the graph): the title is not re-published
// per rating; its new figures reach the read models through the coalesced ContentRatingAggregated events.
func (h RateContentHandler) Handle(ctx context.Context, c RateContent) (*streaming.Rating, error) {
	r := &streaming.Rating{UserID: c.UserID, ContentID: c.ContentID, Stars: c.Stars, Review: c.Review}
	err := h.Tx.InTx(ctx, func(tx RateContentTx) error {
		if err := tx.UpsertRating(ctx, r); err != nil {
			return err
		}
		ev, err := event(now(h.Now), streaming.AggregateRating, streaming.RatingAggregateID(r.ContentID, r.UserID),
			r.Version, streaming.EventRatingChanged,
			streaming.RatingPayload{UserID: r.UserID, ContentID: r.ContentID, Stars: r.Stars, UpdatedAt: r.UpdatedAt})
		if err != nil {
			return err
		}
		return tx.AppendEvent(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
