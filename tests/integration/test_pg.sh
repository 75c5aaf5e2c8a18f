#!/usr/bin/env bash
# The PostgreSQL store (store.backend: postgres) through the real binary,
# against a private PostgreSQL 15 + pgvector server started here
# (pg_server.sh; skipped when neither can be had): config check, ingest
# that publishes, the same search results and golden-set retrieval
# metrics as the SQLite store (exact) and with HNSW, documents changed and
# deleted, eight searches while a publish runs, a server restart, a
# publish killed with SIGKILL, and a URL holding a password.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/pg_server.sh"
pg_start
. "$here/sandbox.sh"
trap 'pg_stop; sandbox_cleanup' EXIT
root=$(cd "$here/../.." && pwd)

# config FILE HNSW_MIN_ROWS: a config on the test server.
config() {
	printf 'store:\n  backend: postgres\n  url: "%s"\n  hnsw_min_rows: %s\n' "$PG_URL" "$2" > "$1"
}
config "$work/pg.yaml" 0
config "$work/hnsw.yaml" 100
printf 'store:\n  backend: postgres\n  url: "postgresql:///nowhere?host=%s/none&port=1"\n' "$work" > "$work/down.yaml"
sql() { "$PG_BIN/psql" -qtAX -c "$1"; }
pg() { "$ragdeck" --config "$work/pg.yaml" "$@"; }

# ---- config check ---------------------------------------------------------
pg --db "$work/a.db" config check > /dev/null 2> "$work/check.txt"
check "config check on a new server exits 0" test $? -eq 0
check "... says the server is reachable" grep -q "^# store: server ragdeck@.* reachable (PostgreSQL 15" "$work/check.txt"
check "... that the extension is available" grep -q "^# store: extension vector 0.8.6 available" "$work/check.txt"
check "... and that the schema is not yet there" grep -q "^# store: schema 0, this ragdeck writes 1" "$work/check.txt"
"$ragdeck" --config "$work/down.yaml" --db "$work/a.db" config check > /dev/null 2> "$work/down.txt"
check "config check on a server that is down exits 1" test $? -eq 1
check "... with one line saying it cannot connect" bash -c "grep -c '^# store: cannot connect to the PostgreSQL store' '$work/down.txt' | grep -qx 1"

# ---- ingest publishes --------------------------------------------------------
cp -r "$root/examples/kb" "$work/kb"
pg --db "$work/a.db" ingest "$work/kb" > "$work/ingest.txt" 2>&1
check "ingest with store.backend postgres exits 0" test $? -eq 0
docs=$(sqlite3 "$work/a.db" "SELECT count(*) FROM documents")
chunks=$(sqlite3 "$work/a.db" "SELECT count(*) FROM chunks")
check "... and publishes every document, chunk and vector ($docs, $chunks)" \
	grep -q "server now holds $docs documents, $chunks chunks, $chunks vectors" "$work/ingest.txt"
check "the server has the vector extension and schema 1" \
	test "$(sql "SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vector') || ' ' || max(version) FROM ragdeck_schema")" = "0.8.6 1"
check "the vectors are pgvector vectors of 384 dimensions" test "$(sql "SELECT DISTINCT vector_dims(embedding) FROM embeddings")" = 384
check "full text has a GIN index" test "$(sql "SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '%USING gin (tsv)%'")" = 1
pg --db "$work/a.db" publish --json > "$work/again.json" 2>&1
check "publishing again writes nothing" test "$(json_get "$work/again.json" "j['documents_written'], j['documents_unchanged']")" = "(0, $docs)"
pg --db "$work/a.db" config check > /dev/null 2> "$work/check2.txt"
check "config check then says the extension is installed and the schema current" \
	bash -c "grep -q '^# store: extension vector 0.8.6 installed' '$work/check2.txt' && grep -q '^# store: schema 1 current' '$work/check2.txt'"

# ---- the same results as SQLite --------------------------------------------
# hits FILE: "path:line_start" of every hit of search --json output.
hits() { python3 -c 'import json,sys; print(" ".join("%s:%d" % (h["path"], h["line_start"]) for h in json.load(open(sys.argv[1]))["hits"]))' "$1"; }
same=0
total=0
while IFS= read -r q; do
	for mode in hybrid fts vector; do
		total=$((total + 1))
		"$ragdeck" --db "$work/a.db" search --json -k 10 --mode "$mode" "$q" > "$work/local.json" 2>/dev/null < /dev/null
		pg --db "$work/empty.db" search --json -k 10 --mode "$mode" "$q" > "$work/server.json" 2>/dev/null < /dev/null
		if [ "$(hits "$work/local.json")" = "$(hits "$work/server.json")" ] && [ -n "$(hits "$work/local.json")" ]; then
			same=$((same + 1))
		else
			echo "# $mode \"$q\": SQLite $(hits "$work/local.json")"
			echo "# $mode \"$q\": server $(hits "$work/server.json")"
		fi
	done
done <<'EOF'
my laptop keeps asking me to sign in again
refund policy for annual plans
how do I restore a deleted file
DW-1043 error when syncing
which port does the agent listen on
can I get my money back after two weeks
EOF
check "search from another machine finds the same top 10 as SQLite ($same of $total queries x modes)" test "$same" -eq "$total"
check "... a client with an empty local store" test "$(sqlite3 "$work/empty.db" "SELECT count(*) FROM chunks")" = 0

pg --db "$work/empty.db" search --explain policies/refund-policy.md "refund policy" > /dev/null 2> "$work/explain.err"
check "search --explain on the server store exits 1" test $? -eq 1
check "... saying it traces the local store" grep -q 'traced on the local store' "$work/explain.err"

# metrics FILE: the retrieval numbers of eval --json.
metrics() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["overall"]["retrieval"]; print("%.4f %.4f %.4f" % (r["recall_1"], r["recall_k"], r["mrr10"]))' "$1"; }
for mode in hybrid fts vector; do
	"$ragdeck" --db "$work/a.db" eval --json --mode "$mode" "$root/examples/golden.yaml" > "$work/eval-local-$mode.json" 2>/dev/null
	pg --db "$work/empty.db" eval --json --mode "$mode" "$root/examples/golden.yaml" > "$work/eval-pg-$mode.json" 2>/dev/null
	check "golden set, $mode: the same recall@1, recall@k and MRR on both stores ($(metrics "$work/eval-local-$mode.json"))" \
		test "$(metrics "$work/eval-local-$mode.json")" = "$(metrics "$work/eval-pg-$mode.json")"
done

# ---- pull: the server's collection into a local store -------------------------
"$ragdeck" --db "$work/pulled.db" pull --from "$PG_URL" --json > "$work/pull.json" 2> "$work/pull.err"
check "pull into a new local store exits 0" test $? -eq 0
check "... writes every document, chunk and vector" \
	test "$(json_get "$work/pull.json" "j['documents_written'], j['chunks'], j['vectors']")" = "($docs, $chunks, $chunks)"
same=0
for q in "my laptop keeps asking me to sign in again" "refund policy for annual plans" "DW-1043 error when syncing"; do
	"$ragdeck" --db "$work/a.db" search --json -k 10 "$q" > "$work/local.json" 2>/dev/null < /dev/null
	"$ragdeck" --db "$work/pulled.db" search --json -k 10 "$q" > "$work/pulled.json" 2>/dev/null < /dev/null
	[ "$(hits "$work/local.json")" = "$(hits "$work/pulled.json")" ] && same=$((same + 1))
done
check "... and searching it offline gives the ingesting store's results (3 queries)" test "$same" -eq 3
"$ragdeck" --db "$work/pulled.db" pull --from "$PG_URL" --json > "$work/pull2.json" 2>/dev/null
check "pulling again writes nothing" test "$(json_get "$work/pull2.json" "j['documents_written'], j['documents_unchanged']")" = "(0, $docs)"
pg --db "$work/pulled.db" publish --json > "$work/roundtrip.json" 2>/dev/null
check "publishing the pulled copy finds every document unchanged (a faithful round trip)" \
	test "$(json_get "$work/roundtrip.json" "j['documents_written'], j['documents_deleted']")" = "(0, 0)"
printf 'embedder:\n  dim: 256\n' > "$work/dim256.yaml"
printf 'Other words.\n' > "$work/other.md"
"$ragdeck" --config "$work/dim256.yaml" --db "$work/other.db" ingest "$work/other.md" > /dev/null 2>&1
"$ragdeck" --db "$work/other.db" pull --from "$PG_URL" > /dev/null 2> "$work/mismatch.err"
check "pull into a collection of another model exits 1" test $? -eq 1
check "... naming both models" grep -q "holds vectors of hash-v1-256 (256 dimensions), the server's are of hash-v1-384" "$work/mismatch.err"

# ---- HNSW ---------------------------------------------------------------------
"$ragdeck" --config "$work/hnsw.yaml" --db "$work/a.db" publish --json > "$work/hnsw.json" 2>&1
check "a collection over hnsw_min_rows gets an HNSW index" test "$(json_get "$work/hnsw.json" "j['hnsw_built']")" = True
check "... on the cosine (inner product) operator" test "$(sql "SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '%USING hnsw%vector_ip_ops%'")" = 1
"$ragdeck" --config "$work/hnsw.yaml" --db "$work/empty.db" eval --json --mode vector "$root/examples/golden.yaml" > "$work/eval-hnsw.json" 2>/dev/null
recall() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][0]["overall"]["retrieval"]["recall_k"])' "$1"; }
# index_used: the server counted scans of the HNSW index (a backend's
# counts reach the statistics within a second or so of its exit).
index_used() {
	for _ in $(seq 1 50); do
		[ "$(sql "SELECT coalesce(sum(idx_scan), 0) > 0 FROM pg_stat_user_indexes WHERE indexrelname LIKE 'embeddings_hnsw_%'")" = t ] && return 0
		sleep 0.1
	done
	return 1
}
check "... and the eval's vector searches went through it" index_used
check "golden set with HNSW: recall@k within 0.01 of exact ($(recall "$work/eval-hnsw.json") vs $(recall "$work/eval-pg-vector.json"))" \
	python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 0.01)' "$(recall "$work/eval-hnsw.json")" "$(recall "$work/eval-pg-vector.json")"

# ---- changes, deletions ----------------------------------------------------
printf '# Zebra crossings\n\nThe quagga protocol replaces the zebra handshake.\n' > "$work/kb/zebra.md"
rm "$work/kb/faq/sharing-and-links.md"
pg --db "$work/a.db" ingest --prune "$work/kb" > "$work/ingest2.txt" 2>&1
check "a second ingest publishes the new document and the deletion" \
	grep -q "1 documents written, $((docs - 1)) unchanged, 1 deleted" "$work/ingest2.txt"
pg --db "$work/empty.db" search --json --mode fts "quagga protocol" > "$work/new.json" 2>/dev/null
check "... another client finds the new document" bash -c "hits() { $(declare -f hits | tail -n +2); }; hits '$work/new.json' | grep -q 'zebra.md'"
check "... and no longer the deleted one" test "$(sql "SELECT count(*) FROM documents WHERE path LIKE '%sharing-and-links.md'")" = 0
check "the lexicon's chunk count of every lexeme matches the chunks" \
	test "$(sql "SELECT count(*) FROM (SELECT u.lexeme, count(*) AS n FROM chunks c CROSS JOIN LATERAL unnest(c.tsv) u GROUP BY u.lexeme) g FULL JOIN lexemes l USING (lexeme) WHERE coalesce(g.n, 0) <> coalesce(l.chunks, 0)")" = 0
check "the collection's BM25 totals and vector count match its rows" \
	test "$(sql "SELECT c.chunks = (SELECT count(*) FROM chunks) AND c.tokens = (SELECT sum(text_terms + heading_terms) FROM chunks) AND c.vectors = (SELECT count(*) FROM embeddings) FROM collections c")" = t

# local_docs: the local store's chunk count per path, for whole_docs.
local_docs() {
	sqlite3 -separator '|' "$work/a.db" "SELECT d.path, count(c.id), count(c.id) FROM documents d
		LEFT JOIN chunks c ON c.document_id = d.id GROUP BY d.path" > "$work/local.txt"
}

# whole_docs: every document on the server has the chunks the local store
# has for it (local_docs; none half written), and each of them its vector.
whole_docs() {
	local me=$BASHPID # expanded here: in a redirection it would be the command's
	"$PG_BIN/psql" -qtAX -F '|' -c "SELECT d.path, count(c.id), count(e.chunk_id) FROM documents d
		LEFT JOIN chunks c ON c.document_id = d.id LEFT JOIN embeddings e ON e.chunk_id = c.id GROUP BY d.path" > "$work/server-$me.txt" || return 1
	python3 - "$work/server-$me.txt" "$work/local.txt" <<'PY'
import sys
def rows(f):
    return dict(l.rstrip("\n").rsplit("|", 2)[0:1] + [tuple(l.rstrip("\n").rsplit("|", 2)[1:])] for l in open(f) if l.strip())
server, local = rows(sys.argv[1]), rows(sys.argv[2])
bad = [p for p, n in server.items() if local.get(p) != n]
for p in bad[:5]:
    print("# not whole on the server: %s %s, local %s" % (p, server[p], local.get(p)))
sys.exit(1 if bad else 0)
PY
}

# ---- eight searches while a publish runs -------------------------------------
for i in $(seq 1 40); do
	printf '# Burst %d\n\nBurst note %d about the quagga relay and offline sync.\n\n## Part\n\nMore text %d.\n' "$i" "$i" "$i" > "$work/kb/burst-$i.md"
done
"$ragdeck" --db "$work/a.db" ingest "$work/kb" > /dev/null 2>&1
local_docs
fails=0
searchers=()
for c in $(seq 1 8); do
	(
		bad=0
		for _ in $(seq 1 10); do
			pg --db "$work/empty.db" search --json --mode fts "quagga relay offline" > "$work/c$c.json" 2>/dev/null || bad=$((bad + 1))
			whole_docs || bad=$((bad + 1))
		done
		exit "$bad"
	) &
	searchers+=($!)
done
pg --db "$work/a.db" publish > "$work/burst.txt" 2>&1
pub=$?
for p in "${searchers[@]}"; do wait "$p" || fails=$((fails + 1)); done
check "a publish of 40 new documents while 8 clients search exits 0" test "$pub" -eq 0
check "... every search succeeded and saw only whole documents" test "$fails" -eq 0

# ---- a server restart --------------------------------------------------------
pg_restart
pg --db "$work/empty.db" search --mode fts "quagga relay" > "$work/after.txt" 2> "$work/after.err"
check "a search after a server restart succeeds" test $? -eq 0
check "... with results" grep -q "burst-" "$work/after.txt"
(pg --db "$work/empty.db" search --mode fts "quagga relay" > /dev/null 2> "$work/during.err"; echo $? > "$work/during.rc") &
sleep 0.05
pg_restart
wait
check "a search during a restart ends in success or one line naming the server" \
	bash -c "test \"\$(cat '$work/during.rc')\" = 0 || { test \$(wc -l < '$work/during.err') -le 2 && grep -q 'PostgreSQL store' '$work/during.err'; }"

# ---- connections ended under a running eval ---------------------------------
# pg_terminate_backend ends ragdeck's server processes while one eval asks
# every golden question on one connection: each statement outside a
# transaction is sent again on a new connection, so no question is lost.
pg --db "$work/empty.db" eval --json --mode fts "$root/examples/golden.yaml" > "$work/eval-calm.json" 2>/dev/null
pg --db "$work/empty.db" eval --json --mode fts "$root/examples/golden.yaml" > "$work/eval-cut.json" 2> "$work/eval-cut.err" &
victim=$!
cuts=0
while kill -0 "$victim" 2>/dev/null && [ "$cuts" -lt 20 ]; do
	n=$(sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'ragdeck'")
	cuts=$((cuts + ${n:-0}))
	sleep 0.1
done
wait "$victim"
check "an eval whose connection is ended $cuts times exits 0" test $? -eq 0
check "... with the same metrics as an undisturbed one" \
	test "$(metrics "$work/eval-cut.json")" = "$(metrics "$work/eval-calm.json")"

# ---- SIGKILL during a publish ------------------------------------------------
for i in $(seq 1 300); do
	printf '# Bulk %d\n\nBulk note %d about relay tuning.\n\n## Detail\n\nDetail %d.\n' "$i" "$i" "$i" > "$work/kb/bulk-$i.md"
done
"$ragdeck" --db "$work/a.db" ingest "$work/kb" > /dev/null 2>&1
local_docs
pg --db "$work/a.db" publish > /dev/null 2>&1 &
victim=$!
for _ in $(seq 1 200); do
	[ "$(sql "SELECT count(*) FROM documents WHERE path LIKE '%bulk-%'")" -gt 20 ] && break
	sleep 0.02
done
kill -9 "$victim" 2>/dev/null
wait "$victim" 2>/dev/null
check "a publish killed with SIGKILL leaves no half-written document ($(sql "SELECT count(*) FROM documents WHERE path LIKE '%bulk-%'") of 300 there)" whole_docs
pg --db "$work/a.db" publish > "$work/resume.txt" 2>&1
check "... and publishing again completes with matching counts" grep -q "(the same as the local store)" "$work/resume.txt"

# ---- two publishes of one collection at once ------------------------------------
# Two ingesting machines with different trees publish together: the
# advisory lock makes them take turns, so the server ends up holding one
# tree whole, never a mix.
mkdir -p "$work/tree-a" "$work/tree-b"
for i in $(seq 1 60); do
	printf '# Tree A %d\n\nAlpha note %d.\n' "$i" "$i" > "$work/tree-a/a-$i.md"
	printf '# Tree B %d\n\nBeta note %d.\n' "$i" "$i" > "$work/tree-b/b-$i.md"
done
"$ragdeck" --db "$work/ta.db" ingest --collection race "$work/tree-a" > /dev/null 2>&1
"$ragdeck" --db "$work/tb.db" ingest --collection race "$work/tree-b" > /dev/null 2>&1
pg --db "$work/ta.db" publish --collection race > /dev/null 2>&1 &
first=$!
pg --db "$work/tb.db" publish --collection race > /dev/null 2>&1
second=$?
wait "$first"
check "two publishes of one collection at once both exit 0" test "$?$second" = 00
race=$(sql "SELECT string_agg(DISTINCT substring(path from '/(a|b)-[0-9]+\.md$'), ',') || ' ' || count(*)
	FROM documents d JOIN collections c ON c.id = d.collection_id WHERE c.name = 'race'")
check "... and the server holds one tree whole, not a mix ($race)" bash -c "[ '$race' = 'a 60' ] || [ '$race' = 'b 60' ]"

# ---- watch mode publishes each batch ------------------------------------------
printf 'store:\n  backend: postgres\n  url: "%s"\ningest:\n  watch_debounce_ms: 100\n' "$PG_URL" > "$work/watch.yaml"
mkdir -p "$work/watched"
printf '# Start\n\nThe first note.\n' > "$work/watched/start.md"
"$ragdeck" --config "$work/watch.yaml" --db "$work/w.db" ingest --watch --collection watched "$work/watched" \
	> "$work/watch.out" 2>&1 &
watcher=$!
# on_server PATTERN: wait up to 10 s for a document path like PATTERN on the server.
on_server() {
	for _ in $(seq 1 100); do
		[ "$(sql "SELECT count(*) FROM documents WHERE path LIKE '$1'")" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}
on_server '%watched/start.md'
printf '# Wombat badge\n\nPair a wombat badge by holding it to the reader.\n' > "$work/watched/wombat.md"
check "a file created under ingest --watch reaches the server" on_server '%watched/wombat.md'
kill -TERM "$watcher"
wait "$watcher"
check "... and the watcher ends with 0 on SIGTERM" test $? -eq 0

# ---- another model, a newer schema --------------------------------------------
printf 'embedder:\n  dim: 256\nstore:\n  backend: postgres\n  url: "%s"\n' "$PG_URL" > "$work/dim256pg.yaml"
"$ragdeck" --config "$work/dim256pg.yaml" --db "$work/m.db" ingest --collection race "$work/tree-a" > "$work/model.txt" 2>&1
check "a collection published with another model is replaced whole" \
	test "$(sql "SELECT c.dim || ' ' || count(*) || ' ' || min(vector_dims(e.embedding)) FROM collections c JOIN embeddings e ON e.collection_id = c.id WHERE c.name = 'race' GROUP BY c.dim")" = "256 60 256"
pg --db "$work/empty.db" search --collection race "alpha note" > "$work/model.txt" 2>&1
check "... and a client with the old model searches full text, told which model the server holds" \
	grep -q 'full text alone (collection holds vectors of hash-v1-256 (256 dimensions), not of hash-v1-384' "$work/model.txt"
sql "INSERT INTO ragdeck_schema VALUES (99)" > /dev/null
pg --db "$work/empty.db" search "refund" > /dev/null 2> "$work/newer.err"
check "a server schema newer than this ragdeck is refused, saying to upgrade" \
	grep -q 'has schema 99, newer than this ragdeck.s 1: upgrade ragdeck' "$work/newer.err"
sql "DELETE FROM ragdeck_schema WHERE version = 99" > /dev/null

# ---- secrets -------------------------------------------------------------------
printf 'store:\n  backend: postgres\n  url: "postgresql://ragdeck:hunter2@localhost/x"\n' > "$work/secret.yaml"
"$ragdeck" --config "$work/secret.yaml" --db "$work/a.db" search "x" > "$work/secret.txt" 2>&1
check "a URL holding a password is refused" test $? -ne 0
check "... saying where the password goes, without printing it" \
	bash -c "grep -q 'pgpass or PGPASSWORD' '$work/secret.txt' && ! grep -q hunter2 '$work/secret.txt'"
tap_done
