// Package search is the catalog's search index on the Elasticsearch API (OpenSearch locally), through
// github.com/olivere/elastic/v7: the versioned index behind an alias and its mapping, the outbox projector that
// keeps the documents in step with PostgreSQL, and the catalog search (the brief's query, facets, paging).
//
// Documents are written only by the projector, with the content id as document id and the aggregate's version as an
// external version, so replays and out-of-order deliveries never overwrite a newer title.
package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/olivere/elastic/v7"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/telemetry"
	"github.com/streamingplatform/streaming/server/tlsconf"
)

// MappingVersion is the version of the mapping below; the index is named <alias>_v<MappingVersion> (or
// <alias>_v<MappingVersion>_r<time> once rebuilt). A changed mapping needs a new version (a new index) and a
// rebuild (Index.Rebuild) that moves the alias to it: fields of an existing index cannot be changed in place.
const MappingVersion = 1

// requestTimeout bounds every HTTP request, whatever the caller's context says.
const requestTimeout = 10 * time.Second

// Config says where the search server is and how to lay out the index. Zero values take the defaults.
type Config struct {
	// URLs are the nodes the client talks to, e.g. http://127.0.0.1:9200: one, or several nodes of one cluster,
	// used round robin (a node that does not answer is passed over; see nodeRetrier).
	URLs     []string
	Alias    string // what readers and writers address ("content")
	Shards   int    // primary shards of a new index (1)
	Replicas int    // replicas of a new index (0)
	// Lazy opens without contacting the server or creating the index: for a tool that only reads (readcheck, which
	// then Pings) or a test that must reach an index Open would refuse.
	Lazy bool
	// Username and Password (HTTP basic authentication) or APIKey (Elasticsearch's "ApiKey" scheme: the encoded
	// id:key) authenticate; empty: none.
	Username, Password, APIKey string
	// CAFile (PEM) verifies an https:// server instead of the system's roots.
	CAFile string
	// TracerProvider records a span per request to the search server inside a trace; nil: none (tracing off).
	TracerProvider trace.TracerProvider
}

// Index is the catalog's search index. It is safe for concurrent use.
type Index struct {
	client    *elastic.Client
	transport *http.Transport
	alias     string
	index     string
	shards    int
	replicas  int
}

// newIndex builds a client for cfg without contacting the server.
func newIndex(cfg Config) (*Index, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("search: no URL")
	}
	if cfg.Alias == "" {
		cfg.Alias = "content"
	}
	if cfg.Alias != strings.ToLower(cfg.Alias) {
		return nil, fmt.Errorf("search: alias %q must be lower case", cfg.Alias)
	}
	if cfg.Shards <= 0 {
		cfg.Shards = 1
	}
	if cfg.Replicas < 0 {
		cfg.Replicas = 0
	}
	// The default transport keeps only 2 idle connections per host, so concurrent searches would keep redialing.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	// No gzip: the search server sits next to the platform, where compressing each answer (12 kB for a page of 20
	// titles with facets) costs both ends more CPU than the bytes cost to send.
	transport.DisableCompression = true
	if cfg.CAFile != "" {
		tc, err := tlsconf.Client(cfg.CAFile, "")
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		transport.TLSClientConfig = tc
	}
	options := []elastic.ClientOptionFunc{}
	switch {
	case cfg.APIKey != "" && cfg.Username != "":
		return nil, errors.New("search: give a user and password or an API key, not both")
	case cfg.APIKey != "":
		options = append(options, elastic.SetHeaders(http.Header{"Authorization": []string{"ApiKey " + cfg.APIKey}}))
	case cfg.Username != "":
		options = append(options, elastic.SetBasicAuth(cfg.Username, cfg.Password))
	}
	// Sniffing asks the cluster for node addresses that are unreachable from outside containers and proxies, and the
	// health-check goroutine only duplicates what a failing request already tells us.
	client, err := elastic.NewClient(append(options,
		elastic.SetURL(cfg.URLs...),
		elastic.SetSniff(false),
		elastic.SetHealthcheck(false),
		elastic.SetHttpClient(&http.Client{Transport: traced(transport, cfg.TracerProvider), Timeout: requestTimeout}),
		elastic.SetRetrier(nodeRetrier{nodes: len(cfg.URLs)}),
	)...)
	if err != nil {
		return nil, fmt.Errorf("search client for %s: %w", strings.Join(cfg.URLs, ","), err)
	}
	return &Index{client: client, transport: transport, alias: cfg.Alias,
		index: fmt.Sprintf("%s_v%d", cfg.Alias, MappingVersion), shards: cfg.Shards, replicas: cfg.Replicas}, nil
}

// traced wraps the transport in a span per request when tracing is on, only for requests inside a trace (health
// checks and start-up requests record nothing).
func traced(t *http.Transport, tp trace.TracerProvider) http.RoundTripper {
	if tp == nil {
		return t
	}
	return otelhttp.NewTransport(t, otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(telemetry.Propagator),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()),
		otelhttp.WithFilter(func(r *http.Request) bool { return trace.SpanContextFromContext(r.Context()).IsSampled() }),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return "search " + r.Method }))
}

// nodeRetrier decides what the client does after a request got no answer. The client takes its nodes round robin,
// skipping those it marked dead; it marks a node dead only when the retrier gives up on a request sent to it, and
// with health checks off it revives them all only when every one is dead, answering that request with ErrNoClient.
//
//   - ErrNoClient (every node was dead and has just been revived): try once more, or the first request after every
//     outage would fail although a server is back.
//   - A connection error that is not a timeout (refused, reset: the node is down or has just died): try the next
//     node, up to twice as many times as there are nodes. The round robin is shared by every request in flight, so
//     a retry can be handed the same dead node again (TestClusterSearchNodeLoss met it about once in a few hundred
//     searches with one node retried once); each refusal costs only a round trip. The failed node is not marked
//     dead, so it serves again as soon as it answers (nothing else would revive it while another node works).
//     Every request to the search server may be sent more than once: searches read, and documents carry external
//     versions.
//   - A timeout, or a failure on every node: give up; the node is marked dead and the caller (or the outbox relay)
//     decides what next. A node that does not answer in time is not waited for again until every node is dead.
type nodeRetrier struct{ nodes int }

func (r nodeRetrier) Retry(_ context.Context, retry int, _ *http.Request, _ *http.Response, err error) (time.Duration, bool, error) {
	if elastic.IsConnErr(err) {
		return 0, retry == 1, nil
	}
	var timeout interface{ Timeout() bool }
	if err == nil || (errors.As(err, &timeout) && timeout.Timeout()) {
		return 0, false, nil
	}
	return 0, retry <= 2*r.nodes, nil
}

// Open returns the index and its cleanup (Close). Unless cfg.Lazy, it connects to the search server and makes sure
// the index and its alias exist.
func Open(ctx context.Context, cfg Config) (*Index, func(), error) {
	x, err := newIndex(cfg)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Lazy {
		return x, x.Close, nil
	}
	if err := x.EnsureIndex(ctx); err != nil {
		x.Close()
		return nil, nil, err
	}
	return x, x.Close, nil
}

// Alias is the name searches and writes go through.
func (x *Index) Alias() string { return x.alias }

// IndexName is the versioned index EnsureIndex creates for a new alias (<alias>_v<MappingVersion>). After a Rebuild
// the alias points at another index (<alias>_v<MappingVersion>_r<time>).
func (x *Index) IndexName() string { return x.index }

// Close releases idle connections. The client runs no background goroutines (sniffing and health checks are off).
func (x *Index) Close() {
	x.client.Stop()
	x.transport.CloseIdleConnections()
}

// Ping reports whether the server answers and the alias exists (for health checks).
func (x *Index) Ping(ctx context.Context) error {
	res, err := x.client.PerformRequest(ctx, elastic.PerformRequestOptions{Method: "HEAD", Path: "/" + x.alias,
		IgnoreErrors: []int{http.StatusNotFound}})
	if err != nil {
		return classify("ping", err)
	}
	if res.StatusCode == http.StatusNotFound {
		return fmt.Errorf("search: alias %s does not exist", x.alias)
	}
	return nil
}

// mapping is the index layout. Strict, so a document with an unknown field fails loudly instead of growing the
// mapping. Text is analyzed twice: standard (exact words, typo tolerance) and Spanish (stems: "aventuras" finds
// "aventura"), since the catalog is Spanish and English.
func mapping() map[string]any {
	text := func(sub map[string]any) map[string]any {
		m := map[string]any{"type": "text", "analyzer": "standard"}
		if sub != nil {
			m["fields"] = sub
		}
		return m
	}
	es := map[string]any{"type": "text", "analyzer": "spanish"}
	kw := map[string]any{"type": "keyword", "ignore_above": 256}
	typ := func(t string) map[string]any { return map[string]any{"type": t} }
	return map[string]any{
		"dynamic": "strict",
		"_meta":   map[string]any{"mapping_version": MappingVersion},
		"properties": map[string]any{
			"id":               typ("keyword"), // the content id again: a sortable tie-breaker (_id is not)
			"title":            text(map[string]any{"es": es, "keyword": kw}),
			"description":      text(map[string]any{"es": es}),
			"genres":           typ("keyword"),
			"actors":           text(map[string]any{"keyword": kw}),
			"type":             typ("keyword"),
			"rating_avg":       typ("float"),
			"rating_count":     typ("long"),
			"seasons":          typ("integer"),
			"release_year":     typ("integer"),
			"duration_seconds": typ("integer"),
			"updated_at":       typ("date"),
		},
	}
}

// EnsureIndex creates the versioned index and points the alias at it when the alias does not exist yet; then it
// checks that the alias leads to exactly one index of this build's mapping version. It is idempotent and safe when
// several processes start at once. Once the alias exists nothing is created: after a Rebuild the alias points at
// <alias>_v<MappingVersion>_r<time> and <alias>_v<MappingVersion> is gone, and a server starting then must use the
// rebuilt index, not make an empty second one. An alias that points at another mapping version is an error: the
// documents must be rebuilt into an index of this version (Rebuild) before this build can serve.
func (x *Index) EnsureIndex(ctx context.Context) error {
	indices, err := x.aliasIndices(ctx)
	if err != nil {
		return err
	}
	if len(indices) == 0 {
		if err := x.createIndex(ctx, x.index, nil); err != nil && !isType(err, "resource_already_exists_exception") {
			return classify("create index "+x.index, err)
		}
		// Two processes may both get here: adding the same alias to the same index twice is harmless.
		if _, err := x.client.Alias().Add(x.index, x.alias).Do(ctx); err != nil {
			return classify("point alias "+x.alias+" at "+x.index, err)
		}
	}
	return x.checkMapping(ctx)
}

// createIndex creates the named index with this build's mapping and the configured shards and replicas; settings
// adds index settings (e.g. a refresh interval). The error is the client's, for the caller to classify.
func (x *Index) createIndex(ctx context.Context, name string, settings map[string]any) error {
	s := map[string]any{"number_of_shards": x.shards, "number_of_replicas": x.replicas}
	for k, v := range settings {
		s[k] = v
	}
	_, err := x.client.CreateIndex(name).BodyJson(map[string]any{"settings": s, "mappings": mapping()}).Do(ctx)
	return err
}

// AliasIndices returns the indices the alias points at (one, except in the instant of a failed rebuild).
func (x *Index) AliasIndices(ctx context.Context) ([]string, error) { return x.aliasIndices(ctx) }

// aliasIndices lists the indices the alias points at, sorted; none when the alias does not exist.
func (x *Index) aliasIndices(ctx context.Context) ([]string, error) {
	res, err := x.client.PerformRequest(ctx, elastic.PerformRequestOptions{Method: "GET",
		Path: "/_alias/" + url.PathEscape(x.alias), IgnoreErrors: []int{http.StatusNotFound}})
	if err != nil {
		return nil, classify("look up alias "+x.alias, err)
	}
	if res.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	var byIndex map[string]json.RawMessage
	if err := json.Unmarshal(res.Body, &byIndex); err != nil {
		return nil, classify("look up alias "+x.alias, fmt.Errorf("decode the answer: %w", err))
	}
	indices := make([]string, 0, len(byIndex))
	for name := range byIndex {
		indices = append(indices, name)
	}
	slices.Sort(indices)
	return indices, nil
}

// checkMapping reads the alias's mapping with a raw request: the client's typed GetMapping path does not work
// against OpenSearch.
func (x *Index) checkMapping(ctx context.Context) error {
	res, err := x.client.PerformRequest(ctx, elastic.PerformRequestOptions{Method: "GET", Path: "/" + x.alias + "/_mapping"})
	if err != nil {
		return classify("read mapping of "+x.alias, err)
	}
	var indices map[string]struct {
		Mappings struct {
			Meta struct {
				MappingVersion int `json:"mapping_version"`
			} `json:"_meta"`
		} `json:"mappings"`
	}
	if err := json.Unmarshal(res.Body, &indices); err != nil {
		return fmt.Errorf("search: mapping of %s: %w", x.alias, err)
	}
	if len(indices) != 1 {
		return fmt.Errorf("search: alias %s points at %d indices, want 1", x.alias, len(indices))
	}
	for name, m := range indices {
		if v := m.Mappings.Meta.MappingVersion; v != MappingVersion {
			return fmt.Errorf("search: alias %s points at %s with mapping version %d, this build needs %d: reindex (Index.Rebuild) into an index of version %d",
				x.alias, name, v, MappingVersion, MappingVersion)
		}
	}
	return nil
}

// Refresh makes every indexed document visible to searches now. Writers do not force it (near-real-time is fine
// for the catalog); tests call it.
func (x *Index) Refresh(ctx context.Context) error {
	if _, err := x.client.Refresh(x.alias).Do(ctx); err != nil {
		return classify("refresh", err)
	}
	return nil
}

// Count is the number of documents in the index (for consistency checks against PostgreSQL).
func (x *Index) Count(ctx context.Context) (int64, error) {
	n, err := x.client.Count(x.alias).Do(ctx)
	if err != nil {
		return 0, classify("count", err)
	}
	return n, nil
}

// Get reads one title as indexed, with the version it was indexed at. found is false when the index has no such
// document.
func (x *Index) Get(ctx context.Context, id string) (c *streaming.Content, version int64, found bool, err error) {
	res, err := x.client.Get().Index(x.alias).Id(id).Do(ctx)
	if elastic.IsNotFound(err) && !isType(err, "index_not_found_exception") {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, classify("get "+id, err)
	}
	if !res.Found {
		return nil, 0, false, nil
	}
	var v int64
	if res.Version != nil {
		v = *res.Version
	}
	content, err := decodeDocument(res.Source, v)
	if err != nil {
		return nil, 0, false, fmt.Errorf("search: document %s: %w", id, err)
	}
	return content, v, true, nil
}

// classify turns a client error into the domain's: a server that cannot be reached, times out, is overloaded or
// fails (5xx) is unavailable; any other answer (4xx) means our request is wrong, a bug.
func classify(op string, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("search: %s: %w", op, err)
	}
	var ee *elastic.Error
	if errors.As(err, &ee) && ee.Status >= 400 && ee.Status < 500 &&
		ee.Status != http.StatusRequestTimeout && ee.Status != http.StatusTooManyRequests {
		return fmt.Errorf("search: %s: %w", op, err)
	}
	// Anything else (refused or broken connections, timeouts, 5xx, an unreadable answer) is the server's side.
	return streaming.Unavailable("search", fmt.Errorf("%s: %w", op, err))
}

// isType reports whether err is a server error of the given type (e.g. "resource_already_exists_exception").
func isType(err error, typ string) bool {
	var ee *elastic.Error
	return errors.As(err, &ee) && ee.Details != nil && ee.Details.Type == typ
}
