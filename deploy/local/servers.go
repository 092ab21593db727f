package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gocql/gocql"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/olivere/elastic/v7"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

func dialer() net.Dialer { return net.Dialer{Timeout: 2 * time.Second} }

// cassandraName is the stack's name of Cassandra node i (from 1): cassandra, cassandra2, cassandra3, ...
func cassandraName(i int) string {
	if i == 1 {
		return "cassandra"
	}
	return "cassandra" + strconv.Itoa(i)
}

// newCassandra is node i (from 1) of Apache Cassandra 5.0, run by its own daemon class, configured by a rendered
// cassandra.yaml. Every node has the first as its seed; with more than one, hinted handoff is on, so a node that was
// down gets the writes it missed when it comes back.
func newCassandra(cfg stackenv.Settings, i int) *jvmServer {
	host := cfg.CassandraNodeHost(i)
	addr := net.JoinHostPort(host, strconv.Itoa(cfg.CassandraPort))
	j := newJVMServer(cassandraName(i), "cassandra", "org.apache.cassandra.service.CassandraDaemon", "conf",
		addr, home(cfg, cassandraName(i)))
	j.vars = map[string]string{
		"HOST": host, "PORT": strconv.Itoa(cfg.CassandraPort),
		"STORAGE_PORT": strconv.Itoa(cfg.CassandraStoragePort), "HEAP": cfg.CassandraHeap,
		"SEEDS":         net.JoinHostPort(cfg.CassandraNodeHost(1), strconv.Itoa(cfg.CassandraStoragePort)),
		"HINTS":         strconv.FormatBool(cfg.CassandraNodes > 1),
		"AUTHENTICATOR": "AllowAllAuthenticator", "CLIENT_ENCRYPTION": "",
	}
	if cfg.TLS {
		// Clients authenticate (the default superuser, created at start) and must speak TLS; the key and
		// certificate come as one unencrypted PEM file.
		j.vars["AUTHENTICATOR"] = "PasswordAuthenticator"
		j.vars["CLIENT_ENCRYPTION"] = "client_encryption_options:\n  enabled: true\n  optional: false\n" +
			"  require_client_auth: false\n  ssl_context_factory:\n" +
			"    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n" +
			"  keystore: " + filepath.Join(cfg.TLSDir(), serverBundleFile) + "\n"
	}
	j.ports = map[string]int{"STACK_CASSANDRA_PORT": cfg.CassandraPort, "STACK_CASSANDRA_STORAGE_PORT": cfg.CassandraStoragePort}
	j.probe = func(ctx context.Context) (string, error) {
		cluster := gocql.NewCluster(host)
		cluster.Port = cfg.CassandraPort
		cluster.ProtoVersion = 4
		cluster.Timeout = 5 * time.Second
		cluster.ConnectTimeout = 2 * time.Second
		cluster.DisableInitialHostLookup = true
		cluster.NumConns = 1
		cluster.Logger = log.New(io.Discard, "", 0) // refused connections while starting are expected
		if cfg.TLS {
			tc, err := stackTLS(cfg)
			if err != nil {
				return "", err
			}
			cluster.SslOpts = &gocql.SslOptions{Config: tc, EnableHostVerification: true}
			cluster.Authenticator = gocql.PasswordAuthenticator{Username: stackenv.CassandraUser, Password: stackenv.CassandraPassword}
		}
		s, err := cluster.CreateSession()
		if err != nil {
			return "", err
		}
		defer s.Close()
		var v string
		if err := s.Query("SELECT release_version FROM system.local").WithContext(ctx).Scan(&v); err != nil {
			return "", err
		}
		return "Cassandra " + v, nil
	}
	return j
}

// newNeo4j is Neo4j Community 5.26, embedded in our launcher with the Bolt connector and no authentication.
func newNeo4j(cfg stackenv.Settings) *jvmServer {
	j := newJVMServer("neo4j", "neo4j", "Neo4jLauncher", "conf", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Neo4jPort)), home(cfg, "neo4j"))
	j.vars = map[string]string{
		"HOST": cfg.Host, "PORT": strconv.Itoa(cfg.Neo4jPort), "HEAP": cfg.Neo4jHeap, "PAGECACHE": cfg.Neo4jPagecache,
	}
	j.ports = map[string]int{"STACK_NEO4J_PORT": cfg.Neo4jPort}
	j.probe = func(ctx context.Context) (string, error) {
		driver, err := neo4j.NewDriverWithContext(cfg.Neo4jURI(), neo4j.NoAuth(), func(c *neo4j.Config) {
			c.SocketConnectTimeout = 2 * time.Second
			c.MaxConnectionPoolSize = 1
		})
		if err != nil {
			return "", err
		}
		defer driver.Close(context.WithoutCancel(ctx))
		res, err := neo4j.ExecuteQuery(ctx, driver,
			"CALL dbms.components() YIELD versions, edition RETURN 'Neo4j ' + versions[0] + ' ' + edition AS v",
			nil, neo4j.EagerResultTransformer)
		if err != nil {
			return "", err
		}
		if len(res.Records) == 0 {
			return "", fmt.Errorf("dbms.components() returned nothing")
		}
		v, _ := res.Records[0].Get("v")
		return fmt.Sprint(v), nil
	}
	return j
}

// searchName is the stack's name of search node i (from 1): search, search2.
func searchName(i int) string {
	if i == 1 {
		return "search"
	}
	return "search" + strconv.Itoa(i)
}

// searchNodeName is the OpenSearch node name of the node listening on host:port: unique per node of a local
// cluster, whose nodes share their ports on different loopback addresses.
func searchNodeName(host string, port int) string { return "local-" + host + "-" + strconv.Itoa(port) }

// newSearch is node i (from 1) of OpenSearch 2.19, an Elasticsearch 7 API server, embedded in our launcher. One node
// runs alone (single-node discovery, no replicas). Two form one cluster: both seeded with both transport addresses,
// the first the only cluster-manager-eligible node (with two eligible nodes the voting configuration holds just one
// of them, so losing that one would stop every write; this way which node may be lost is known: the second), and
// new indices get one replica. The nodes may start in parallel: the second waits for the first to elect itself.
func newSearch(cfg stackenv.Settings, i int) *jvmServer {
	host := cfg.NodeHost(i)
	url := cfg.SearchNodeURL(i)
	j := newJVMServer(searchName(i), "opensearch", "OpenSearchLauncher", "config", url, home(cfg, searchName(i)))
	seeds := ""
	if cfg.SearchNodes > 1 {
		for n := 1; n <= cfg.SearchNodes; n++ {
			if n > 1 {
				seeds += ","
			}
			seeds += net.JoinHostPort(cfg.NodeHost(n), strconv.Itoa(cfg.SearchTransportPort))
		}
	}
	j.vars = map[string]string{
		"HOST": host, "PORT": strconv.Itoa(cfg.SearchPort),
		"TRANSPORT_PORT": strconv.Itoa(cfg.SearchTransportPort), "HEAP": cfg.SearchHeap,
		"NODE_NAME": searchNodeName(host, cfg.SearchPort),
		"SEEDS":     seeds,
		"MANAGER":   searchNodeName(cfg.NodeHost(1), cfg.SearchPort),
		"REPLICAS":  strconv.Itoa(cfg.SearchNodes - 1),
	}
	j.ports = map[string]int{"STACK_SEARCH_PORT": cfg.SearchPort, "STACK_SEARCH_TRANSPORT_PORT": cfg.SearchTransportPort}
	j.probe = func(ctx context.Context) (string, error) {
		client, err := elastic.NewSimpleClient(elastic.SetURL(url),
			elastic.SetHttpClient(&http.Client{Timeout: 5 * time.Second}))
		if err != nil {
			return "", err
		}
		defer client.Stop()
		res, err := client.PerformRequest(ctx, elastic.PerformRequestOptions{Method: "GET", Path: "/"})
		if err != nil {
			return "", err
		}
		var root struct {
			Version struct{ Number, Distribution string } `json:"version"`
		}
		if err := json.Unmarshal(res.Body, &root); err != nil {
			return "", fmt.Errorf("GET /: %w", err)
		}
		health, err := client.ClusterHealth().Do(ctx)
		if err != nil {
			return "", err
		}
		if health.Status == "red" {
			return "", fmt.Errorf("cluster health is red")
		}
		name := "Elasticsearch"
		if root.Version.Distribution == "opensearch" {
			name = "OpenSearch"
		}
		if cfg.SearchNodes > 1 {
			return fmt.Sprintf("%s %s (%d of %d nodes, %s)", name, root.Version.Number, health.NumberOfNodes,
				cfg.SearchNodes, health.Status), nil
		}
		return name + " " + root.Version.Number, nil
	}
	return j
}
