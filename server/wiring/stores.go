package wiring

import (
	"fmt"

	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/config"
	neo4jstore "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/search"
)

// The stores' settings as the server's configuration gives them, in one place for every process that connects the
// way streamingd does (streamingd, readcheck, the benchmarks): addresses, credentials and TLS.

// RedisConfig is how to reach Redis.
func RedisConfig(cfg config.Config) redis.Config {
	return redis.Config{Addr: cfg.RedisAddr, ClientCache: cfg.RedisClientCache, Username: cfg.RedisUser,
		Password: cfg.RedisPassword, TLS: cfg.RedisTLS, CAFile: cfg.RedisCAFile,
		DialTimeout: cfg.RedisDialTimeout, IOTimeout: cfg.RedisIOTimeout, Retries: cfg.RedisRetries}
}

// GraphConfig is how to reach Neo4j.
func GraphConfig(cfg config.Config) neo4jstore.Config {
	return neo4jstore.Config{URI: cfg.Neo4jURI, Username: cfg.Neo4jUser, Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase}
}

// SearchConfig is how to reach the search server.
func SearchConfig(cfg config.Config) search.Config {
	return search.Config{URLs: cfg.SearchURLs, Alias: cfg.SearchAlias, Replicas: cfg.SearchReplicas, Username: cfg.SearchUser,
		Password: cfg.SearchPassword, APIKey: cfg.SearchAPIKey, CAFile: cfg.SearchCAFile}
}

// CassandraConfig is how to reach Cassandra (without the tracer and logger, which the caller adds).
func CassandraConfig(cfg config.Config) (cassandra.Config, error) {
	consistency, err := cassandra.ParseConsistency(cfg.CassandraConsistency)
	if err != nil {
		return cassandra.Config{}, fmt.Errorf("-cassandra-consistency=%q: %w", cfg.CassandraConsistency, err)
	}
	replication, err := cassandra.ParseReplication(cfg.CassandraReplication)
	if err != nil {
		return cassandra.Config{}, fmt.Errorf("-cassandra-replication=%q: %w", cfg.CassandraReplication, err)
	}
	return cassandra.Config{Hosts: cfg.CassandraHosts, Keyspace: cfg.CassandraKeyspace,
		Replication: replication, LocalDC: cfg.CassandraLocalDC, Consistency: consistency,
		// The store refuses future timestamps past this skew (they would win every later write): keep it in step
		// with what ingest accepts, or accepted events would fail to store.
		MaxClockSkew: cfg.IngestMaxSkew, Username: cfg.CassandraUser, Password: cfg.CassandraPassword,
		TLS: cfg.CassandraTLS, CAFile: cfg.CassandraCA}, nil
}
