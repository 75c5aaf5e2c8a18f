#!/usr/bin/env bash
# The LLM judge end to end (eval --judge, pairs check --judge, pairs export
# --min-score) against scripted verdicts from the fixture server, in the
# OpenAI and the Anthropic wire formats: a good verdict and its cost, the
# cache that makes a rerun send nothing, a malformed verdict asked again,
# two malformed ones (one with a terminal escape in it), a slow server, a
# server that is down and one answering 500. The offline numbers and the
# exit status never move with the judge.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/serve.sh"
. "$here/sandbox.sh"
serve=${FIXTURE_SERVE:?set FIXTURE_SERVE to the fixture server program}
db=$work/kb.db
golden=$here/../fixtures/eval/golden6.yaml
"$ragdeck" --db "$db" ingest --collection default "$here/../../examples/kb" > /dev/null
run() { "$ragdeck" --db "$db" "$@"; }
export OPENAI_API_KEY=sk-test-judge ANTHROPIC_API_KEY=sk-test-judge

good='{"claims":[{"claim":"The window is 14 days.","supported":true},{"claim":"Refunds are paid in gold.","supported":false}],"relevance":0.8,"relevance_reason":"answers the question asked"}'
prose="Here is my verdict: $good"
# A malformed verdict whose unexpected key holds a terminal escape.
escape=$(printf '{"claims":[],"relevance":1,"relevance_reason":"x","\\u001b]0;owned\\u0007\\u001b[2J":1}')
good_words=$(awk -F' ' '{ print NF }' <<< "$good")

# judge_server FLAVOR [OPTION...] -- REPLY...: a fixture server answering
# the i-th request with REPLY i (the last repeating); sets $url, and $log
# (one line per request received).
judge_server() {
	local flavor=$1 opts=()
	shift
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	local script=$work/script.$RANDOM$RANDOM
	printf '%s\n' "$@" > "$script"
	log=$script.log
	start_server --flavor "$flavor" --script "$script" --log "$log" "${opts[@]}"
}
requests() { wc -l < "$log"; }

# judge_config FLAVOR BASE: a config whose models judge-* go to a provider
# of FLAVOR at BASE, priced $1 in and $2 out per million tokens, with a
# first-byte timeout of 300 ms and no retries; prints its path.
judge_config() {
	local f=$work/judge-$1-$RANDOM.yaml
	cat > "$f" <<YAML
providers:
  fx: {kind: $1, base_url: "$2", api_key_env: ~}
models:
  - {match: "judge-*", provider: fx}
pricing:
  "judge-": {input_per_mtok: 1, output_per_mtok: 2}
http: {first_byte_timeout_ms: 300, max_retries: 0}
YAML
	echo "$f"
}

# offline FILE: the offline numbers of a run's summary (latency aside).
offline() {
	json_get "$1" '[(k, v) for k, v in j["runs"][0]["overall"].items() if k not in ("judge", "latency_ms")]'
}

run eval --json "$golden" > "$work/plain.json" 2> /dev/null
check "eval without --judge has no judge keys" \
	test "$(json_get "$work/plain.json" '"judge" in j or "judge" in j["runs"][0]["overall"] or any("judge" in i for i in j["runs"][0]["items"])')" = False

for flavor in openai anthropic; do
	if [ $flavor = openai ]; then
		model=gpt-4o-mini price_in=0.15 price_out=0.60 base_var=OPENAI_BASE_URL
	else
		model=claude-sonnet-4-6 price_in=3 price_out=15 base_var=ANTHROPIC_BASE_URL
	fi
	# A good verdict for every item, through the built-in route and price
	# of a real model name.
	judge_server $flavor -- "$good"
	env $base_var=$url "$ragdeck" --db "$db" eval --json --judge $model "$golden" > "$work/$flavor-good.json" 2> "$work/$flavor-good.err"
	check "$flavor: eval --judge exits 0" test $? -eq 0
	check "$flavor: one request per item" test "$(requests)" -eq 6
	check "$flavor: the request names the judge model and asks for faithfulness" \
		test "$(python3 -c 'import json,sys; b=json.loads(open(sys.argv[1]).readline()); print(b["model"], "Faithfulness" in json.dumps(b))' "$log")" = "$model True"
	check "$flavor: faithfulness 1 of 2 claims, relevance 0.8, every item judged" \
		test "$(json_get "$work/$flavor-good.json" '[j["runs"][0]["overall"]["judge"][k] for k in ("model", "prompt_version", "faithfulness", "relevance", "judged", "unjudged", "cached")]')" = "['$model', 'judge-v1', 0.5, 0.8, 6, 0, 0]"
	check "$flavor: per item too, with its claims and reason" \
		test "$(json_get "$work/$flavor-good.json" '[(i["judge"]["faithfulness"], i["judge"]["claims"], i["judge"]["relevance_reason"]) for i in j["runs"][0]["items"]][0]')" = "(0.5, 2, 'answers the question asked')"
	check "$flavor: judge tokens as the server reported them" \
		test "$(json_get "$work/$flavor-good.json" '(j["runs"][0]["overall"]["judge"]["tokens_in"], j["runs"][0]["overall"]["judge"]["tokens_out"])')" = "(1926, $((6 * good_words)))"
	check "$flavor: judge cost at the model's price, apart from the answering cost" \
		test "$(json_get "$work/$flavor-good.json" "(abs(j['runs'][0]['overall']['judge']['cost'] - (1926 * $price_in + 6 * $good_words * $price_out) / 1e6) < 1e-12, j['runs'][0]['overall']['cost_usd']['total'])")" = "(True, 0)"
	check "$flavor: the offline numbers are those of a run without the judge" \
		test "$(offline "$work/$flavor-good.json")" = "$(offline "$work/plain.json")"
	env $base_var=$url "$ragdeck" --db "$db" eval --judge $model "$golden" > "$work/$flavor-again.txt" 2> /dev/null
	check "$flavor: a rerun sends the judge nothing" test "$(requests)" -eq 6
	check "$flavor: ... and says all six verdicts came from the cache, in the judge's own table" \
		grep -qE '^overall +6 +6 +6 +0 +0 +0.500 +0.800$' "$work/$flavor-again.txt"
	check "$flavor: ... costing nothing, shown apart from the answering cost" \
		grep -qE '^judge tokens: 0 in, 0 out; judge cost \$0.000000 \(answering: 4276 in, 478 out, \$0.000000\)$' "$work/$flavor-again.txt"
	check "$flavor: ... compared with the judged run before it" grep -q '^judge vs run [0-9]*: faith +0.000 relev +0.000$' "$work/$flavor-again.txt"
	check "$flavor: the offline table comes first, then the judge's title, table, costs and comparison" \
		test "$(grep -E '^(overall|judge) ' "$work/$flavor-again.txt" | awk '{ print $1 }' | paste -sd,)" = "overall,judge,overall,judge,judge"

	# A malformed verdict, then a good one: asked once more.
	judge_server $flavor -- "$prose" "$good"
	cfg=$(judge_config $flavor "$url")
	run --config "$cfg" eval --json --judge judge-retry-$flavor "$golden" > "$work/$flavor-retry.json" 2> /dev/null
	check "$flavor: a malformed verdict is asked again: seven requests for six items" test "$(requests)" -eq 7
	check "$flavor: ... and every item is judged, the first with both requests' tokens" \
		test "$(json_get "$work/$flavor-retry.json" '(j["runs"][0]["overall"]["judge"]["judged"], j["runs"][0]["items"][0]["judge"]["tokens_in"])')" = "(6, 642)"
	check "$flavor: a model without a built-in price is priced by the config" \
		test "$(json_get "$work/$flavor-retry.json" "abs(j['runs'][0]['overall']['judge']['cost'] - (7 * 321 * 1 + (len('''$prose'''.split(' ')) + 6 * $good_words) * 2) / 1e6) < 1e-12")" = True

	# Two malformed verdicts for the first item (the second with an escape
	# in a key): unjudged, and said without the escape.
	judge_server $flavor -- "$prose" "$escape" "$good"
	cfg=$(judge_config $flavor "$url")
	run --config "$cfg" eval --judge judge-twice-$flavor "$golden" > "$work/$flavor-twice.txt" 2> /dev/null
	check "$flavor: two malformed verdicts: still exit 0" test $? -eq 0
	check "$flavor: ... the item is unjudged with the second reason" \
		grep -q '^unjudged refund-window-current: malformed verdict twice: unexpected key ' "$work/$flavor-twice.txt"
	check "$flavor: ... the other five are judged" grep -qE '^overall +6 +5 +0 +1 +0 +0.500 +0.800$' "$work/$flavor-twice.txt"
	check "$flavor: ... and no terminal control reaches the output" raw_free "$work/$flavor-twice.txt"
	run --config "$cfg" eval --json --judge judge-twice-$flavor "$golden" > "$work/$flavor-twice.json" 2> /dev/null
	check "$flavor: an unjudged item is asked again on the next run, the judged ones are not" \
		test "$(requests) $(json_get "$work/$flavor-twice.json" '(j["runs"][0]["overall"]["judge"]["cached"], j["runs"][0]["items"][0]["judge"]["status"])')" = "8 (5, 'judged')"

	# A server that answers after 3 s, past the 300 ms first-byte timeout:
	# three timeouts open the breaker, the other items are skipped.
	judge_server $flavor --head-delay-ms 3000 -- "$good"
	cfg=$(judge_config $flavor "$url")
	run --config "$cfg" eval --json --judge judge-slow-$flavor "$golden" > "$work/$flavor-slow.json" 2> /dev/null
	check "$flavor: a slow judge: exit 0, every item unjudged" \
		test "$? $(json_get "$work/$flavor-slow.json" '(j["runs"][0]["overall"]["judge"]["unjudged"], j["runs"][0]["overall"]["judge"]["tokens_in"], j["thresholds"]["passed"])')" = "0 (6, 0, True)"
	check "$flavor: ... three timed out, then the breaker skipped the rest" \
		test "$(json_get "$work/$flavor-slow.json" '["300 ms" in i["judge"]["reason"] for i in j["runs"][0]["items"]] + ["skipped after repeated failures" in i["judge"]["reason"] for i in j["runs"][0]["items"][3:]]')" = "[True, True, True, False, False, False, True, True, True]"
	check "$flavor: ... the offline numbers are all there" \
		test "$(offline "$work/$flavor-slow.json")" = "$(offline "$work/plain.json")"

	# A server answering 500.
	judge_server $flavor -- '!500'
	cfg=$(judge_config $flavor "$url")
	run --config "$cfg" eval --json --judge judge-500-$flavor "$golden" > "$work/$flavor-500.json" 2> /dev/null
	check "$flavor: HTTP 500: exit 0, unjudged with the status" \
		test "$? $(json_get "$work/$flavor-500.json" '("500" in j["runs"][0]["items"][0]["judge"]["reason"], j["runs"][0]["overall"]["judge"]["unjudged"])')" = "0 (True, 6)"

	# Nothing listening.
	cfg=$(judge_config $flavor "http://127.0.0.1:9")
	run --config "$cfg" eval --json --judge judge-down-$flavor "$golden" > "$work/$flavor-down.json" 2> /dev/null
	check "$flavor: a judge server that is down: exit 0, unjudged naming the URL" \
		test "$? $(json_get "$work/$flavor-down.json" '("127.0.0.1:9" in j["runs"][0]["items"][0]["judge"]["reason"], j["runs"][0]["overall"]["judge"]["unjudged"])')" = "0 (True, 6)"
done

run eval --judge local "$golden" > /dev/null 2> "$work/local.err"
check "--judge local is a usage error (exit 2)" test $? -eq 2
check "... saying the offline answerer cannot judge" grep -q 'cannot judge' "$work/local.err"
run eval --judge mystery-7b "$golden" > /dev/null 2> "$work/mystery.err"
check "--judge with a model no provider serves is a usage error (exit 2)" test $? -eq 2
check "the run history keeps the judge's means" \
	test "$(python3 -c 'import json,sqlite3,sys; s=json.loads(sqlite3.connect(sys.argv[1]).execute("SELECT summary FROM eval_runs WHERE summary LIKE ? ORDER BY id LIMIT 1", ("%judge-v1%",)).fetchone()[0]); print(s["judge"]["model"], s["judge"]["faithfulness"], s["judge"]["relevance"])' "$db")" = "gpt-4o-mini 0.5 0.8"

# Training pairs: three approved turns; the first two exported and
# judged, 0.9 and 0.3; the third approved after the check, never judged.
python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
s = db.execute("INSERT INTO sessions(title, created_at, updated_at) VALUES ('t', 1, 1)").lastrowid
for q, a in (("How long is the refund window?", "Refunds are accepted within 14 days [1]."),
             ("Is there a mobile app?", "No.")):
    db.execute("INSERT INTO messages(session_id, role, content, approved, created_at) VALUES (?, 'user', ?, 0, 1)", (s, q))
    db.execute("INSERT INTO messages(session_id, role, content, approved, created_at) VALUES (?, 'assistant', ?, 1, 1)", (s, a))
db.commit()
PY
run pairs export > "$work/approved.jsonl"
for flavor in openai anthropic; do
	judge_server $flavor -- '{"score":0.9,"reason":"answers as the others do"}' '{"score":0.3,"reason":"too \u001b[31mterse"}'
	cfg=$(judge_config $flavor "$url")
	run --config "$cfg" pairs check --judge judge-pairs-$flavor "$work/approved.jsonl" > "$work/$flavor-pairs.txt" 2>&1
	check "$flavor: pairs check --judge: exit 0 (the set is fit)" test $? -eq 0
	check "$flavor: ... one line per pair with its score" \
		test "$(grep -oE 'approved.jsonl:[0-9]+: judged [0-9.]+' "$work/$flavor-pairs.txt" | paste -sd,)" = "approved.jsonl:1: judged 0.90,approved.jsonl:2: judged 0.30"
	check "$flavor: ... the summary with the mean and the judge's cost" \
		grep -qE "^judge judge-pairs-$flavor \(judge-pairs-v1\): 2 pairs, 2 judged \(0 from cache\), 0 unjudged, mean score 0.600; judge tokens 642 in, [0-9]+ out, cost \\\$0.000[0-9]+$" "$work/$flavor-pairs.txt"
	check "$flavor: ... the judge's reason reaches the terminal inert" raw_free "$work/$flavor-pairs.txt"
	check "$flavor: ... each pair shown with the other as its reference" \
		test "$(python3 -c 'import json,sys; b=json.loads(open(sys.argv[1]).readline()); m=json.dumps(b); print("REFERENCE 1 OUTPUT" in m, "Is there a mobile app?" in m)' "$log")" = "True True"
	run --config "$cfg" pairs check --judge judge-pairs-$flavor "$work/approved.jsonl" > "$work/$flavor-pairs2.txt" 2>&1
	check "$flavor: pairs check again: from the cache, no request" \
		test "$(requests) $(grep -c '(cached)' "$work/$flavor-pairs2.txt")" = "2 2"
done
python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
s = db.execute("SELECT max(id) FROM sessions").fetchone()[0]
db.execute("INSERT INTO messages(session_id, role, content, approved, created_at) VALUES (?, 'user', 'Where are backups stored?', 0, 1)", (s,))
db.execute("INSERT INTO messages(session_id, role, content, approved, created_at) VALUES (?, 'assistant', 'In two regions.', 1, 1)", (s,))
db.commit()
PY
run pairs export --min-score 0.5 > "$work/kept.jsonl" 2> "$work/kept.err"
check "pairs export --min-score: only the pair scored 0.5 or more" \
	test "$(python3 -c 'import json,sys; print([json.loads(l)["messages"][0]["content"] for l in open(sys.argv[1])])' "$work/kept.jsonl")" = "['How long is the refund window?']"
check "... and says what it left out, the never judged pair included" \
	grep -q 'pairs export: 1 of 3 approved pairs written; 1 scored under 0.50; 1 never judged by any judge with judge-pairs-v1, left out' "$work/kept.err"
run pairs export --min-score 0.2 --judge judge-pairs-openai --json > "$work/kept.json" 2> /dev/null
check "--judge picks whose scores count" test "$(json_get "$work/kept.json" 'len(j)')" = 2
run pairs export --min-score 0.2 --judge judge-other > "$work/none.jsonl" 2> "$work/none.err"
check "a judge that never scored them: nothing written, all counted" \
	test "$(wc -c < "$work/none.jsonl") $(grep -c '0 of 3 approved pairs written; 0 scored under 0.20; 3 never judged by judge-other' "$work/none.err")" = "0 1"
run pairs export --min-score 1.5 > /dev/null 2>&1
check "--min-score out of 0..1 is a usage error" test $? -eq 2
run pairs export --judge judge-x > /dev/null 2>&1
check "--judge on export without --min-score is a usage error" test $? -eq 2
run pairs check --min-score 0.5 "$work/approved.jsonl" > /dev/null 2>&1
check "--min-score on check is a usage error" test $? -eq 2
# The verdict cache unreadable (its table gone): one line naming the
# lookup's failure, exit 1, nothing written.
cp "$db" "$work/nocache.db"
python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("DROP TABLE judge_verdicts"); d.commit()' "$work/nocache.db"
"$ragdeck" --db "$work/nocache.db" pairs export --min-score 0.5 > "$work/nocache.out" 2> "$work/nocache.err"
check "an unreadable verdict cache fails the export (exit 1)" test $? -eq 1
check "... with one line naming the verdicts" \
	bash -c "[ \$(wc -l < '$work/nocache.err') = 1 ] && grep -q 'judge_verdicts' '$work/nocache.err' && [ ! -s '$work/nocache.out' ]"
tap_done
