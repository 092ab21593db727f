package query

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
)

// UserErasure is how far the user's erasure has come, store by store (PostgreSQL: the erasure queue is where the
// worker records each store's outcome). A user never erased is a CodeNotFound *Error.
func (h *Handler) UserErasure(ctx context.Context, userID string) (*streaming.UserErasure, error) {
	return h.Erasures.UserErasure(ctx, userID)
}
