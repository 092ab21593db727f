package config

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// publishedTokens are the development tokens printed in this repository (README, Taskfile): whoever has read them
// would be an operator of a server that accepted them.
var publishedTokens = []string{"local-admin-token-change-me", "local-service-token-change-me"}

// minSecretLen is the shortest token production accepts: 32 characters of a random token carry enough entropy.
const minSecretLen = 32

// checkProduction lists every setting that is only safe on a laptop, one error each.
func (c Config) checkProduction() []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, t := range []struct{ flag, value string }{{"admin-token", c.AdminToken}, {"service-token", c.ServiceToken}} {
		switch {
		case t.value == "": // the role is disabled
		case slices.Contains(publishedTokens, t.value):
			fail("-%s: the published development token; set a secret of your own (production)", t.flag)
		case len(t.value) < minSecretLen:
			fail("-%s: %d characters is too short for a secret; want at least %d (production)", t.flag, len(t.value), minSecretLen)
		}
	}
	if c.Payments == PaymentsLocal {
		fail("-payments=local: the simulated processor approves test tokens for free; use -payments=stripe (production)")
	}
	if c.FingerprintKey == DevFingerprintKey {
		fail("-idempotency-fingerprint-key: the published development key; set a secret of your own (production)")
	}
	if c.TLSCertFile == "" && !c.TLSUpstream {
		fail("-tls-cert-file: the API would listen in plaintext; give -tls-cert-file and -tls-key-file, or set " +
			"-tls-terminated-upstream=true when TLS ends in front of this server (production)")
	}
	if u, err := url.Parse(c.PostgresURL); err != nil || u.User == nil {
		fail("-postgres-url: no user in the URL (production)")
	} else if _, ok := u.User.Password(); !ok && u.Query().Get("sslcert") == "" {
		fail("-postgres-url: no credential: a password or a client certificate (sslcert) (production)")
	}
	if c.Neo4jUser == "" || c.Neo4jPassword == "" {
		fail("-neo4j-user, -neo4j-password: the graph needs credentials (production)")
	}
	if c.RedisPassword == "" {
		fail("-redis-password: Redis needs a credential (an ACL user's password, or the default user's) (production)")
	}
	if c.CassandraUser == "" || c.CassandraPassword == "" {
		fail("-cassandra-user, -cassandra-password: Cassandra needs credentials (production)")
	}
	if c.SearchAPIKey == "" && (c.SearchUser == "" || c.SearchPassword == "") {
		fail("-search-user, -search-password (or -search-api-key): the search server needs credentials (production)")
	}
	if replicas, ok := minReplicas(c.CassandraReplication); ok {
		quorum := strings.Contains(c.CassandraConsistency, "QUORUM")
		switch {
		case replicas < 2:
			fail("-cassandra-replication=%s: one replica loses its data with its node; want at least 3 per datacenter (production)", c.CassandraReplication)
		case quorum && replicas < 3:
			fail("-cassandra-replication=%s with %s: a quorum of %d replicas is all of them, so losing one node fails every write; want at least 3 per datacenter (production)",
				c.CassandraReplication, c.CassandraConsistency, replicas)
		}
	}
	if c.CassandraConsistency == "ALL" {
		fail("-cassandra-consistency=ALL: losing one replica fails every write; want LOCAL_QUORUM (production)")
	}
	return errs
}

// minReplicas is the smallest replica count in a replication setting ("SimpleStrategy:3",
// "NetworkTopologyStrategy:dc1=3,dc2=3"); ok is false when it names none (the store's own parser reports why).
func minReplicas(s string) (n int, ok bool) {
	_, rest, _ := strings.Cut(s, ":")
	for _, part := range strings.Split(rest, ",") {
		if _, v, found := strings.Cut(part, "="); found {
			part = v
		}
		k, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return 0, false
		}
		if !ok || k < n {
			n, ok = k, true
		}
	}
	return n, ok
}
