#!/usr/bin/env bash
# The full-screen app on the PostgreSQL store (store.backend: postgres),
# from a machine whose local store is empty: a question is answered from
# the server's chunks and cites them, a cited chunk opens with the server's
# document text, no freshness mark is drawn for files on another machine,
# u says where to ingest, and the app keeps answering after the server
# restarts. Skipped when PostgreSQL 15 or pgvector is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/../integration/pg_server.sh"
pg_start
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
trap 'pg_stop; sandbox_cleanup' EXIT
export RAGDECK_THEME_DIR=$here/../../themes
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

printf 'store:\n  backend: postgres\n  url: "%s"\n' "$PG_URL" > "$work/pg.yaml"
"$ragdeck" --config "$work/pg.yaml" --db "$work/ingest.db" ingest --collection default "$here/../../examples/kb" > /dev/null 2>&1
check "the kb is published to the server" test "$("$PG_BIN/psql" -qtAX -c 'SELECT count(*) FROM documents')" -gt 60
db=$work/empty.db
export RAGDECK_CONFIG=$work/pg.yaml

start_app
keys "How many days do I have to ask for a refund on a monthly plan?" Enter
check "the answer cites the refund policy from the server" wait_for 'refund-policy\.md:[0-9]+-[0-9]+' 10
check "the local store holds no chunk" test "$(sql "SELECT count(*) FROM chunks")" = 0
keys Tab Tab
check "the context pane takes the focus" wait_for '2 context \*' 3
check "no stale or deleted mark for files on the ingesting machine" wait_gone 'stale|deleted' 1
keys g Enter
check "a cited chunk opens in the viewer" wait_for '─ .*refund-policy\.md \*' 5
check "... with the server's document text" wait_for 'Monthly plan, request within \*\*14 days\*\*' 3
keys Escape
wait_gone '─ .*refund-policy\.md \*' 3
keys u
check "u says the files are ingested where they are kept" wait_for 'ingest its files where they are kept' 3
pg_restart
keys Tab Tab Tab "Can I get a refund on an annual plan after two weeks?" Enter
# answered_from_server: the query log's newest turn is the second and was
# given context from the server.
answered_from_server() {
	for _ in $(seq 1 50); do
		[ "$(sql "SELECT count(*) FROM queries")" = 2 ] &&
			[ "$(sql "SELECT context_tokens > 0 AND error = '' FROM queries ORDER BY id DESC LIMIT 1")" = 1 ] && return 0
		sleep 0.2
	done
	return 1
}
check "after a server restart the next question is answered with the server's chunks" answered_from_server
keys q
tap_done
