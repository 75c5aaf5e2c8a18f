#!/usr/bin/env bash
# retrieval.summarize_over_budget through the real binary against loopback
# fixture servers, in the OpenAI and the Anthropic wire formats: the
# summarizer (fixture_serve --summarize quotes each block's first
# sentence with its label) and the answering model are two servers whose
# requests are logged. Over budget the summarize call carries the left-out
# chunks with their labels and the answer's prompt the summary; a
# citation of a summarized block resolves to its chunk and is grounded in
# its text; the two calls' tokens and costs are reported apart; under
# budget there is no call; a failing, slow, broken, empty or unreachable
# summarizer leaves the answer on the plain context with the reason; the
# summary never reaches the terminal unsanitized; config check, stats and
# eval show it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/serve.sh"
. "$here/sandbox.sh"
serve=${FIXTURE_SERVE:?set FIXTURE_SERVE to the fixture server program}
db=$work/data/kb.db
"$ragdeck" --db "$db" ingest --collection default "$here/../../examples/kb" > /dev/null
run() { "$ragdeck" --db "$db" "$@"; }
question="How many days do I have to ask for a refund on a monthly plan?"
answer="Monthly plans get a full refund within fourteen days of the charge [1]."

# write_config FILE KIND SUMM_URL ANS_URL [BUDGET]: the summarizer summ-small
# and the answering model ans-model, each on its server, priced.
write_config() {
	cat > "$1" <<YAML
routing:
  default_model: ans-model
  fallback_model: ans-model
  paths:
    retrieval:
      max_context_tokens: ${5:-300}
providers:
  summ: {kind: $2, base_url: "$3"}
  ans: {kind: $2, base_url: "$4"}
models:
  - {match: "summ-*", provider: summ}
  - {match: "ans-*", provider: ans}
pricing:
  summ-small: {input_per_mtok: 1, output_per_mtok: 2}
  ans-model: {input_per_mtok: 10, output_per_mtok: 20}
http: {max_retries: 0, first_byte_timeout_ms: 500}
retrieval:
  summarize_over_budget: summ-small
YAML
}

# plain_with FILE WHY: the turn in FILE answered from its plain packed
# context, and its summary's error holds WHY.
plain_with() {
	python3 - "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); s = j["summary"]
ok = s["used"] is False and sys.argv[2] in s["error"] and s["text"] is None
ok = ok and not any(c["summarized"] for c in j["citations"])
if not ok:
    print("# summary:", json.dumps(s))
sys.exit(0 if ok else 1)
PY
}

# failing_summarizer FLAVOR NAME WHY [SERVER ARGS...]: a summarizer served
# with those arguments (none: no server at all) fails; the turn answers.
failing_summarizer() {
	local flavor=$1 name=$2 why=$3 bad_url=http://127.0.0.1:9
	shift 3
	if [ $# -gt 0 ]; then
		start_server --flavor "$flavor" "$@"
		bad_url=$url
	fi
	write_config "$work/$flavor-$name.yaml" "$flavor" "$bad_url" "$ans_url"
	run --config "$work/$flavor-$name.yaml" ask --json "$question" > "$work/$flavor-$name.json"
	local rc=$?
	check "$flavor: summarizer $name: the turn still answers (exit 0)" \
		test "$rc $(json_get "$work/$flavor-$name.json" '(j["outcome"], j["answer"])')" = "0 ('ok', '$answer')"
	check "$flavor: summarizer $name: plain context, and the reason" plain_with "$work/$flavor-$name.json" "$why"
}

for flavor in openai anthropic; do
	mkdir -p "$work/$flavor/summ" "$work/$flavor/ans"
	start_server --flavor $flavor --summarize --log-dir "$work/$flavor/summ"
	summ_url=$url
	start_server --flavor $flavor --text "$answer" --log-dir "$work/$flavor/ans"
	ans_url=$url
	cfg=$work/$flavor.yaml
	write_config "$cfg" $flavor "$summ_url" "$ans_url"
	out=$work/$flavor.json
	run --config "$cfg" ask --json "$question" > "$out"
	check "$flavor: over budget the turn answers (exit 0)" test $? -eq 0
	check "$flavor: ask --json says the left-out chunks were summarized, by which model" \
		test "$(json_get "$out" '(j["summary"]["used"], j["summary"]["called"], j["summary"]["model"], j["summary"]["provider"], j["summary"]["error"])')" = "(True, True, 'summ-small', 'summ', None)"
	check "$flavor: ... naming their blocks, from 2 on, and their chunks" \
		test "$(json_get "$out" 'j["summary"]["labels"] == [c["rank"] for c in j["citations"] if c["summarized"]] and j["summary"]["labels"][0] >= 2 and len(j["summary"]["chunk_ids"]) >= len(j["summary"]["labels"]) >= 1')" = True
	check "$flavor: ... only blocks a statement of the summary cites" \
		test "$(json_get "$out" 'all("[%d]" % n in j["summary"]["text"] for n in j["summary"]["labels"])')" = True
	req=$work/$flavor/summ/request-1.json
	check "$flavor: one summarize request went out" test "$(ls "$work/$flavor/summ" | wc -l)" = 1
	check "$flavor: it carries every left-out chunk fenced with its label and path" \
		python3 - "$req" "$out" <<'PY'
import json, sys
body = json.load(open(sys.argv[1])); j = json.load(open(sys.argv[2]))
msg = body["messages"][-1]["content"]
ok = all(" [%d]>>>\n[%d] %s:%d-%d" % (c["rank"], c["rank"], c["path"], c["line_start"], c["line_end"]) in msg
         for c in j["citations"] if c["summarized"])
packed = [c for c in j["citations"] if not c["summarized"]]
ok = ok and all("[%d] %s:" % (c["rank"], c["path"]) not in msg for c in packed)
ok = ok and "End every statement with the label of each block it comes from" in json.dumps(body)
sys.exit(0 if ok and body["model"] == "summ-small" else 1)
PY
	check "$flavor: the answer's prompt holds the summary block, not the left-out text" \
		python3 - "$work/$flavor/ans/request-1.json" "$out" <<'PY'
import json, sys
body = json.load(open(sys.argv[1])); j = json.load(open(sys.argv[2]))
msg = body["messages"][-1]["content"]
labels = " ".join("[%d]" % n for n in j["summary"]["labels"])
ok = ("[summary] of blocks %s: condensed, not quoted" % labels) in msg
ok = ok and all(line in msg for line in j["summary"]["text"].split("\n"))
sys.exit(0 if ok and body["model"] == "ans-model" else 1)
PY
	check "$flavor: the summarize call's tokens and cost are its own" \
		test "$(json_get "$out" '(lambda s: abs(s["cost_usd"] - (s["usage"]["input_tokens"] * 1 + s["usage"]["output_tokens"] * 2) / 1e6) < 1e-12 and s["usage"]["input_tokens"] > 100 and not s["usage"]["estimated"] and s["latency_us"] > 0)(j["summary"])')" = True
	check "$flavor: ... apart from the answer's, and both in the turn's cost" \
		test "$(json_get "$out" '(lambda u: abs(j["answer_cost_usd"] - (u["input_tokens"] * 10 + u["output_tokens"] * 20) / 1e6) < 1e-12 and u["input_tokens"] == 321 and abs(j["cost_usd"] - j["answer_cost_usd"] - j["summary"]["cost_usd"]) < 1e-12)(j["usage"])')" = True
	check "$flavor: the summary fits the budget with the packed blocks" \
		test "$(json_get "$out" 'j["usage"]["context_tokens"] <= 300 and j["summary"]["tokens"] > 0')" = True

	# An answer quoting the summary's first statement cites its block: the
	# citation resolves to that block's chunk, and its text supports it.
	statement=$(json_get "$out" 'j["summary"]["text"].split("\n")[0]')
	label=$(json_get "$out" 'int(j["summary"]["text"].split("\n")[0].rsplit("[", 1)[1].split("]")[0])')
	block=$(json_get "$out" '[(c["path"], c["line_start"], c["line_end"]) for c in j["citations"] if c["rank"] == '"$label"'][0]')
	start_server --flavor $flavor --text "$statement"
	write_config "$work/$flavor-cite.yaml" $flavor "$summ_url" "$url"
	run --config "$work/$flavor-cite.yaml" ask --json "$question" > "$work/$flavor-cite.json"
	check "$flavor: a citation of a summarized block resolves to its chunk" \
		test "$(json_get "$work/$flavor-cite.json" '(lambda c: (c["summarized"], (c["path"], c["line_start"], c["line_end"])))([c for c in j["citations"] if c["rank"] == '"$label"'][0])')" = "(True, $block)"
	check "$flavor: ... and is grounded in the chunk's own text" \
		test "$(json_get "$work/$flavor-cite.json" '[(s["cited"], s["supported"], s["basis"], '"$label"' in s["supported_by"]) for s in j["sentences"]]')" = "[([$label], True, 'cited', True)]"

	run --config "$cfg" ask "$question" > "$work/$flavor.txt"
	check "$flavor: ask lists summarized sources as such" grep -qE '^  \[[0-9]+\] .*  \[summarized\]$' "$work/$flavor.txt"
	check "$flavor: ... and says what the summary did and cost" \
		grep -qE '^summarized [0-9]+ chunks? in blocks? \[[0-9]+\]( \[[0-9]+\])*; by summ-small, [0-9]+ tokens in the context; call [0-9]+ in / [0-9]+ out tokens, [0-9]+ ms, \$0\.[0-9]{6}$' "$work/$flavor.txt"

	# Under budget nothing is left out: no call.
	rm -f "$work/$flavor/summ"/*
	write_config "$work/$flavor-big.yaml" $flavor "$summ_url" "$ans_url" 100000
	run --config "$work/$flavor-big.yaml" ask --json "$question" > "$work/$flavor-big.json"
	check "$flavor: under budget no summarize call is made" \
		test "$(ls "$work/$flavor/summ" | wc -l) $(json_get "$work/$flavor-big.json" '(j["summary"], any(c["summarized"] for c in j["citations"]))')" = "0 (None, False)"

	# A summarizer that fails: the turn answers from the plain context and says why.
	failing_summarizer $flavor 500 "HTTP 500" --status 500
	failing_summarizer $flavor timeout "first-byte timeout" --head-delay-ms 3000 --text "Late [2]."
	failing_summarizer $flavor malformed "the call broke off: malformed JSON in the event stream" \
		--fault malformed --text "Refunds take fourteen days on monthly plans [2]."
	failing_summarizer $flavor empty "the summarizer's reply was empty" --tokens 0
	failing_summarizer $flavor unlabelled "no statement of the summary carries the label" \
		--text "Refunds take fourteen days on monthly plans."
	failing_summarizer $flavor down "cannot connect to http://127.0.0.1:9"
done

# Untrusted summary text: terminal controls never reach stdout.
start_server --flavor openai --text $'Refunds \e]52;c;cm0gLXJm\a take \e[31mfourteen days\e[0m on every monthly plan [2].'
hostile_url=$url
start_server --flavor openai --text "$answer"
write_config "$work/hostile.yaml" openai "$hostile_url" "$url"
run --config "$work/hostile.yaml" ask "$question" > "$work/hostile.txt"
run --config "$work/hostile.yaml" ask --json "$question" > "$work/hostile.json"
check "a hostile summary is placed, sanitized" \
	test "$(json_get "$work/hostile.json" '(j["summary"]["used"], "\x1b" in j["summary"]["text"], "\x07" in j["summary"]["text"])')" = "(True, False, False)"
check "... and ask prints no terminal control" raw_free "$work/hostile.txt" "$work/hostile.json"

# config check shows the key; an unknown model is an error naming it.
run --config "$work/openai.yaml" config check > "$work/check.txt"
check "config check prints the key with the retrieval keys" grep -q '^  summarize_over_budget: "summ-small"$' "$work/check.txt"
printf 'retrieval:\n  summarize_over_budget: nobody-7b\n' > "$work/unknown.yaml"
run --config "$work/unknown.yaml" config check > /dev/null 2> "$work/unknown.err"
check "an unknown summarizer model fails config check (exit 1)" test $? -eq 1
check "... with a message naming the key and the model" \
	grep -q 'unknown.yaml:2:26: error: retrieval.summarize_over_budget: unknown model "nobody-7b"' "$work/unknown.err"

# The key off (the default): the offline answerer, no summary.
run ask --json "$question" > "$work/off.json"
check "the key off: the local answerer answers, nothing summarized" \
	test "$(json_get "$work/off.json" '(j["model"], j["summary"], j["outcome"])')" = "('local', None, 'ok')"

# stats counts the summaries and their cost.
run --config "$work/openai.yaml" stats --json > "$work/stats.json"
check "stats counts the summarize calls, the placed summaries and their cost" \
	test "$(json_get "$work/stats.json" '(lambda s: s["calls"] >= 8 and s["placed"] >= 5 and s["cost_usd"] > 0 and s["input_tokens"] > 0)(j["summaries"])')" = True

# eval: per item whether it summarized and what it cost; the summary
# counts them; key on and off are runs with different parameters.
golden=$here/../fixtures/eval/golden6.yaml
start_server --flavor anthropic --summarize
write_config "$work/eval.yaml" anthropic "$url" "$ans_url"
sed -i 's/default_model: ans-model/default_model: local/; s/fallback_model: ans-model/fallback_model: local/' "$work/eval.yaml"
run --config "$work/eval.yaml" eval --json "$golden" > "$work/eval-on.json" 2> /dev/null
grep -v summarize_over_budget "$work/eval.yaml" > "$work/eval-off.yaml"
run --config "$work/eval-off.yaml" eval --json "$golden" > "$work/eval-off.json" 2> /dev/null
check "eval: items say whether their chunks over budget were summarized, and the cost" \
	test "$(json_get "$work/eval-on.json" '(lambda its: any(s and s["placed"] and s["cost_usd"] > 0 and s["input_tokens"] > 0 for s in its))([i["summary"] for i in j["runs"][0]["items"]])')" = True
check "eval: the summary counts calls, placed summaries and their cost, next to grounding" \
	test "$(json_get "$work/eval-on.json" '(lambda o: (o["summaries"]["calls"] > 0, o["summaries"]["placed"] > 0, o["summaries"]["cost_usd"] > 0, o["cost_usd"]["summaries"] == o["summaries"]["cost_usd"], "hallucination_score" in o["grounding"]))(j["runs"][0]["overall"])')" = "(True, True, True, True, True)"
check "eval: with the key off nothing is summarized" \
	test "$(json_get "$work/eval-off.json" '(lambda o: (o["summaries"]["calls"], [i["summary"] for i in j["runs"][0]["items"]] == [None] * 6))(j["runs"][0]["overall"])')" = "(0, True)"
check "eval: the summarizer is a parameter of the run" \
	test "$(json_get "$work/eval-on.json" 'j["runs"][0]["params"].get("summarize_over_budget")') $(json_get "$work/eval-off.json" 'j["runs"][0]["params"].get("summarize_over_budget")')" = "summ-small None"
run --config "$work/eval.yaml" eval "$golden" > "$work/eval-on.txt" 2> /dev/null
check "eval's text lists the summaries with their cost and the grounding" \
	grep -qE '^summaries of chunks over budget: [0-9]+ calls, [0-9]+ placed, [0-9]+ in / [0-9]+ out tokens, .0\.[0-9]{6} .in ./query., grounding [0-9.]+$' "$work/eval-on.txt"
check "... and each item that tried one" grep -qE '^  [a-z0-9-]+: summary (placed|not placed|skipped)' "$work/eval-on.txt"
# An answering model without a price: the summary's known cost stays out
# of the total, and stats says how much.
write_config "$work/unpriced.yaml" anthropic "$url" "$ans_url"
sed -i '/ans-model: {input_per_mtok/d' "$work/unpriced.yaml"
run --config "$work/unpriced.yaml" ask "$question" > /dev/null 2>&1
run --config "$work/unpriced.yaml" stats > "$work/unpriced-stats.txt"
check "an unpriced answer: stats names the summary cost outside the total" \
	grep -qE '^of which outside the cost above: \$0\.[0-9]{6}, for answers whose model has no price$' "$work/unpriced-stats.txt"
# The judge is shown the context the answer was given: the summary under
# its label, never a summarized block's empty place.
start_server --flavor anthropic --log "$work/judge.log" \
	--text '{"claims": [{"claim": "Refunds take 14 days.", "supported": true}], "relevance": 1, "relevance_reason": "answers it"}'
printf '  judge: {kind: anthropic, base_url: "%s"}\n' "$url" > "$work/judge-provider.yaml"
sed "/^providers:/r $work/judge-provider.yaml" "$work/eval.yaml" | sed 's/^models:/models:\n  - {match: "judge-*", provider: judge}/' > "$work/eval-judge.yaml"
run --config "$work/eval-judge.yaml" eval --json --judge judge-small "$golden" > "$work/eval-judge.json" 2> /dev/null
check "eval --judge over summarized turns: the judge sees each summary under its label" \
	python3 - "$work/judge.log" "$work/eval-judge.json" <<'PY'
import json, re, sys
bodies = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
texts = [re.search(r"<<<CONTEXT>>>\n(.*?)<<<END CONTEXT>>>", b["messages"][-1]["content"], re.S).group(1)
         for b in bodies]
placed = sum(1 for i in json.load(open(sys.argv[2]))["runs"][0]["items"] if i["summary"] and i["summary"]["placed"])
with_summary = [t for t in texts if "[summary] of blocks" in t]
empty = [t for t in texts if re.search(r"^\[\d+\] *$", t, re.M)]
ok = placed > 0 and len(with_summary) >= placed and not empty
if not ok:
    print("# placed", placed, "with summary", len(with_summary), "requests", len(texts), "empty", len(empty))
sys.exit(0 if ok else 1)
PY
tap_done
