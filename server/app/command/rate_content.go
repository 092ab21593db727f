package command

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
)

type RateContent struct {
	UserID, ContentID string
	Stars             int32
	Review            string
}

// RateContent stores the user's rating and the title's new average in one transaction.
func (h *Handler) RateContent(ctx context.Context, c RateContent) (*streaming.Rating, error) {
	r := &streaming.Rating{UserID: c.UserID, ContentID: c.ContentID, Stars: c.Stars, Review: c.Review}
	err := h.Store.InTx(ctx, func(tx streaming.CommandTx) error {
		if _, err := tx.UserByID(ctx, c.UserID); err != nil {
			return err
		}
		content, err := tx.UpsertRating(ctx, r)
		if err != nil {
			return err
		}
		return h.appendContentEvent(ctx, tx, content, streaming.EventContentRated, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
