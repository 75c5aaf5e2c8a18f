#!/usr/bin/env bash
# The network fault matrix end to end through `ragdeck ask`: every fault the
# fixture server can play (split to single bytes, in-stream errors, malformed
# JSON, an over-long line, the wrong content type, 429/500 then success, a
# server that never answers, a slow drip, a reset before and after the first
# token), plus hostile model output and error bodies. After each fault the
# command exits with a reason on one line, keeps what arrived, and writes
# nothing raw to the terminal; the next command works.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/serve.sh"
. "$here/sandbox.sh"
serve=${FIXTURE_SERVE:?set FIXTURE_SERVE to the fixture server program}
export OPENAI_API_KEY=sk-test-faults-1 ANTHROPIC_API_KEY=sk-ant-test-faults-1
db=$work/kb.db
"$ragdeck" --db "$db" ingest --collection default "$here/../../examples/kb" > /dev/null
cat > "$work/fast.yaml" <<YAML
http:
  first_byte_timeout_ms: 400
  idle_timeout_ms: 300
  max_retries: 0
YAML
words() { seq -f 'w%g' 1 "$1" | paste -sd' '; }
# ask_openai NAME ARGS...: ask through the latest server as gpt-4o-mini,
# stdout to NAME.out, stderr to NAME.err, exit status to $rc.
ask_openai() {
	local name=$1
	shift
	OPENAI_BASE_URL=$url "$ragdeck" --db "$db" "$@" ask --model gpt-4o-mini "What port does the agent use?" \
		> "$work/$name.out" 2> "$work/$name.err"
	rc=$?
}
ask_anthropic() {
	local name=$1
	shift
	ANTHROPIC_BASE_URL=$url "$ragdeck" --db "$db" "$@" ask --model claude-sonnet-4-6 "What port does the agent use?" \
		> "$work/$name.out" 2> "$work/$name.err"
	rc=$?
}
answer_of() { sed -n '/^route:/,$p' "$work/$1.out" | sed -n '2p'; }
one_line() { [ "$(wc -l < "$work/$1.err")" = 1 ] && grep -qE -- "$2" "$work/$1.err"; }

start_server --flavor openai --tokens 12 --fault bytes
ask_openai bytes
check "a stream split into single bytes is reconstructed exactly" \
	bash -c "[ $rc = 0 ] && grep -qx '$(words 12)' '$work/bytes.out'"

start_server --flavor openai --tokens 10 --fault error-mid
ask_openai error-mid
check "openai error mid-stream: exit 1, partial answer kept" \
	bash -c "[ $rc = 1 ] && grep -qx '$(words 5)' '$work/error-mid.out'"
check "openai error mid-stream: the provider's message on one line" \
	one_line error-mid 'interrupted.*fixture overloaded mid-stream'

start_server --flavor anthropic --tokens 10 --fault error-mid
ask_anthropic a-error-mid
check "anthropic error event mid-stream: exit 1, partial answer kept" \
	bash -c "[ $rc = 1 ] && grep -qx '$(words 5)' '$work/a-error-mid.out'"
check "anthropic error event: overloaded_error named on one line" one_line a-error-mid 'interrupted.*overloaded'

start_server --flavor openai --tokens 10 --fault malformed
ask_openai malformed
check "malformed JSON mid-stream: exit 1, partial answer kept" \
	bash -c "[ $rc = 1 ] && grep -qx '$(words 5)' '$work/malformed.out'"
check "malformed JSON: reason on one line" one_line malformed 'interrupted.*JSON'

start_server --flavor anthropic --tokens 10 --fault malformed
ask_anthropic a-malformed
check "anthropic malformed JSON: partial kept, reason given" \
	bash -c "[ $rc = 1 ] && grep -qx '$(words 5)' '$work/a-malformed.out' && grep -q JSON '$work/a-malformed.err'"

start_server --flavor openai --tokens 10 --fault long-line
ask_openai long-line
check "a 2 MiB line: exit 1, partial answer kept" \
	bash -c "[ $rc = 1 ] && grep -qx '$(words 5)' '$work/long-line.out'"
check "a 2 MiB line: the cap is named on one line" one_line long-line 'interrupted.*(line|bytes)'

start_server --flavor openai --fault flood
ask_openai flood
check "a 5 MiB answer: exit 1, the first 4 MiB kept" \
	bash -c "[ $rc = 1 ] && [ \$(awk 'length(\$0) == 4 * 1024 * 1024' '$work/flood.out' | wc -l) = 1 ]"
check "a 5 MiB answer: the cap named on one line" one_line flood 'interrupted.*passed 4 MiB'

start_server --flavor openai --fault wrong-type
ask_openai wrong-type
check "a 200 with text/html instead of a stream fails with the content type named" \
	bash -c "[ $rc = 1 ] && grep -q 'text/html' '$work/wrong-type.err'"

start_server --flavor openai --tokens 4 --status 500
ask_openai retry-500
check "500 then success is retried before the first token" \
	bash -c "[ $rc = 0 ] && grep -qx '$(words 4)' '$work/retry-500.out'"

start_server --flavor anthropic --tokens 4 --status 429 --retry-after 0
ask_anthropic retry-429
check "anthropic 429 with retry-after then success" \
	bash -c "[ $rc = 0 ] && grep -qx '$(words 4)' '$work/retry-429.out'"

start_server --flavor openai --tokens 4 --head-delay-ms 3000
ask_openai stall --config "$work/fast.yaml"
check "a server that never sends a byte: first-byte timeout named" \
	bash -c "[ $rc = 1 ] && grep -qi 'first.byte' '$work/stall.err'"

start_server --flavor openai --tokens 6 --delay-ms 1000
ask_openai drip --config "$work/fast.yaml"
check "a drip slower than the idle timeout: partial kept" \
	bash -c "[ $rc = 1 ] && grep -qx 'w1' '$work/drip.out'"
check "a drip slower than the idle timeout: idle timeout named on one line" one_line drip 'interrupted.*idle'

start_server --flavor openai --tokens 6 --reset-after 0
ask_openai reset0 --config "$work/fast.yaml"
check "a reset before the first token fails with a reason, nothing printed as answer" \
	bash -c "[ $rc = 1 ] && [ \$(wc -l < '$work/reset0.err') = 1 ] && ! grep -q '^w1' '$work/reset0.out'"

# Nothing billed, nothing charged: a refused connection and a refused
# request cost 0 and count no input tokens.
OPENAI_BASE_URL=http://127.0.0.1:1/v1 "$ragdeck" --db "$db" --config "$work/fast.yaml" ask --json \
	--model gpt-4o-mini "What port does the agent use?" > "$work/refused.json" 2> /dev/null
check "a refused connection costs nothing" \
	test "$(json_get "$work/refused.json" '(j["outcome"], j["cost_usd"], j["usage"]["input_tokens"], j["usage"]["output_tokens"])')" = "('failed', 0, 0, 0)"
start_server --flavor openai --status 401 --error-body '{"error":{"message":"Incorrect API key provided"}}'
OPENAI_BASE_URL=$url "$ragdeck" --db "$db" ask --json --model gpt-4o-mini "What port does the agent use?" \
	> "$work/refused401.json" 2> /dev/null
check "a request refused with 401 costs nothing" \
	test "$(json_get "$work/refused401.json" '("401" in j["error"], j["cost_usd"], j["usage"]["input_tokens"])')" = "(True, 0, 0)"

start_server --flavor openai --tokens 8 --reset-after 3
ask_openai reset3
check "a reset after three tokens: partial kept, interrupted" \
	bash -c "[ $rc = 1 ] && grep -qx '$(words 3)' '$work/reset3.out'"
check "a reset after three tokens: the reason on one line" one_line reset3 interrupted

# Hostile model output: escape sequences, an OSC 52 clipboard write, a title,
# a DCS string, C1 controls, a bidi override and a NUL, all JSON-escaped
# by the server as a real provider would send them.
hostile=$'Port \e[2J\e[H 7443 \e]52;c;cHduZWQ=\a clip \e]0;pwned\a title \eP1$r0m\e\\ dcs \xc2\x9b31m c1 \xe2\x80\xaeesrever\xe2\x80\xac nul\x01end'
start_server --flavor openai --text "$hostile"
ask_openai hostile-out
check "hostile model output: the answer arrives" bash -c "[ $rc = 0 ] && grep -q 'Port' '$work/hostile-out.out' && grep -q '7443' '$work/hostile-out.out'"
check "hostile model output reaches the terminal inert" raw_free "$work/hostile-out.out" "$work/hostile-out.err"
OPENAI_BASE_URL=$url "$ragdeck" --db "$db" ask --json --model gpt-4o-mini "What port?" > "$work/hostile-out.json"
check "--json keeps the exact text, escaped" \
	test "$(json_get "$work/hostile-out.json" '"\x1b]52;c;" in j["answer"] and "\u202e" in j["answer"]')" = True
check "--json output itself has no raw control bytes" raw_free "$work/hostile-out.json"

start_server --flavor openai --status 400 --error-body $'<html>\e]0;pwned\a\e[2J<b>Bad \xe2\x80\xaeRequest</b>\e]52;c;cHduZWQ=\a</html>'
ask_openai hostile-err
check "a hostile error body: exit 1 with the status named" bash -c "[ $rc = 1 ] && grep -q 400 '$work/hostile-err.err'"
check "a hostile error body reaches the terminal inert" raw_free "$work/hostile-err.out" "$work/hostile-err.err"

# A server that echoes the key it was sent: the key is redacted everywhere.
start_server --flavor openai --status 401 --error-body "{\"error\":{\"message\":\"Incorrect API key provided: $OPENAI_API_KEY\"}}"
ask_openai echo-key
check "a server echoing the key: exit 1, the key redacted in the message" \
	bash -c "[ $rc = 1 ] && grep -q 'Incorrect API key provided: \[redacted\]' '$work/echo-key.err'"

# The program keeps working: after all of the above, a turn completes and
# every failed turn is in the query log with its outcome.
start_server --flavor openai --tokens 3
ask_openai after
check "after every fault the next question is answered" bash -c "[ $rc = 0 ] && grep -qx 'w1 w2 w3' '$work/after.out'"
"$ragdeck" --db "$db" stats --json > "$work/stats.json"
check "the failed and interrupted turns are logged with their outcomes" \
	test "$(json_get "$work/stats.json" 'j["outcomes"].get("interrupted", 0) >= 7 and j["outcomes"].get("error", 0) + j["outcomes"].get("failed", 0) >= 3')" = True
check "the database is intact" \
	test "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$db")" = ok
check "the key is in no file the program wrote (database, WAL, output)" \
	bash -c "! grep -rqa -- '$OPENAI_API_KEY' '$work'"
check "the database and its WAL are mode 0600" \
	bash -c "for f in '$db' '$db-wal' '$db-shm'; do [ ! -e \"\$f\" ] || [ \$(stat -c %a \"\$f\") = 600 ] || exit 1; done"
tap_done
