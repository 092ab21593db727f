package storetest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gocql/gocql"
	"github.com/jackc/pgx/v5"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/olivere/elastic/v7"

	"github.com/streamingplatform/streaming/server/storetest"
)

// Each test connects through the driver the platform uses, writes, reads back and asserts. The values carry quotes
// and a unique suffix so a test cannot pass on a stale row or on string-built queries.

func TestPostgresRoundTrip(t *testing.T) {
	s := storetest.Settings(t)
	storetest.Require(t, "PostgreSQL", s.PostgresAddr())
	ctx := storetest.Context(t, 30*time.Second)
	conn, err := pgx.Connect(ctx, s.PostgresURL())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE smoke (id text PRIMARY KEY, note text NOT NULL, price numeric(8,2) NOT NULL)`); err != nil {
		t.Fatalf("create table: %v", err)
	}
	id, note := storetest.Unique(), "it's a '); DROP TABLE smoke; --"
	if _, err := conn.Exec(ctx, `INSERT INTO smoke (id, note, price) VALUES ($1, $2, $3)`, id, note, "9.99"); err != nil {
		t.Fatalf("insert: %v", err)
	}
	var gotNote, gotPrice string
	if err := conn.QueryRow(ctx, `SELECT note, price::text FROM smoke WHERE id = $1`, id).Scan(&gotNote, &gotPrice); err != nil {
		t.Fatalf("select: %v", err)
	}
	if gotNote != note || gotPrice != "9.99" {
		t.Fatalf("read back (%q, %q), want (%q, %q)", gotNote, gotPrice, note, "9.99")
	}
}

func TestRedisRoundTrip(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	key, val := "smoke:"+storetest.Unique(), "value with \"quotes\" and \r\n"
	if err := c.Do(ctx, c.B().Set().Key(key).Value(val).Ex(time.Minute).Build()).Error(); err != nil {
		t.Fatalf("set: %v", err)
	}
	t.Cleanup(func() { c.Do(ctx, c.B().Del().Key(key).Build()) })
	got, err := c.Do(ctx, c.B().Get().Key(key).Build()).ToString()
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got != val {
		t.Fatalf("read back %q, want %q", got, val)
	}
	ttl, err := c.Do(ctx, c.B().Ttl().Key(key).Build()).AsInt64()
	if err != nil || ttl <= 0 || ttl > 60 {
		t.Fatalf("ttl = %d, %v; want 1..60", ttl, err)
	}
}

func TestCassandraRoundTrip(t *testing.T) {
	s := storetest.Settings(t)
	storetest.Require(t, "Cassandra", s.CassandraAddr())
	ctx := storetest.Context(t, 2*time.Minute)
	cluster := gocql.NewCluster(s.Host)
	cluster.Port = s.CassandraPort
	cluster.ProtoVersion = 4
	cluster.Timeout = 20 * time.Second // schema changes on a single busy node can be slow
	cluster.Consistency = gocql.One
	sess, err := cluster.CreateSession()
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer sess.Close()
	for _, stmt := range []string{
		`CREATE KEYSPACE IF NOT EXISTS stack_smoke WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
		`CREATE TABLE IF NOT EXISTS stack_smoke.events (user_id uuid, ts timestamp, note text, PRIMARY KEY (user_id, ts)) WITH CLUSTERING ORDER BY (ts DESC)`,
	} {
		if err := sess.Query(stmt).WithContext(ctx).Exec(); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	user := gocql.TimeUUID()
	base := time.Now().UTC().Truncate(time.Millisecond)
	for i := range 3 {
		if err := sess.Query(`INSERT INTO stack_smoke.events (user_id, ts, note) VALUES (?, ?, ?)`,
			user, base.Add(time.Duration(i)*time.Second), fmt.Sprintf("event %d '", i)).WithContext(ctx).Exec(); err != nil {
			t.Fatalf("insert: %v", err)
		}
	}
	iter := sess.Query(`SELECT ts, note FROM stack_smoke.events WHERE user_id = ?`, user).WithContext(ctx).Iter()
	var notes []string
	var ts time.Time
	var note string
	for iter.Scan(&ts, &note) {
		notes = append(notes, note)
	}
	if err := iter.Close(); err != nil {
		t.Fatalf("select: %v", err)
	}
	// Newest first, as the clustering order says.
	if want := []string{"event 2 '", "event 1 '", "event 0 '"}; strings.Join(notes, "|") != strings.Join(want, "|") {
		t.Fatalf("read back %q, want %q", notes, want)
	}
}

func TestNeo4jRoundTrip(t *testing.T) {
	s := storetest.Settings(t)
	storetest.Require(t, "Neo4j", s.Neo4jURI()[len("bolt://"):])
	ctx := storetest.Context(t, time.Minute)
	driver, err := neo4j.NewDriverWithContext(s.Neo4jURI(), neo4j.NoAuth())
	if err != nil {
		t.Fatalf("driver: %v", err)
	}
	defer driver.Close(ctx)
	id, title := storetest.Unique(), "Ocean's \"Eleven\""
	_, err = neo4j.ExecuteQuery(ctx, driver,
		`CREATE (u:SmokeUser {id: $id})-[:WATCHED {completed: true}]->(:SmokeContent {id: $id, title: $title})`,
		map[string]any{"id": id, "title": title}, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	t.Cleanup(func() {
		neo4j.ExecuteQuery(ctx, driver, `MATCH (n) WHERE (n:SmokeUser OR n:SmokeContent) AND n.id = $id DETACH DELETE n`,
			map[string]any{"id": id}, neo4j.EagerResultTransformer)
	})
	res, err := neo4j.ExecuteQuery(ctx, driver,
		`MATCH (:SmokeUser {id: $id})-[w:WATCHED]->(c:SmokeContent) RETURN c.title AS title, w.completed AS completed`,
		map[string]any{"id": id}, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithReadersRouting())
	if err != nil {
		t.Fatalf("match: %v", err)
	}
	if len(res.Records) != 1 {
		t.Fatalf("got %d records, want 1", len(res.Records))
	}
	gotTitle, _ := res.Records[0].Get("title")
	completed, _ := res.Records[0].Get("completed")
	if gotTitle != title || completed != true {
		t.Fatalf("read back (%v, %v), want (%q, true)", gotTitle, completed, title)
	}
}

func TestSearchRoundTrip(t *testing.T) {
	s := storetest.Settings(t)
	storetest.Require(t, "search server", s.SearchURL()[len("http://"):])
	ctx := storetest.Context(t, time.Minute)
	client, err := elastic.NewClient(elastic.SetURL(s.SearchURL()), elastic.SetSniff(false), elastic.SetHealthcheck(false))
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	index := "smoke-" + storetest.Unique()
	_, err = client.CreateIndex(index).BodyString(`{
		"settings": {"number_of_shards": 1, "number_of_replicas": 0},
		"mappings": {"properties": {
			"title": {"type": "text", "analyzer": "spanish"},
			"genres": {"type": "keyword"},
			"rating_avg": {"type": "float"}}}}`).Do(ctx)
	if err != nil {
		t.Fatalf("create index: %v", err)
	}
	t.Cleanup(func() { client.DeleteIndex(index).Do(ctx) })
	docs := map[string]map[string]any{
		"1": {"title": "Las películas del océano", "genres": []string{"drama"}, "rating_avg": 4.5},
		"2": {"title": "Película de terror", "genres": []string{"horror"}, "rating_avg": 4.8},
		"3": {"title": "Otra película", "genres": []string{"drama"}, "rating_avg": 3.1},
	}
	bulk := client.Bulk().Index(index).Refresh("true")
	for id, d := range docs {
		bulk.Add(elastic.NewBulkIndexRequest().Id(id).Doc(d))
	}
	resp, err := bulk.Do(ctx)
	if err != nil || resp.Errors {
		t.Fatalf("bulk: %v (item errors: %v)", err, resp != nil && resp.Errors)
	}
	got, err := client.Get().Index(index).Id("1").Do(ctx)
	if err != nil || !got.Found {
		t.Fatalf("get: %v (found %v)", err, got != nil && got.Found)
	}
	// The brief's query shape: full text (the Spanish stemmer matches "pelicula" to "películas"), genre terms, rating.
	q := elastic.NewBoolQuery().
		Must(elastic.NewMatchQuery("title", "pelicula")).
		Filter(elastic.NewTermsQuery("genres", "drama"), elastic.NewRangeQuery("rating_avg").Gte(4.0))
	res, err := client.Search(index).Query(q).Do(ctx)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if res.TotalHits() != 1 || res.Hits.Hits[0].Id != "1" {
		ids := []string{}
		for _, h := range res.Hits.Hits {
			ids = append(ids, h.Id)
		}
		t.Fatalf("search hits %v, want [1]", ids)
	}
}
