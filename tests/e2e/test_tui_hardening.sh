#!/usr/bin/env bash
# The full-screen app against what can go wrong around it: another process
# writing the database, hostile documents, hostile model output and error
# bodies, the network fault matrix, and keys that must never be written.
# One app process lives through sections 3 and 4 to show it keeps working.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/../integration/serve.sh"
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
serve=${FIXTURE_SERVE:?set FIXTURE_SERVE to the fixture server program}
export RAGDECK_THEME_DIR=$here/../../themes
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
secret=sk-test-e2e-SECRET-41c7d2
export OPENAI_API_KEY=$secret ANTHROPIC_API_KEY=$secret
db=$work/home/data/kb.db
"$ragdeck" --db "$db" ingest --collection default "$here/../../examples/kb" > /dev/null
"$here/../fixtures/hostile-corpus.sh" "$work/hostile"
printf '# Wombat care\n\nWombats eat grass, herbs and roots, mostly at night.\n' > "$work/hostile/wombat.md"
sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$1"; }
title() { tm display -p -t e2e '#{pane_title}'; }
buffers() { tm list-buffers | wc -l; }

# One fixture server per fault, each behind its own provider and model name.
hostile_text=$'Port \e[2J\e[H 7443 \e]52;c;cHduZWQ=\a clip \e]0;pwned\a title \eP1$r0m\e\\ dcs \xc2\x9b31m c1 \xe2\x80\xaeesrever\xe2\x80\xac nul\x01end'
hostile_body=$'<html>\e]0;pwned\a\e[2J<b>Bad \xe2\x80\xaeRequest</b>\e]52;c;cHduZWQ=\a</html>'
printf 'http:\n  first_byte_timeout_ms: 1500\n  idle_timeout_ms: 600\n  max_retries: 1\nproviders:\n' > "$work/faults.yaml"
models=""
# fault NAME FLAVOR FIXTURE-ARGS...: a server and a provider "p-NAME" (sent
# the flavor's key) for model "fault-NAME".
fault() {
	local name=$1 flavor=$2
	shift 2
	start_server --flavor "$flavor" "$@"
	local key_env=OPENAI_API_KEY
	[ "$flavor" = openai ] || key_env=ANTHROPIC_API_KEY
	printf '  p-%s:\n    kind: %s\n    base_url: "%s"\n    api_key_env: %s\n' "$name" "$flavor" "$url" "$key_env" >> "$work/faults.yaml"
	models+=$(printf '  - match: "fault-%s"\n    provider: p-%s\n' "$name" "$name")$'\n'
}
fault ok openai --tokens 4
fault bytes openai --tokens 12 --fault bytes
fault error-mid openai --tokens 10 --fault error-mid
fault a-error-mid anthropic --tokens 10 --fault error-mid
fault malformed openai --tokens 10 --fault malformed
fault long-line openai --tokens 10 --fault long-line
fault wrong-type openai --fault wrong-type
fault retry-500 openai --tokens 4 --status 500
fault retry-429 anthropic --tokens 4 --status 429 --retry-after 0
fault stall openai --head-delay-ms 4000
fault drip openai --tokens 6 --delay-ms 1500
fault reset openai --tokens 8 --reset-after 3
fault hostile openai --text "$hostile_text"
fault hostile-err openai --status 400 --error-body "$hostile_body"
fault echo-key openai --status 401 --error-body "{\"error\":{\"message\":\"Incorrect API key provided: $secret\"}}"
printf 'models:\n%s' "$models" >> "$work/faults.yaml"

# 1. Controls: this tmux server does act on a raw title and a raw OSC 52
#    clipboard write, so the checks below can fail.
fresh_server
tm new-session -d -s e2e -x 200 -y 50 "env PS1='e2e-shell\$ ' TERM=tmux-256color bash --norc --noprofile"
tm set -g set-clipboard on
wait_for 'e2e-shell\$' 5
keys "printf '\\033]2;pwned\\007\\033]52;c;cHduZWQ=\\007'" Enter
sleep 0.3
check "control: a raw OSC 2 sets the pane title" test "$(title)" = pwned
check "control: a raw OSC 52 creates a paste buffer" test "$(buffers)" -ge 1
keys "printf '\\033]2;e2e-clean\\007'; clear" Enter
tm delete-buffer 2>/dev/null
sleep 0.3
check "control: title and buffers reset" bash -c "[ \"\$(tmux -L $sock display -p -t e2e '#{pane_title}')\" = e2e-clean ] && [ \$(tmux -L $sock list-buffers | wc -l) = 0 ]"

# 2. Two processes: ragdeck ingest writes the hostile tree (a 10 MB line
#    among it) while the app answers questions; both succeed and the app's
#    next search sees the new documents.
keys "$ragdeck --config $work/faults.yaml --db $db" Enter
wait_for '1 chat' 5
"$ragdeck" --config "$work/faults.yaml" --db "$db" ingest "$work/hostile" > "$work/ingest.out" 2>&1 &
ingest_pid=$!
# Each answer's screen is read before :new clears it.
answered=0 errors=0
for q in "How many days do I have to ask for a refund?" "What port does the agent use?" "How long is version history kept?"; do
	keys "$q" Enter
	wait_for 'local via local' 10 && answered=$((answered + 1))
	screen | grep -iE 'error:|failed|locked|busy' | sed 's/^/# on screen: /' | grep . && errors=$((errors + 1))
	keys ':new' Enter
	wait_gone 'local via local' 5
done
wait "$ingest_pid"
check "ingest from another process succeeds while the app answers" \
	bash -c "grep -q '8 added' '$work/ingest.out'"
check "the app answered every question meanwhile ($answered of 3), no error on screen ($errors)" \
	test "$answered" -eq 3 -a "$errors" -eq 0
keys "/rag Do wombats eat grass and herbs?" Enter
check "the app's next search sees the other process's documents" wait_for 'wombat\.md' 10

# 3. Hostile documents drawn inert; the injection flag shown to reviewers.
keys ':new' Enter
keys "/rag What is the quokka password?" Enter
check "escape sequences in a document show as placeholders in chat" wait_for 'password is .RED. and . title' 10
keys Tab Tab
wait_for '2 context \*' 3
keys Enter
check "the chunk viewer shows the hostile document inert" wait_for 'Clipboard . write and . dcs and . c1 and .reversed. text' 5
keys Escape
wait_gone 'terminal\.md \*' 3
check "no title change reached the terminal" test "$(title)" = e2e-clean
check "no clipboard write reached the terminal" test "$(buffers)" = 0
keys i
keys ':new' Enter
keys "/rag What is the pangolin escalation contact extension?" Enter
check "the prompt-injection document is flagged in the context pane" wait_for 'inject\.md.*! injection\?' 10
keys ':new' Enter
keys "/rag Which file name tries to set the title? cassowary" Enter
check "a title-setting file name shows with a placeholder" wait_for 'hostile/.\.md' 10
keys ':new' Enter
keys "/rag echidna marsupial eucalyptus billabong" Enter
wait_for 'oneline\.txt' 10
keys Tab Tab
wait_for '2 context \*' 3
keys Enter
check "a chunk of the 10 MB line opens in the viewer" wait_for '─ .*oneline\.txt \*' 10
keys Escape
check "the viewer closes at once" wait_gone '─ .*oneline\.txt \*' 5
keys i

# 4. The fault matrix in the same app: each fault keeps what arrived, puts
#    the reason on screen, and the next question still works.
# ask_fault NAME: start a new conversation and ask model fault-NAME.
ask_fault() {
	keys ':new' Enter
	keys ":model fault-$1" Enter
	wait_for "answering with fault-$1" 3
	keys "What port does the agent use?" Enter
}
ask_fault bytes
check "bytes: a stream split into single bytes arrives whole" wait_for '│w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 *│' 10
ask_fault error-mid
check "openai error mid-stream: partial answer stays" wait_for '│w1 w2 w3 w4 w5 *│' 10
check "openai error mid-stream: the reason is on screen" wait_for 'interrupted.*fixture overloaded mid-stream' 3
ask_fault a-error-mid
check "anthropic error event: partial stays, reason on screen" wait_all '│w1 w2 w3 w4 w5 *│' 'interrupted.*overloaded'
ask_fault malformed
check "malformed JSON: partial stays, reason on screen" wait_all '│w1 w2 w3 w4 w5 *│' 'interrupted.*JSON'
ask_fault long-line
check "a 2 MiB line: partial stays, the cap named" wait_all '│w1 w2 w3 w4 w5 *│' 'interrupted.*(line|bytes)'
ask_fault drip
check "a drip slower than the idle timeout: interrupted, idle timeout named" wait_for 'interrupted.*idle' 10
ask_fault reset
check "a reset after three tokens: partial stays, interrupted" wait_all '│w1 w2 w3 *│' 'interrupted'
ask_fault wrong-type
check "text/html instead of a stream: failed, content type named" wait_for 'failed.*text/html' 10
ask_fault stall
check "no byte within the first-byte timeout: failed, named" wait_for 'failed.*first.byte' 10
ask_fault retry-500
check "500 then success: retried, answered" wait_for '│w1 w2 w3 w4 *│' 10
ask_fault retry-429
check "anthropic 429 then success: retried, answered" wait_for '│w1 w2 w3 w4 *│' 10
ask_fault hostile
check "hostile model output: the answer shows" wait_for 'Port . 7443 . clip . title . dcs . c1 .esrever. nul.end' 10
keys ":export $work/home/conv.md" Enter
wait_for 'saved the conversation' 3
ask_fault hostile-err
check "a hostile error body: failed with the status" wait_for 'failed.*400' 10
check "hostile output and error body: no title change" test "$(title)" = e2e-clean
check "hostile output and error body: no clipboard write" test "$(buffers)" = 0
ask_fault echo-key
check "a server echoing the key: failed with the status" wait_for 'failed.*401' 10
check "the echoed key is not on screen" bash -c "! tmux -L $sock capture-pane -p -t e2e -S - | grep -q '$secret'"
ask_fault ok
check "after every fault the app still answers" wait_for '│w1 w2 w3 w4 *│' 10

# Another program holds the database's write lock for longer than the busy
# timeout: the question is still answered and the app says it is unsaved;
# once the lock is gone the next question is saved again.
hold_write_lock "$db" 12 # past the 5 s waits of :new and of the answer's save, even on a loaded machine
messages_before=$(sql 'SELECT count(*) FROM messages')
keys ':new' Enter
keys "What port does the agent use?" Enter
check "with the database locked the answer still shows" wait_for '│w1 w2 w3 w4 *│' 15
check "and the status line says it was not saved and why" wait_for 'answered, but not saved: .*another process is writing' 15
wait "$lock_pid"
keys "What port does the agent use?" Enter
check "after the lock the next answer is saved" \
	bash -c "for _ in \$(seq 50); do [ \$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM messages\").fetchone()[0])' '$db') -ge $((messages_before + 2)) ] && exit 0; sleep 0.1; done; exit 1"
keys ':quit' Enter
check "quit returns to the shell" wait_for 'e2e-shell\$ ?$' 5

# A damaged database: one line that says what to do, the terminal as it was.
printf 'not a database at all, just text that is long enough to be a header.....' > "$work/corrupt.db"
keys clear Enter "$ragdeck --db $work/corrupt.db" Enter
check "the app on a corrupt database says so in one line" wait_for 'corrupt\.db is not a usable ragdeck database' 5
check "and leaves the terminal at the shell" \
	bash -c "[ \$(tmux -L $sock display -p -t e2e '#{alternate_on}') = 0 ]"
check "with the prompt back" wait_for 'e2e-shell\$ ?$' 5

# 5. Keys: nothing the program wrote holds the key; its files are private.
check "the key is in no file the program wrote (database, history, export)" \
	bash -c "! grep -rqa -- '$secret' '$work/home'"
check "turns with keys were logged" test "$(sql 'SELECT count(*) FROM queries')" -ge 15
mode() { stat -c %a "$1"; }
check "the database and its WAL are mode 0600" \
	bash -c "[ \$(stat -c %a '$db') = 600 ] && for f in '$db-wal' '$db-shm'; do [ ! -e \"\$f\" ] || [ \$(stat -c %a \"\$f\") = 600 ] || exit 1; done"
check "the input history is mode 0600" \
	bash -c "for f in '$XDG_STATE_HOME'/ragdeck/history-*; do [ \$(stat -c %a \"\$f\") = 600 ] || exit 1; done"
check "the export is mode 0600" test "$(mode "$work/home/conv.md")" = 600
check "the export holds the hostile answer inert" \
	bash -c "grep -q 'Port . 7443' '$work/home/conv.md' && raw_free '$work/home/conv.md'"
check "the data and state directories are mode 0700" \
	bash -c "[ \$(stat -c %a '$XDG_DATA_HOME') = 700 ] && [ \$(stat -c %a '$XDG_STATE_HOME/ragdeck') = 700 ]"
tap_done
