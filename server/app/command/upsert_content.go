package command

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// UpsertContentTx is what a catalog change touches.
type UpsertContentTx interface {
	streaming.Contents
	streaming.Outbox
}

// UpsertContentHandler creates and replaces catalog titles.
type UpsertContentHandler struct {
	Tx  streaming.UnitOfWork[UpsertContentTx]
	Now func() time.Time
}

// UpsertContent creates or replaces a catalog title; its rating figures are kept.
func (h *Handler) UpsertContent(ctx context.Context, c streaming.Content) (*streaming.Content, bool, error) {
	return h.upsertContent.Handle(ctx, c)
}

// Handle creates or replaces the title c and reports whether it was new.
func (h UpsertContentHandler) Handle(ctx context.Context, c streaming.Content) (*streaming.Content, bool, error) {
	var created bool
	err := h.Tx.InTx(ctx, func(tx UpsertContentTx) error {
		var err error
		if created, err = tx.UpsertContent(ctx, &c); err != nil {
			return err
		}
		return appendContentEvent(ctx, tx, now(h.Now), &c, streaming.EventContentUpserted)
	})
	if err != nil {
		return nil, false, err
	}
	return &c, created, nil
}

// appendContentEvent carries the whole title, so the search and graph projectors need no read-back.
func appendContentEvent(ctx context.Context, out streaming.Outbox, at time.Time, c *streaming.Content, typ string) error {
	ev, err := event(at, streaming.AggregateContent, c.ID, c.Version, typ, streaming.NewContentPayload(c))
	if err != nil {
		return err
	}
	return out.AppendEvent(ctx, ev)
}
