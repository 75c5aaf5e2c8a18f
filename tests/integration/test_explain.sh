#!/usr/bin/env bash
# search --explain through the real binary: a retrieved document (by a
# suffix and by a relative path to the file), one
# outside the path filter, an unknown path, the JSON form, a stored path
# with a terminal escape printed inert, and a query term full-text search
# left out over its postings budget.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
db=$work/t.db
tree=$work/kb
mkdir -p "$tree/guides" "$tree/old"
printf '# Ports\n\nThe agent listens on port 7443 for local control.\n' > "$tree/guides/ports.md"
printf '# Refunds\n\nRefunds are paid within fourteen days of the request.\n' > "$tree/guides/refunds.md"
printf '# Refunds\n\nRefunds were paid within thirty days in 2024.\n' > "$tree/old/refunds.md"
printf 'Zebras graze quietly.\n' > "$tree/old/$(printf 'z\033[31mebra').txt"
run() { "$ragdeck" --db "$db" "$@"; }
run ingest "$tree" > /dev/null 2>&1
check "ingest exits 0" test $? -eq 0

run search --explain guides/ports.md "which port does the agent listen on" > "$work/ports.txt" 2>&1
check "--explain exits 0" test $? -eq 0
check "... resolves the suffix to the stored path" grep -q "guides/ports.md  1 chunk, current" "$work/ports.txt"
check "... reports the document retrieved first" grep -q "retrieved as #1" "$work/ports.txt"
check "... with the candidate counts" grep -q "^candidates: vector " "$work/ports.txt"

(cd "$tree/guides" && run search --explain ./ports.md "which port" > "$work/dot.txt" 2>&1 &&
	run search --explain ../old/refunds.md "refunds" > "$work/dotdot.txt" 2>&1)
check "a path to the file finds it as chunks does (./ and ../)" bash -c "grep -q '1 chunk, current' '$work/dot.txt' && grep -q 'old/refunds.md  1 chunk, ' '$work/dotdot.txt'"

run search --mode vector --explain guides/refunds.md "which port does the agent listen on" > "$work/vector.txt" 2>&1
check "--mode vector says full text was not used" grep -q "^candidates: vector [0-9]* of [0-9]* (up to 50), bm25 not used (mode vector), " "$work/vector.txt"
check "... and its verdicts and ranks cite no BM25" bash -c "grep -q 'bm25 - (not searched)' '$work/vector.txt' && ! grep -qi 'bm25 #\|term\|either' '$work/vector.txt'"

run search --path '*/old/*' --explain guides/refunds.md "refunds paid within days" > "$work/filtered.txt" 2>&1
check "a path filter that excludes the document is named" grep -q "excluded by the path filter" "$work/filtered.txt"

run search --explain guides/refundz.md "refunds" > "$work/unknown.txt" 2>&1
check "an unknown path exits 0" test $? -eq 0
check "... says it is not in the store" grep -q "^not in the store: guides/refundz.md; closest stored paths:" "$work/unknown.txt"
check "... and lists the closest stored path first" bash -c "sed -n 2p '$work/unknown.txt' | grep -q 'guides/refunds.md'"

run search --explain zebra "zebras graze" > "$work/zebra.txt" 2>&1
check "a stored path's escape is printed inert" bash -c "! grep -q \$'\\033' '$work/zebra.txt'"

run search --json -k 1 --explain old/refunds.md "refunds paid within fourteen days of the request" > "$work/e.json"
check "--explain --json exits 0" test $? -eq 0
check "... names the stored path" test "$(json_get "$work/e.json" 'j["path"].endswith("/old/refunds.md")')" = True
check "... with the cutoff" test "$(json_get "$work/e.json" 'j["search"]["top_k"]')" = 1
check "... and a fused rank past it" test "$(json_get "$work/e.json" 'j["chunks"][0]["fused_rank"] > 1')" = True
check "... and a verdict" test "$(json_get "$work/e.json" '"below the top 1" in j["chunks"][0]["verdict"]')" = True
check "... and every chunk's ranks" test "$(json_get "$work/e.json" 'sorted(j["chunks"][0].keys()) == sorted(["chunk_id","ordinal","line_start","line_end","tokens","vec_rank","vec_score","fts_rank","bm25","vec_candidate_rank","fts_candidate_rank","fused","fused_rank","below_min_score","allowed_by_filter","hit_rank","packed","verdict","left_out_terms"])')" = True

# 2,100 chunks say "invoice": over the postings budget, full text keeps
# "zebra" alone; a chunk that says "invoice" is left out, not termless.
inv=$work/inv
mkdir -p "$inv"
for i in $(seq 1 2100); do printf 'Invoice copy number %d for the customer account.\n' "$i" > "$inv/inv-$i.md"; done
printf 'Zebras graze quietly on savanna grass.\n' > "$inv/zebra.md"
"$ragdeck" --db "$work/inv.db" ingest "$inv" > /dev/null 2>&1
"$ragdeck" --db "$work/inv.db" search --explain inv-7.md "invoice zebra" > "$work/inv.txt" 2>&1
check "a term over the postings budget is named" grep -q "^full text: left out, over the postings budget: 'invoice' (in 2100 chunks)$" "$work/inv.txt"
check "... and a chunk holding it is not said to share no term" bash -c "grep -q \"full-text search left out 'invoice' (in 2100 chunks), over the postings budget\" '$work/inv.txt' && ! grep -q 'shares no query term' '$work/inv.txt'"
"$ragdeck" --db "$work/inv.db" search --json --explain inv-7.md "invoice zebra" > "$work/inv.json"
check "... and listed in the JSON form" test "$(json_get "$work/inv.json" 'j["search"]["fts_terms_left_out"] == [{"term": "invoice", "chunks": 2100}] and j["chunks"][0]["left_out_terms"] == ["invoice"]')" = True
tap_done
