#!/usr/bin/env bash
# An HTTP embedding server end to end through the real binary, against the
# embeddings fixture (OpenAI /v1/embeddings, hash-embedder vectors): ingest
# with tokens and requests counted, search and ask with vectors, one model
# per collection, the server down at question time (full text alone, said
# in search, ask --json and the query log), kill -9 and Ctrl-C during an
# HTTP ingest and the resume, a server that dies mid-ingest, inputs too
# long for the model, and reembed while another process searches.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/serve.sh"
. "$here/sandbox.sh"
embed_serve=${FIXTURE_EMBED_SERVE:?set FIXTURE_EMBED_SERVE to the embeddings fixture program}
kb=$here/../../examples/kb
db=$work/kb.db

# http_config URL FILE [EXTRA YAML]: a config embedding with "fixture-embed" at URL.
http_config() {
	cat > "$2" <<YAML
providers:
  emb:
    kind: openai
    base_url: "$1"
    api_key_env: ~
models:
  - match: "fixture-embed"
    provider: emb
embedder:
  kind: http
  model: fixture-embed
  query_timeout_ms: 2000
${3:-}
YAML
}
# The same providers with the offline embedder (for reembed --model).
hash_config() {
	http_config "$1" "$2"
	sed -i 's/^  kind: http$/  kind: hash/' "$2"
}

start_embed_server --dim 64
http_config "$embed_url" "$work/http.yaml"
hash_config "$embed_url" "$work/hash.yaml"
H() { "$ragdeck" --db "$db" --config "$work/http.yaml" "$@"; }

H ingest --json "$kb" > "$work/i1.json" 2> "$work/i1.err"
check "HTTP ingest exits 0" test $? -eq 0
check "... adds the sample knowledge base" test "$(json_get "$work/i1.json" 'j["added"]')" -gt 60
check "... counts the server's tokens" test "$(json_get "$work/i1.json" 'j["embedding"]["tokens"]')" -gt 1000
check "... in batched requests" \
	test "$(json_get "$work/i1.json" 'j["embedding"]["requests"] < j["chunks"] // 10')" = True
check "... and names the model" test "$(json_get "$work/i1.json" 'j["embedding"]["model"]')" = fixture-embed
H ingest "$kb" > "$work/i2.txt"
check "a rerun embeds nothing" grep -q "0 added, 0 changed, 69 unchanged" "$work/i2.txt"

H search --json "my laptop keeps asking me to sign in again" > "$work/s1.json"
check "search with the HTTP embedder exits 0" test $? -eq 0
check "... uses vectors" test "$(json_get "$work/s1.json" 'any(h["vector_rank"] > 0 for h in j["hits"])')" = True
check "... with no vector error" test "$(json_get "$work/s1.json" 'j["vector_error"]')" = None
check "... and counts the query's tokens" test "$(json_get "$work/s1.json" 'j["embed_tokens"]')" -gt 0

# One model per collection.
"$ragdeck" --db "$db" search "refund" > /dev/null 2> "$work/mismatch.err"
check "searching with another model exits 1" test $? -eq 1
check "... saying what the collection holds and what to run" \
	grep -q "holds vectors of fixture-embed (64 dimensions) and the config embeds with hash-v1-384: run 'ragdeck reembed" \
	"$work/mismatch.err"
"$ragdeck" --db "$db" ingest "$kb" > /dev/null 2> "$work/mismatch2.err"
check "ingesting with another model is refused" grep -q "holds vectors of fixture-embed" "$work/mismatch2.err"
# A changed embedder.dim is another model: refused, not "0 hits over 0 vectors".
"$ragdeck" --db "$work/dim.db" ingest "$kb" > /dev/null
printf 'embedder:\n  dim: 256\n' > "$work/dim.yaml"
"$ragdeck" --db "$work/dim.db" --config "$work/dim.yaml" search "refund" > /dev/null 2> "$work/dim.err"
check "a changed embedder.dim is refused with exit 1" test $? -eq 1
check "... naming both sizes" grep -q "holds vectors of hash-v1-384 (384 dimensions) and the config embeds with hash-v1-256" "$work/dim.err"
# Every diagnostic is a line of its own (none glued to the next).
"$ragdeck" --db "$work/empty.db" --config "$work/http.yaml" search "refund" 2> "$work/empty.err"
cat "$work/mismatch.err" "$work/mismatch2.err" "$work/empty.err" > "$work/all.err"
check "each error is one whole line starting with ragdeck:" \
	bash -c "[ \"\$(tail -c1 '$work/all.err' | od -An -c | tr -d ' ')\" = '\n' ] && ! grep -v '^ragdeck: ' '$work/all.err' && [ \$(grep -o 'ragdeck: ' '$work/all.err' | wc -l) = \$(wc -l < '$work/all.err') ]"

# The server goes away: questions still get answers from full text.
kill "$embed_pid"
wait "$embed_pid" 2>/dev/null
H search --json "refund window" > "$work/down.json" 2> "$work/down.err"
check "search with the server down exits 0" test $? -eq 0
check "... finds the refund policy by full text" \
	test "$(json_get "$work/down.json" 'any("refund" in h["path"] for h in j["hits"][:3])')" = True
check "... and says why vectors were left out" \
	test "$(json_get "$work/down.json" '"fixture-embed" in j["vector_error"] or "failed" in j["vector_error"]')" = True
H search "refund window" > "$work/down.txt"
check "... in the text output too" grep -q "^vectors: not used, full text alone" "$work/down.txt"
H ask --json "how long is the refund window" > "$work/ask.json" 2> "$work/ask.err"
check "ask with the server down exits 0" test $? -eq 0
check "... answers from the documents" test "$(json_get "$work/ask.json" 'len(j["citations"]) > 0')" = True
check "... and reports the vector error" test "$(json_get "$work/ask.json" 'j["vector_error"] is not None')" = True
check "... as a hop of the turn" \
	test "$(json_get "$work/ask.json" 'any(h["model"] == "vector search" for h in j["route"]["hops"])')" = True
check "the query log keeps the vector error" test "$(python3 -c '
import json, sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute("SELECT retrieval FROM queries ORDER BY id DESC LIMIT 1").fetchone()
print("vector_error" in json.loads(row[0]))' "$db")" = True

# kill -9 during an HTTP ingest keeps whole documents; a rerun does the rest.
tree=$work/tree
mkdir -p "$tree"
python3 - "$tree" <<'PY'
import sys
for i in range(240):
    with open(f"{sys.argv[1]}/doc{i:03}.md", "w") as f:
        f.write(f"# Document {i}\n\n" + " ".join(f"word{i}x{k} about refunds and invoices" for k in range(60)) + "\n")
PY
start_embed_server --dim 64 --latency-ms 150
http_config "$embed_url" "$work/slow.yaml" "  batch_inputs: 4
  concurrency: 2"
S() { "$ragdeck" --db "$work/slow.db" --config "$work/slow.yaml" "$@"; }
"$ragdeck" --db "$work/slow.db" --config "$work/slow.yaml" ingest "$tree" > /dev/null 2>&1 &
ingest_pid=$!
sleep 2.5
kill -9 "$ingest_pid"
wait "$ingest_pid" 2>/dev/null
kept=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM documents").fetchone()[0])' "$work/slow.db")
check "kill -9 mid-ingest keeps some whole documents ($kept)" test "$kept" -gt 0 -a "$kept" -lt 240
check "... every kept document has all its vectors" test "$(python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("""SELECT count(*) FROM chunks c LEFT JOIN embeddings e ON e.chunk_id = c.id
                    WHERE e.chunk_id IS NULL""").fetchone()[0])' "$work/slow.db")" = 0
S ingest --json "$tree" > "$work/resume.json" 2>/dev/null
check "the rerun completes" test $? -eq 0
check "... adding only what was missing" \
	test "$(json_get "$work/resume.json" 'j["added"] + j["unchanged"] == 240 and j["unchanged"] == '"$kept")" = True

# Ctrl-C (SIGINT) stops cleanly after the embedding call at hand.
rm -f "$work/slow.db"*
"$ragdeck" --db "$work/slow.db" --config "$work/slow.yaml" ingest "$tree" > "$work/int.txt" 2>&1 &
ingest_pid=$!
sleep 2
kill -INT "$ingest_pid"
wait "$ingest_pid"
check "Ctrl-C ends the ingest with exit 1" test $? -eq 1
check "... saying what was kept and what to do" grep -q "^interrupted: [0-9]* documents written are kept; run the same command again" "$work/int.txt"
S ingest --json "$tree" > "$work/int2.json" 2>/dev/null
check "... and the rerun completes" test "$(json_get "$work/int2.json" 'j["added"] + j["unchanged"]')" = 240

# The server dies mid-ingest: the run stops, keeps what it wrote, and says so.
start_embed_server --dim 64 --fault die-after --die-after 6
http_config "$embed_url" "$work/dies.yaml" "  batch_inputs: 4
  concurrency: 1"
"$ragdeck" --db "$work/dies.db" --config "$work/dies.yaml" ingest "$tree" > /dev/null 2> "$work/dies.err"
check "a server that dies stops the ingest with exit 1" test $? -eq 1
check "... saying the committed documents are kept" grep -q "documents committed are kept: run the same command again" "$work/dies.err"
start_embed_server --dim 64
http_config "$embed_url" "$work/dies.yaml"
"$ragdeck" --db "$work/dies.db" --config "$work/dies.yaml" ingest --json "$tree" > "$work/dies2.json" 2>/dev/null
check "... and a run against a live server finishes the job" \
	test "$(json_get "$work/dies2.json" 'j["added"] + j["unchanged"]')" = 240

# Inputs too long for the model are embedded from their first part.
start_embed_server --dim 64 --max-input-bytes 600 --too-long-style tei
http_config "$embed_url" "$work/long.yaml"
"$ragdeck" --db "$work/long.db" --config "$work/long.yaml" ingest --json "$kb" > "$work/long.json" 2>/dev/null
check "too-long chunks do not stop the ingest" test "$(json_get "$work/long.json" 'j["skipped"]')" = 0
check "... and are listed with their lines" \
	test "$(json_get "$work/long.json" 'len(j["truncated"]) > 0 and j["truncated"][0]["lines"].startswith("lines ")')" = True

# reembed a hash collection with the HTTP model while another process searches.
start_embed_server --dim 64 --latency-ms 100
hash_config "$embed_url" "$work/hash.yaml"
http_config "$embed_url" "$work/http.yaml" "  batch_inputs: 8
  concurrency: 1"
R() { "$ragdeck" --db "$work/re.db" --config "$work/hash.yaml" "$@"; }
R ingest "$kb" > /dev/null
R reembed --model fixture-embed > "$work/re.txt" 2> "$work/re.err" &
re_pid=$!
# A search that starts after the switch is refused (the old model); any
# other failure counts.
searches=0 failed=0
while kill -0 "$re_pid" 2>/dev/null; do
	if R search "refund window" > /dev/null 2> "$work/during.err"; then
		searches=$((searches + 1))
	elif ! grep -q "holds vectors of fixture-embed" "$work/during.err"; then
		failed=$((failed + 1))
	fi
done
wait "$re_pid"
check "reembed completes" test $? -eq 0
check "... while $searches searches with the old model worked" test "$searches" -ge 2 -a "$failed" -eq 0
check "... and reports the switch" grep -q "^re-embedded collection default: 613 of 613 chunks embedded with fixture-embed (64 dimensions)" "$work/re.txt"
R search "refund" > /dev/null 2> "$work/re-old.err"
check "the old model is refused afterwards" grep -q "holds vectors of fixture-embed" "$work/re-old.err"
"$ragdeck" --db "$work/re.db" --config "$work/http.yaml" search --json "refund window" > "$work/re-new.json"
check "the new model searches with vectors" \
	test "$(json_get "$work/re-new.json" 'any(h["vector_rank"] > 0 for h in j["hits"])')" = True
check "only the new vectors are left" test "$(python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT group_concat(DISTINCT model) FROM embeddings").fetchone()[0])' "$work/re.db")" = fixture-embed

# reembed killed part-way resumes with what is missing.
"$ragdeck" --db "$work/re.db" --config "$work/http.yaml" reembed --model hash > /dev/null 2>&1
start_embed_server --dim 64 --latency-ms 100
hash_config "$embed_url" "$work/hash.yaml"
http_config "$embed_url" "$work/http.yaml" "  batch_inputs: 16
  concurrency: 1"
"$ragdeck" --db "$work/re.db" --config "$work/http.yaml" reembed --model fixture-embed > /dev/null 2>&1 &
re_pid=$!
sleep 1
kill -9 "$re_pid"
wait "$re_pid" 2>/dev/null
"$ragdeck" --db "$work/re.db" --config "$work/http.yaml" reembed --json > "$work/re2.json" 2>/dev/null
check "a killed reembed resumes with what is missing" \
	test "$(json_get "$work/re2.json" 'j["complete"] and j["embedded"] == 613 and 0 < j["embedded_this_run"] < 613')" = True
"$ragdeck" --db "$work/re.db" --config "$work/http.yaml" reembed --json > "$work/re3.json"
check "a reembed to the collection's own model has nothing to do" \
	test "$(json_get "$work/re3.json" 'j["complete"] and j["embedded_this_run"] == 0')" = True
tap_done
