package wiring

import (
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
