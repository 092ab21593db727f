package command

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
)

// UpsertContent creates or replaces a catalog title; its rating figures are kept.
func (h *Handler) UpsertContent(ctx context.Context, c streaming.Content) (*streaming.Content, bool, error) {
	var created bool
	err := h.Store.InTx(ctx, func(tx streaming.CommandTx) error {
		var err error
		if created, err = tx.UpsertContent(ctx, &c); err != nil {
			return err
		}
		return h.appendContentEvent(ctx, tx, &c, streaming.EventContentUpserted, nil)
	})
	if err != nil {
		return nil, false, err
	}
	return &c, created, nil
}

// appendContentEvent carries the whole title, so the search and graph projectors need no read-back. A rating
// event also names the rating (rated is nil otherwise).
func (h *Handler) appendContentEvent(ctx context.Context, tx streaming.CommandTx, c *streaming.Content, typ string, rated *streaming.Rating) error {
	payload := streaming.NewContentPayload(c)
	if rated != nil {
		payload.RatedBy, payload.Stars = rated.UserID, rated.Stars
	}
	ev, err := h.event(streaming.AggregateContent, c.ID, c.Version, typ, payload)
	if err != nil {
		return err
	}
	return tx.AppendEvent(ctx, ev)
}
