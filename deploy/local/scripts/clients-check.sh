#!/usr/bin/env bash
# Shows that each server of the local stack answers clients that are not ours: psql, redis-cli, curl, cqlsh (a
# CQL client from PyPI) and the official Neo4j Python driver (a Bolt client from PyPI). Read-only except for one
# Redis key with a TTL. Run it with `go tool task stack:clients` after `go tool task stack:up`.
set -euo pipefail
eval "$("$STACK" env)"
venv="$STACK_HOME/tools/venv"
if [ ! -x "$venv/bin/cqlsh" ]; then
  echo "installing cqlsh and the neo4j Python driver into $venv (first run only)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q cqlsh==6.2.2 neo4j==6.4.1
fi
h="$STACK_HOST"

echo "== psql"
PGPASSWORD="$STACK_POSTGRES_PASSWORD" psql -h "$h" -p "$STACK_POSTGRES_PORT" -U "$STACK_POSTGRES_USER" \
  -d "$STACK_POSTGRES_DB" -Atc "SELECT 'postgres says: ' || version()"
echo "== redis-cli"
redis-cli -h "$h" -p "$STACK_REDIS_PORT" SET clients-check ok EX 60 >/dev/null
echo "redis says: $(redis-cli -h "$h" -p "$STACK_REDIS_PORT" GET clients-check), $(redis-cli -h "$h" -p "$STACK_REDIS_PORT" INFO server | grep redis_version)"
echo "== curl (search)"
curl -fsS "http://$h:$STACK_SEARCH_PORT/_cluster/health?pretty" | grep -E '"(cluster_name|status)"'
echo "== cqlsh"
"$venv/bin/cqlsh" "$h" "$STACK_CASSANDRA_PORT" -e "SELECT cluster_name, release_version FROM system.local"
echo "== neo4j Python driver (Bolt)"
"$venv/bin/python" - "$h" "$STACK_NEO4J_PORT" <<'PY'
import sys
from neo4j import GraphDatabase
with GraphDatabase.driver(f"bolt://{sys.argv[1]}:{sys.argv[2]}", auth=None) as d:
    rec, _, _ = d.execute_query("CALL dbms.components() YIELD name, versions RETURN name, versions[0] AS v")
    print("neo4j says:", rec[0]["name"], rec[0]["v"])
PY
