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

// RateContentTx is what rating touches: the rater it checks, the rating and title, the event.
type RateContentTx interface {
	streaming.Users
	streaming.Ratings
	streaming.Outbox
}

// RateContentHandler stores users' ratings.
type RateContentHandler struct {
	Tx  streaming.UnitOfWork[RateContentTx]
	Now func() time.Time
}

// RateContent stores the user's rating and the title's new average in one transaction.
func (h *Handler) RateContent(ctx context.Context, c RateContent) (*streaming.Rating, error) {
	return h.rateContent.Handle(ctx, c)
}

// Handle stores the rating of c and the title's new average.
func (h RateContentHandler) Handle(ctx context.Context, c RateContent) (*streaming.Rating, error) {
	r := &streaming.Rating{UserID: c.UserID, ContentID: c.ContentID, Stars: c.Stars, Review: c.Review}
	err := h.Tx.InTx(ctx, func(tx RateContentTx) error {
		if _, err := tx.UserByID(ctx, c.UserID); err != nil {
			return err
		}
		content, err := tx.UpsertRating(ctx, r)
		if err != nil {
			return err
		}
		return appendContentEvent(ctx, tx, now(h.Now), content, streaming.EventContentRated, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
