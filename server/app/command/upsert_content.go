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
		return h.appendContentEvent(ctx, tx, &c, "ContentUpserted", nil)
	})
	if err != nil {
		return nil, false, err
	}
	return &c, created, nil
}

// appendContentEvent carries the whole title, so the search and graph projectors need no read-back.
func (h *Handler) appendContentEvent(ctx context.Context, tx streaming.CommandTx, c *streaming.Content, typ string, extra map[string]any) error {
	payload := map[string]any{
		"content_id": c.ID, "title": c.Title, "description": c.Description, "type": c.Type, "genres": c.Genres,
		"actors": c.Actors, "seasons": c.Seasons, "release_year": c.ReleaseYear, "duration_seconds": c.DurationSeconds,
		"rating_avg": c.RatingAvg, "rating_count": c.RatingCount,
	}
	for k, v := range extra {
		payload[k] = v
	}
	ev, err := h.event("content", c.ID, c.Version, typ, payload)
	if err != nil {
		return err
	}
	return tx.AppendEvent(ctx, ev)
}
