#!/usr/bin/env bash
# with-server.sh CMD [ARG...]: build streamingd, start it against the running local stack on ports of its own, wait
# until it is ready, run CMD with the server's addresses in the environment, then stop the server. CMD's exit status
# is the script's. For test suites in other languages (TypeScript, Kotlin) that talk to a real server.
#
# CMD sees:
#   STREAMING_TEST_GRPC_ADDR      host:port of the gRPC API (plaintext)
#   STREAMING_TEST_HTTP_URL       http://host:port of the REST gateway (and /openapi.json)
#   STREAMING_TEST_ADMIN_TOKEN    the operator's bearer token
#   STREAMING_TEST_SERVICE_TOKEN  the internal services' bearer token
#
# Settings: WITH_SERVER_HOST (STACK_HOST, else 127.0.0.1), WITH_SERVER_GRPC_PORT (50151), WITH_SERVER_HTTP_PORT (8180),
# WITH_SERVER_OPS_PORT (9190), STACK (the stack command, .stack/bin/stack). The stack must be up (go tool task stack:up).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
stack="${STACK:-$root/.stack/bin/stack}"
host="${WITH_SERVER_HOST:-${STACK_HOST:-127.0.0.1}}"
grpc_addr="$host:${WITH_SERVER_GRPC_PORT:-50151}"
http_addr="$host:${WITH_SERVER_HTTP_PORT:-8180}"
ops_addr="$host:${WITH_SERVER_OPS_PORT:-9190}"

if [ "$#" -eq 0 ]; then
  echo "usage: with-server.sh CMD [ARG...]" >&2
  exit 2
fi

mkdir -p "$root/.build"
bin="$root/.build/streamingd"
log="$root/.build/with-server.log"
(cd "$root" && go build -o "$bin" ./server/cmd/streamingd)

eval "$("$stack" server-env)"
export STREAMING_GRPC_ADDR="$grpc_addr" STREAMING_HTTP_ADDR="$http_addr" STREAMING_OPS_ADDR="$ops_addr"
export STREAMING_ADMIN_TOKEN="${STREAMING_ADMIN_TOKEN:-local-admin-token-change-me}"
export STREAMING_SERVICE_TOKEN="${STREAMING_SERVICE_TOKEN:-local-service-token-change-me}"
# One local replica: ONE and LOCAL_QUORUM mean the same (as `go tool task run` sets it).
export STREAMING_CASSANDRA_CONSISTENCY="${STREAMING_CASSANDRA_CONSISTENCY:-ONE}"

"$bin" >"$log" 2>&1 &
pid=$!
stop() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap stop EXIT

ready=""
for _ in $(seq 1 600); do # up to 60 s: the first start migrates the database and creates the index
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "with-server: streamingd exited before it was ready; its log ($log):" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  if curl -fsS "http://$ops_addr/readyz" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "with-server: streamingd not ready after 60 s; its log ($log):" >&2
  tail -n 40 "$log" >&2
  exit 1
fi

export STREAMING_TEST_GRPC_ADDR="$grpc_addr"
export STREAMING_TEST_HTTP_URL="http://$http_addr"
export STREAMING_TEST_ADMIN_TOKEN="$STREAMING_ADMIN_TOKEN"
export STREAMING_TEST_SERVICE_TOKEN="$STREAMING_SERVICE_TOKEN"
status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "with-server: '$*' failed ($status); the server's log is $log" >&2
fi
exit "$status"
