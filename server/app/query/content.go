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

// SearchAs is Search by a caller: userID is the signed-in user ("" for anyone else: an admin, a service, anonymous),
// who becomes the query's Reader.
// After a successful search by a user that filters on genres, the genres go to Interests, which feeds the user's
// genre interest in the graph (recommendations read it). Only the first page counts: the following pages are the
// same search.
func (h *Handler) SearchAs(ctx context.Context, userID string, q streaming.SearchQuery) (*streaming.SearchResult, error) {
	q.Reader = userID
	res, err := h.Search(ctx, q)
	if err == nil && h.Interests != nil && userID != "" && len(q.Genres) > 0 && q.PageToken == "" {
		h.Interests.Add(streaming.GenreSearch{UserID: userID, Genres: q.Genres, At: h.now()})
	}
	return res, err
}
