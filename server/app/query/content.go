package query

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Content reads one title from the read model, rebuilding it from PostgreSQL on a miss.
func (h *Handler) Content(ctx context.Context, id string) (*streaming.Content, error) {
	got, err := h.contents(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	c, ok := got[id]
	if !ok {
		return nil, streaming.Errorf(streaming.CodeNotFound, "content %s not found", id)
	}
	return &c, nil
}

// Search runs a catalog search on the search server, a page of q.PageSize hits (DefaultSearchPageSize when 0).
func (h *Handler) Search(ctx context.Context, q streaming.SearchQuery) (*streaming.SearchResult, error) {
	q.PageSize = orDefault(q.PageSize, DefaultSearchPageSize)
	return h.Index.Search(ctx, q)
}
