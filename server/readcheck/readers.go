package readcheck

import (
	"context"
	"sync"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ratingKey names one rating: a user's stars for a title.
type ratingKey struct{ user, content string }

func (k ratingKey) String() string { return k.user + "/" + k.content }

// searchDocs reads the documents of ids, Concurrency at a time: the index answers one id per request.
func (c *checker) searchDocs(ctx context.Context, ids []string) (map[string]streaming.Content, error) {
	var mu sync.Mutex
	out := make(map[string]streaming.Content, len(ids))
	err := parallel(ctx, c.opts.Concurrency, ids, func(ctx context.Context, id string) error {
		doc, version, found, err := c.src.Search.Get(ctx, id)
		if err != nil || !found {
			return err
		}
		doc.Version = version
		mu.Lock()
		out[id] = *doc
		mu.Unlock()
		return nil
	})
	return out, err
}

// userViews reads the complete Redis views of ids, Concurrency at a time; incomplete or absent ones are left out.
func (c *checker) userViews(ctx context.Context, ids []string) (map[string]*streaming.UserView, error) {
	var mu sync.Mutex
	out := make(map[string]*streaming.UserView, len(ids))
	err := parallel(ctx, c.opts.Concurrency, ids, func(ctx context.Context, id string) error {
		v, ok, err := c.src.Redis.UserView(ctx, id)
		if err != nil || !ok {
			return err
		}
		mu.Lock()
		out[id] = v
		mu.Unlock()
		return nil
	})
	return out, err
}

// parallel runs fn for every id, at most n at once, and returns the first error (which cancels the others).
func parallel(ctx context.Context, n int, ids []string, fn func(ctx context.Context, id string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	sem := make(chan struct{}, n)
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, id); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
