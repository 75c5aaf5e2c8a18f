#!/usr/bin/env bash
# bench_pg.sh: bench_pg (bench_pg.c: publish, search latency, HNSW recall
# and 8-client throughput of the PostgreSQL + pgvector store against the
# SQLite one) on a private PostgreSQL 15 server with pgvector, started and
# stopped here with tests/integration/pg_server.sh.
#
#   tests/bench/bench_pg.sh [--chunks N] [--quick]
#
# The arguments go to bench_pg ($BENCH_PG, default build/tests/bench/
# bench_pg), with --url naming the server's empty database. When
# PostgreSQL 15 or pgvector is missing, says "skipped: ..." and exits 0;
# otherwise exits with bench_pg's status.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bench=${BENCH_PG:-$repo/build/tests/bench/bench_pg}

# pg_start exits 77 when it skips (after a "1..0 # SKIP reason" line), so
# the server and the benchmark run in a subshell whose status says so;
# its EXIT trap stops the server.
rc=0
(
	. "$here/../integration/pg_server.sh"
	pg_start
	"$bench" --url "$PG_URL" "$@"
) || rc=$?
if [ "$rc" -eq 77 ]; then
	echo "skipped: no PostgreSQL 15 with pgvector to run on (the SKIP line above says why)"
	exit 0
fi
exit "$rc"
