package search

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"

	"github.com/olivere/elastic/v7"

	"github.com/streamingplatform/streaming/server/streaming"
)

// MaxPageSize is the largest page (a larger one is served at this size). The size a caller leaves open is the query
// side's business (app/query.DefaultSearchPageSize); a size that is not positive is refused.
const MaxPageSize = 100

// The fields of the free-text query, with boosts: a title match outranks a description match, and an exact word
// outranks a stem. Typos are looked for in the words as written (standard analysis) only: a fuzzy match over the
// Spanish stems as well finds little the first does not (the stem of a misspelt word is one edit from the right
// stem when the word is) and doubled the engine's time (fuzzy expansion runs per field over its whole dictionary).
var (
	wordFields = []string{"title^3", "description"}
	stemFields = []string{"title.es^2", "description.es"}
)

// ratingBuckets are the rating facet's buckets, in display order. "to" is exclusive; the last bucket has no upper
// bound so it includes 5 (ratings never exceed 5). Unrated titles (rating_avg 0) count in "0-1".
var ratingBuckets = []struct {
	key      string
	from, to float64
}{{"0-1", 0, 1}, {"1-2", 1, 2}, {"2-3", 2, 3}, {"3-4", 3, 4}, {"4-5", 4, math.Inf(1)}}

// genreFacetSize is how many genres the genres facet lists (the most frequent).
const genreFacetSize = 20

// normalized is a query as far as paging is concerned: two queries with the same normalized form page alike.
type normalized struct {
	Text      string   `json:"t"`
	Genres    []string `json:"g"` // sorted, without duplicates: the order of "any of these" does not matter
	MinRating float64  `json:"r"`
	PageSize  int      `json:"s"`
}

// pageToken is the opaque page token: where the previous page ended (its last hit's sort values), how many hits
// came before the next page, and a hash tying both to the query, so a token cannot be used with another query and
// an edited one is refused. It is not a secret: forging one only moves the start of the caller's own results.
type pageToken struct {
	After json.RawMessage `json:"a"`
	Seen  int64           `json:"n"`
	Hash  string          `json:"h"`
}

func tokenHash(q normalized, after json.RawMessage, seen int64) string {
	b, _ := json.Marshal(struct {
		Q normalized      `json:"q"`
		A json.RawMessage `json:"a"`
		N int64           `json:"n"`
	}{q, after, seen})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func encodeToken(q normalized, sortValues []any, seen int64) (string, error) {
	after, err := json.Marshal(sortValues)
	if err != nil {
		return "", fmt.Errorf("search: page token: %w", err)
	}
	b, err := json.Marshal(pageToken{After: after, Seen: seen, Hash: tokenHash(q, after, seen)})
	if err != nil {
		return "", fmt.Errorf("search: page token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeToken returns the search_after values and the count of hits before the page, or a CodeInvalid error.
func decodeToken(q normalized, token string) ([]any, int64, error) {
	invalid := streaming.Invalid("page_token", "is not a token of this search")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, 0, invalid
	}
	var t pageToken
	if err := json.Unmarshal(raw, &t); err != nil || t.Seen <= 0 || t.Hash != tokenHash(q, t.After, t.Seen) {
		return nil, 0, invalid
	}
	// The sort is [_score, id]: exactly a number and a string.
	dec := json.NewDecoder(bytes.NewReader(t.After))
	dec.UseNumber() // pass the score back exactly as the server wrote it
	var after []any
	if err := dec.Decode(&after); err != nil || len(after) != 2 {
		return nil, 0, invalid
	}
	if _, ok := after[0].(json.Number); !ok {
		return nil, 0, invalid
	}
	if _, ok := after[1].(string); !ok {
		return nil, 0, invalid
	}
	return after, t.Seen, nil
}

func normalize(q streaming.SearchQuery) (normalized, error) {
	n := normalized{Text: strings.TrimSpace(q.Text), MinRating: q.MinRating, PageSize: q.PageSize}
	switch {
	case n.PageSize <= 0: // the query side sets its default (app/query.DefaultSearchPageSize)
		return n, streaming.Invalid("page_size", "must be positive")
	case n.PageSize > MaxPageSize:
		n.PageSize = MaxPageSize
	}
	if math.IsNaN(n.MinRating) || n.MinRating < 0 {
		return n, streaming.Invalid("min_rating", "must be between 0 and 5")
	}
	for _, g := range q.Genres {
		if g != "" {
			n.Genres = append(n.Genres, g)
		}
	}
	slices.Sort(n.Genres)
	n.Genres = slices.Compact(n.Genres)
	return n, nil
}

// preference picks the copies of the shards a search reads. The copies of a shard refresh on their own schedules and
// score alike only when their segments hold the same deleted documents, so searches spread over copies could show a
// reader a title and then lose it, or repeat or skip a hit at a page boundary. Every search by one reader goes to the
// same copies (the reader's hash), and so does every page of one query by no one in particular (the query's hash);
// different readers and queries still spread over the copies.
func preference(reader string, n normalized) string {
	if reader == "" {
		return "q" + tokenHash(n, nil, 0)
	}
	sum := sha256.Sum256([]byte(reader)) // an id in the server's logs says who searched; its hash does not
	return "r" + hex.EncodeToString(sum[:16])
}

// Request is the search body Search sends to <Alias>/_search for q: a benchmark can send the identical request
// straight to the server as a baseline. A bad page token is a CodeInvalid error on page_token.
func (x *Index) Request(q streaming.SearchQuery) (map[string]any, error) {
	body, _, _, err := x.request(q)
	return body, err
}

func (x *Index) request(q streaming.SearchQuery) (map[string]any, normalized, int64, error) {
	n, err := normalize(q)
	if err != nil {
		return nil, n, 0, err
	}
	var after []any
	var seen int64
	if q.PageToken != "" {
		if after, seen, err = decodeToken(n, q.PageToken); err != nil {
			return nil, n, 0, err
		}
	}
	// The brief's query: free text over title and description, filtered by any of the genres and a minimum rating.
	// The text matches either the words as written, typo tolerant (fuzziness AUTO, but the first letter must match
	// and each word expands to at most 10 spellings, which keeps the fuzzy expansion small), or their Spanish stems
	// ("aventuras" finds "aventura"), exactly. The best field decides the score and the others add a share
	// (tie_breaker): a title matching one word must not hide that the description matches all the others. Up to
	// two words must all match in one field (75% of longer queries): a query of common words no longer matches
	// most of the catalog, which is what made the facets and the scoring slow (13k → 450 matches, 11 → 6 ms for two
	// common words on 100k titles).
	must := map[string]any{"match_all": map[string]any{}}
	if n.Text != "" {
		const tieBreaker, minimumShouldMatch = 0.3, "2<75%"
		words := map[string]any{"multi_match": map[string]any{
			"query": n.Text, "fields": wordFields, "tie_breaker": tieBreaker, "minimum_should_match": minimumShouldMatch,
			"fuzziness": "AUTO", "prefix_length": 1, "max_expansions": 10}}
		stems := map[string]any{"multi_match": map[string]any{
			"query": n.Text, "fields": stemFields, "tie_breaker": tieBreaker, "minimum_should_match": minimumShouldMatch}}
		must = map[string]any{"dis_max": map[string]any{"queries": []any{words, stems}, "tie_breaker": tieBreaker}}
	}
	boolQuery := map[string]any{"must": []any{must}}
	var filter []any
	if len(n.Genres) > 0 {
		filter = append(filter, map[string]any{"terms": map[string]any{"genres": n.Genres}})
	}
	if n.MinRating > 0 {
		filter = append(filter, map[string]any{"range": map[string]any{"rating_avg": map[string]any{"gte": n.MinRating}}})
	}
	if len(filter) > 0 {
		boolQuery["filter"] = filter
	}
	ranges := make([]any, 0, len(ratingBuckets))
	for _, b := range ratingBuckets {
		r := map[string]any{"key": b.key, "from": b.from}
		if !math.IsInf(b.to, 1) {
			r["to"] = b.to
		}
		ranges = append(ranges, r)
	}
	body := map[string]any{
		"query": map[string]any{"bool": boolQuery},
		"size":  n.PageSize,
		// search_after needs a total order: the score, then the content id (a keyword copy: sorting on _id is
		// discouraged, it has no doc values).
		"sort":             []any{map[string]any{"_score": "desc"}, map[string]any{"id": "asc"}},
		"track_total_hits": true,
		"version":          true,
		// Facets count the query's matches, filters included: they describe the results the caller is looking at
		// (a genre that the current filters exclude shows no count), and aggregations ignore search_after, so
		// every page carries the same facets.
		"aggs": map[string]any{
			"genres": map[string]any{"terms": map[string]any{"field": "genres", "size": genreFacetSize,
				"order": []any{map[string]any{"_count": "desc"}, map[string]any{"_key": "asc"}}}},
			"rating": map[string]any{"range": map[string]any{"field": "rating_avg", "ranges": ranges}},
		},
	}
	if after != nil {
		body["search_after"] = after
	}
	return body, n, seen, nil
}

// searchResponse is the part of the search answer Search reads, decoded in one pass (the generic client decodes
// the answer, then each hit's source and each aggregation again: three passes over the same bytes).
type searchResponse struct {
	Hits struct {
		Total struct {
			Value int64 `json:"value"`
		} `json:"total"`
		Hits []struct {
			ID      string   `json:"_id"`
			Score   *float64 `json:"_score"`
			Version int64    `json:"_version"`
			Sort    []any    `json:"sort"`
			Source  document `json:"_source"`
		} `json:"hits"`
	} `json:"hits"`
	Aggregations struct {
		Genres struct {
			Buckets []facetBucket `json:"buckets"`
		} `json:"genres"`
		Rating struct {
			Buckets []facetBucket `json:"buckets"`
		} `json:"rating"`
	} `json:"aggregations"`
}

type facetBucket struct {
	Key      any   `json:"key"` // a string for terms; a range bucket's key is the one we named
	DocCount int64 `json:"doc_count"`
}

// Search answers a catalog search: one page of hits, best first, with facets over all the matches. Paging uses
// search_after, so deep pages cost what the first does; a page token belongs to the query that produced it. Pages
// are read from the live index, so titles indexed while a caller pages may shift the pages that follow.
func (x *Index) Search(ctx context.Context, q streaming.SearchQuery) (*streaming.SearchResult, error) {
	body, n, seen, err := x.request(q)
	if err != nil {
		return nil, err
	}
	raw, err := x.client.PerformRequest(ctx, elastic.PerformRequestOptions{Method: "POST",
		Path: "/" + x.alias + "/_search", Body: body, Params: url.Values{"preference": {preference(q.Reader, n)}}})
	if err != nil {
		return nil, classify("search", err)
	}
	var res searchResponse
	if err := json.Unmarshal(raw.Body, &res); err != nil {
		return nil, classify("search", fmt.Errorf("decode the answer: %w", err))
	}
	out := &streaming.SearchResult{TotalHits: res.Hits.Total.Value, Hits: make([]streaming.SearchHit, 0, len(res.Hits.Hits))}
	var last []any
	for i := range res.Hits.Hits {
		h := &res.Hits.Hits[i]
		if h.Source.ID == "" {
			return nil, fmt.Errorf("search: hit %s has no id in its source", h.ID)
		}
		hit := streaming.SearchHit{Content: h.Source.content(h.Version)}
		if h.Score != nil {
			hit.Score = *h.Score
		}
		out.Hits = append(out.Hits, hit)
		last = h.Sort
	}
	if returned := seen + int64(len(out.Hits)); len(out.Hits) == n.PageSize && returned < out.TotalHits {
		if out.NextPageToken, err = encodeToken(n, last, returned); err != nil {
			return nil, err
		}
	}
	genres := streaming.Facet{Name: "genres", Buckets: make([]streaming.FacetBucket, 0, len(res.Aggregations.Genres.Buckets))}
	for _, b := range res.Aggregations.Genres.Buckets {
		genres.Buckets = append(genres.Buckets, streaming.FacetBucket{Value: fmt.Sprint(b.Key), Count: b.DocCount})
	}
	// The server already orders them so; sorting again makes the order a property of this code, not of a setting.
	slices.SortFunc(genres.Buckets, func(a, b streaming.FacetBucket) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	rating := streaming.Facet{Name: "rating", Buckets: make([]streaming.FacetBucket, 0, len(ratingBuckets))}
	counts := map[string]int64{}
	for _, b := range res.Aggregations.Rating.Buckets {
		counts[fmt.Sprint(b.Key)] = b.DocCount
	}
	for _, b := range ratingBuckets {
		rating.Buckets = append(rating.Buckets, streaming.FacetBucket{Value: b.key, Count: counts[b.key]})
	}
	out.Facets = []streaming.Facet{genres, rating}
	return out, nil
}
