#!/usr/bin/env bash
# ragdeck eval end to end: a six-item golden set over examples/kb through
# the offline answerer with its exact numbers (twice: they are
# deterministic), run history, a top_k sweep, and the threshold exit codes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
. "$here/serve.sh"
serve=${FIXTURE_SERVE:?set FIXTURE_SERVE to the fixture server program}
db=$work/kb.db
golden=$here/../fixtures/eval/golden6.yaml
"$ragdeck" --db "$db" ingest --collection default "$here/../../examples/kb" > /dev/null
run() { "$ragdeck" --db "$db" "$@"; }

# numbers FILE: the scores of the first run, rounded, one line per row.
numbers() {
	python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
for k in ("overall", "factual", "structural", "hybrid"):
    s = r[k]
    print(k, s["items"], s["passed"], s["retrieval"]["items"],
          " ".join("%.4f" % s["retrieval"][m] for m in
                   ("recall_k", "precision_k", "mrr10", "ndcg10", "context_precision", "context_recall")),
          "%.4f" % s["grounding"]["hallucination_score"], s["grounding"]["items"],
          " ".join("%d/%d" % (c["passed"], c["checked"]) for c in s["checks"].values()),
          s["tokens"]["input"], s["tokens"]["output"])
PY
}

expected="overall 6 4 4 1.0000 0.2000 0.6750 0.7544 0.2500 1.0000 1.0000 5 2/2 1/2 1/2 4/4 4276 478
factual 2 2 2 1.0000 0.2000 1.0000 1.0000 0.3000 1.0000 1.0000 2 0/0 0/0 0/0 2/2 1684 247
structural 2 0 0 0.0000 0.0000 0.0000 0.0000 0.0000 0.0000 1.0000 1 1/1 0/1 0/1 0/0 761 74
hybrid 2 2 2 1.0000 0.2000 0.3500 0.5089 0.2000 1.0000 1.0000 2 1/1 1/1 1/1 2/2 1831 157"

run eval --json "$golden" > "$work/run1.json" 2> "$work/run1.err"
check "default thresholds met: exit 0" test $? -eq 0
# An answer the context does not hold (a model that invents): the
# grounding score falls under 0.85. The local answerer's refusal of an
# off-topic question claims nothing, so it is not scored at all.
cat > "$work/offtopic.yaml" <<'YAML'
items:
  - id: off-topic
    question: "What is the capital of France?"
    category: factual
    relevant: [{path: billing/pricing-2026.md}]
YAML
run eval --json "$work/offtopic.yaml" > "$work/declined.json" 2> "$work/declined.err"
check "a refusal is not scored for grounding: exit 0" test $? -eq 0
check "and its grounding counts no item" test "$(json_get "$work/declined.json" 'j["runs"][0]["overall"]["grounding"]["items"]')" = 0
start_server --flavor openai --text "Quantum entanglement powers the billing engine every night. Invoices are printed on recycled moon rock by volunteers."
OPENAI_API_KEY=sk-test-eval OPENAI_BASE_URL=$url run eval --model gpt-4o-mini "$work/offtopic.yaml" > /dev/null 2> "$work/offtopic.err"
check "a failing threshold: exit 1" test $? -eq 1
check "the failing threshold is named" grep -q 'threshold failed: grounding score 0.00 (mean of 1 turns) is under the 0.85 threshold' "$work/offtopic.err"
check "first run: exact numbers overall and per category" test "$(numbers "$work/run1.json")" = "$expected"
check "first run has no previous run" test "$(json_get "$work/run1.json" 'j["runs"][0]["previous_run_id"]')" = 0
check "per-item results" test "$(json_get "$work/run1.json" '[(i["id"], i["passed"]) for i in j["runs"][0]["items"]][:2]')" = "[('refund-window-current', True), ('team-version-history-current', True)]"

run eval --json "$golden" > "$work/run2.json" 2> /dev/null
check "second run: the same numbers (deterministic)" test "$(numbers "$work/run2.json")" = "$expected"
check "second run is compared with the first, nothing regressed" \
	test "$(json_get "$work/run2.json" '(j["runs"][0]["previous_run_id"], j["runs"][0]["regressions"])')" = "(1, [])"

run eval "$golden" > "$work/table.txt" 2> /dev/null
check "table has the overall and category rows" \
	test "$(awk '$1 ~ /^(overall|factual|structural|hybrid)$/ {print $1, $2, $3}' "$work/table.txt" | paste -sd,)" = "overall 6 4,factual 2 2,structural 2 0,hybrid 2 2"
check "table names the previous run" grep -q '^run 5 vs run 4: R@k +0.000' "$work/table.txt"

run eval --sweep top_k=1,3 "$golden" > "$work/sweep.txt" 2> /dev/null
check "sweep prints one row per value" \
	test "$(awk '$1 ~ /^[0-9]+$/ {print $1, $2, $5, $7}' "$work/sweep.txt" | paste -sd,)" = "1 6 0.500 0.500,3 6 0.750 0.625"
check "sweep table is headed by the key" grep -q '^top_k  *items' "$work/sweep.txt"
run eval --sweep vector_weight=0,0.5 "$golden" > "$work/sweep-w.txt" 2> /dev/null
check "a fusion weight sweeps over fractions" \
	test "$(awk '$1 ~ /^[0-9.]+$/ {print $1, $2}' "$work/sweep-w.txt" | paste -sd,)" = "0 6,0.5 6"
run eval --sweep rrf_k=10 --json "$golden" > "$work/sweep-k.json" 2> /dev/null
check "a swept fusion key is a parameter of the run" \
	test "$(json_get "$work/sweep-k.json" 'j["runs"][0]["params"]')" = "{'model': 'local', 'top_k': 5, 'max_context_tokens': 3000, 'rrf_k': 10}"
for mode in fts vector; do
	run eval --mode $mode --json "$golden" > "$work/mode-$mode.json" 2> /dev/null
	check "--mode $mode is a parameter of the run" \
		test "$(json_get "$work/mode-$mode.json" 'j["runs"][0]["params"]["mode"]')" = $mode
done
check "fts alone finds a different first hit than the vector list alone" \
	test "$(json_get "$work/mode-fts.json" 'j["runs"][0]["overall"]["retrieval"]["recall_1"]')" != \
	     "$(json_get "$work/mode-vector.json" 'j["runs"][0]["overall"]["retrieval"]["recall_1"]')"
run eval --mode bm25 "$golden" > /dev/null 2>&1
check "an unknown --mode is a usage error (exit 2)" test $? -eq 2

mkdir -p "$work/config"
cat > "$work/lenient.yaml" <<'YAML'
routing:
  evaluation:
    alert_thresholds:
      latency_p95_ms: 60000
      hallucination_score: 0.3
YAML
run --config "$work/lenient.yaml" eval "$golden" > /dev/null 2> "$work/ok.err"
check "thresholds met: exit 0" test $? -eq 0
cat > "$work/slow.yaml" <<'YAML'
routing:
  evaluation:
    alert_thresholds:
      latency_p95_ms: 1
      hallucination_score: 0.3
YAML
run --config "$work/slow.yaml" eval "$golden" > /dev/null 2> "$work/slow.err"
check "latency threshold fails: exit 1" test $? -eq 1
check "the latency threshold is named" grep -q 'threshold failed: p95 latency .* is over the 1 ms threshold' "$work/slow.err"
# evaluation.metrics picks the table's columns, the JSON's "metrics" and
# the thresholds that gate: without latency_p95 the 1 ms limit is not one.
cat > "$work/picked.yaml" <<'YAML'
routing:
  evaluation:
    metrics: [recall_at_k, mrr]
    alert_thresholds:
      latency_p95_ms: 1
      hallucination_score: 0.3
YAML
run --config "$work/picked.yaml" eval "$golden" > "$work/picked.txt" 2> "$work/picked.err"
check "metrics without latency_p95: its threshold does not gate (exit 0)" test $? -eq 0
check "... the table shows the metrics listed" grep -qE '^ +items +pass +R@1 +R@k +P@k +MRR +CtxP +CtxR$' "$work/picked.txt"
run --config "$work/picked.yaml" eval --json "$golden" > "$work/picked.json" 2>/dev/null
check "... and --json names them" test "$(json_get "$work/picked.json" 'j["metrics"]')" = "['recall_at_k', 'mrr']"
run eval --sweep depth=1 "$golden" > /dev/null 2>&1
check "bad --sweep is a usage error (exit 2)" test $? -eq 2
run eval > /dev/null 2>&1
check "missing GOLDEN is a usage error (exit 2)" test $? -eq 2
run eval "$work/missing.yaml" > /dev/null 2> "$work/missing.err"
check "unreadable golden set exits 1" test $? -eq 1
check "the message names the file" grep -q 'cannot read golden set .*missing.yaml' "$work/missing.err"
# An alias bomb: nine anchors of nine aliases each, 9^9 nodes written out
# (it used to run out of memory after gigabytes). The reader refuses it at the
# alias that crosses its budget, before the set is looked at.
python3 - "$work/bomb.yaml" <<'PY'
import sys
levels = "abcdefghi"
with open(sys.argv[1], "w") as f:
    for i, l in enumerate(levels):
        vals = ["lol"] * 9 if i == 0 else ["*" + levels[i - 1]] * 9
        f.write("%s: &%s [%s]\n" % (l, l, ", ".join(vals)))
    f.write("items:\n  - id: bomb\n    question: q\n    category: factual\n    must_contain: *i\n")
PY
run eval "$work/bomb.yaml" > /dev/null 2> "$work/bomb.err"
check "an alias bomb exits 1" test $? -eq 1
check "the alias bomb is refused at file:line:col" \
	grep -q 'bomb.yaml:6:8: aliases repeat more than 100000 nodes in all' "$work/bomb.err"

# pairs check: the fixtures' exit codes and report; pairs export: only the
# approved answer, with the question before it.
pairs=$here/../fixtures/pairs
run pairs check "$pairs/good.jsonl" > "$work/good.txt" 2>&1
check "pairs check: good set exits 0" test $? -eq 0
check "pairs check: good set is fit" grep -q ': 10 items, 0 schema errors, .*0 outliers: fit$' "$work/good.txt"
run pairs check --format 'regex:^[A-Z].*\.$' "$pairs/bad.jsonl" > "$work/bad.txt" 2>&1
check "pairs check: bad set exits 1" test $? -eq 1
check "pairs check: one line per problem, by line number" \
	test "$(sed -n 's/^.*bad\.jsonl:\([0-9]*\): \([a-z]*\).*/\1 \2/p' "$work/bad.txt" | paste -sd,)" = \
	"2 schema,3 schema,4 empty,5 duplicate,7 contradiction,8 format,9 outlier"
check "pairs check: the contradiction names both lines" grep -q 'bad.jsonl:7: contradiction: same input as line 6' "$work/bad.txt"
check "pairs check: summary counts" grep -q ': 13 items, 2 schema errors, 1 empty, 1 duplicate, 1 contradiction, 1 format failure, 1 outlier: unfit$' "$work/bad.txt"
run pairs check --format xml "$pairs/good.jsonl" > /dev/null 2>&1
check "pairs check: bad --format is a usage error (exit 2)" test $? -eq 2
run pairs check > /dev/null 2>&1
check "pairs check: missing FILE is a usage error (exit 2)" test $? -eq 2
run pairs check "$work/missing.jsonl" > /dev/null 2>&1
check "pairs check: unreadable file exits 1" test $? -eq 1
python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
s = db.execute("INSERT INTO sessions(title, created_at, updated_at) VALUES ('t', 1, 1)").lastrowid
for role, content, approved in (("user", "How long is the refund window?", 0),
                                ("assistant", "Refunds are accepted within 14 days [1].", 1),
                                ("user", "And for annual plans?", 0),
                                ("assistant", "Not approved.", 0)):
    db.execute("INSERT INTO messages(session_id, role, content, approved, created_at) VALUES (?, ?, ?, ?, 1)",
               (s, role, content, approved))
db.commit()
PY
run pairs export > "$work/pairs.jsonl"
check "pairs export exits 0" test $? -eq 0
check "pairs export writes the approved turn as one chat-format line" \
	test "$(cat "$work/pairs.jsonl")" = '{"messages":[{"role":"user","content":"How long is the refund window?"},{"role":"assistant","content":"Refunds are accepted within 14 days [1]."}]}'
run pairs check "$work/pairs.jsonl" > /dev/null
check "exported pairs pass pairs check" test $? -eq 0
run pairs export --json > "$work/pairs.json"
check "pairs export --json prints an array" \
	test "$(json_get "$work/pairs.json" '[m["role"] for p in j for m in p["messages"]]')" = "['user', 'assistant']"
tap_done
