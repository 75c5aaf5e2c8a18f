#!/usr/bin/env bash
# The full-screen app end to end: the real binary in a private tmux server
# against a temporary database holding examples/kb. Screens are read with
# capture-pane and polled with a timeout, never with fixed sleeps alone.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/../integration/serve.sh"
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
serve=${FIXTURE_SERVE:?set FIXTURE_SERVE to the fixture server program}
export RAGDECK_THEME_DIR=$here/../../themes
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
db=$work/kb.db
"$ragdeck" --db "$db" ingest --collection default "$here/../../examples/kb" > /dev/null

# A document that tries to drive the terminal: colours, a title change
# (OSC), a cursor jump and a bidirectional override.
mkdir -p "$work/hostile"
printf '# Hostile note\n\nThe quokka password is \033[31mRED\033[0m and \033]0;pwned\007 title \033[2J cleared \xe2\x80\xae reversed.\n' \
	> "$work/hostile/quokka.md"
"$ragdeck" --db "$db" ingest --collection default "$work/hostile" > /dev/null

sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$1"; }

# 1. The local answerer: answer, citations, context pane.
start_app
check "app opens with all four panes at 120x40" \
	bash -c "tmux -L $sock capture-pane -p -t e2e | grep -q '2 context' && tmux -L $sock capture-pane -p -t e2e | grep -q '3 dashboard' && tmux -L $sock capture-pane -p -t e2e | grep -q '4 routing'"
keys "How many days do I have to ask for a refund on a monthly plan?" Enter
check "local answer streams into the chat" wait_for 'local via local' 10
check "the answer cites [n]" wait_for '\[1\]' 1
check "context pane lists the retrieved chunks with paths and lines" wait_for 'refund-policy\.md:[0-9]+-[0-9]+' 2
check "routing pane shows the decision" wait_for 'retrieval -> local' 2
check "dashboard counts the turn" wait_for '\(1 turns\)' 2

# 2. Open a chunk from the context pane and mark it.
keys Tab Tab
check "Tab moves the focus to the context pane" wait_for '2 context \*' 3
keys Enter
check "Enter opens the chunk inside its document" wait_for '─ .*examples/kb/.*\.md \*' 3
keys +
check "marking says so" wait_for 'marked #1 relevant' 3
check "the mark is in the feedback table" test "$(sql 'SELECT relevant FROM feedback')" = 1
keys '?'
check "? over the chunk opens the help on top of it" wait_for 'help \(Esc closes\)' 3
keys Escape
check "Esc closes the help and shows the chunk again" wait_for '─ .*examples/kb/.*\.md \*' 3
keys Escape
wait_gone '─ .*examples/kb/.*\.md \*' 3
keys -
check "marking again replaces the mark" wait_for 'marked #1 irrelevant' 3
check "one feedback row, now irrelevant" test "$(sql 'SELECT count(*) || relevant FROM feedback')" = 10

# 3. Approve the answer as a training pair; a citation in the chat jumps to its chunk.
keys 1
wait_for '1 chat \*' 3
keys a
check "a approves the latest answer" wait_for 'answer approved as a training pair' 3
check "the approval is stored for pairs export" \
	test "$(sql "SELECT count(*) FROM messages WHERE role = 'assistant' AND approved = 1")" = 1
keys n Enter
check "selecting a citation in chat focuses its chunk in context" wait_for '2 context \*' 3

# 4. Help and the theme command.
keys Escape
wait_gone '2 context \*' 3
keys '?'
check "? shows the keys" wait_for 'help \(Esc closes\)' 3
keys Escape
wait_gone 'help \(Esc closes\)' 3
keys ':theme light' Enter
check ":theme switches the theme" wait_for 'theme light \(256 colours\)' 3
keys ':theme nosuch' Enter
check "an unknown theme is an error on the status line" wait_for 'not found' 3

# 5. A hostile document is drawn inert.
keys "/rag What is the quokka password?" Enter
check "escape sequences in documents are shown as placeholders" wait_for 'password is .RED. and . title . cleared' 10
check "the title escape did not reach the terminal" bash -c "[ \"\$(tmux -L $sock display -p -t e2e '#{pane_title}')\" != pwned ]"

# 6. Export, sessions, zoom, and an ingest in the background.
keys ":export $work/conv.md" Enter
check ":export writes the conversation" wait_for 'saved the conversation' 3
check "the export is Markdown with questions, answers and sources" \
	bash -c "grep -q '^## You' '$work/conv.md' && grep -q '^## ragdeck' '$work/conv.md' && grep -q '^Sources:' '$work/conv.md'"
keys ':sessions' Enter
check ":sessions lists the current session" wait_for '\(current\)' 3
keys Escape
wait_gone '\(current\)' 3
keys Tab
wait_for '1 chat \*' 3
keys z
check "z zooms the focused pane" wait_gone '2 context' 3
keys z
check "z again brings the other panes back" wait_for '2 context' 3
keys i
mkdir -p "$work/extra"
printf '# Wombat care\n\nWombats eat grass, herbs and roots, mostly at night.\n' > "$work/extra/wombat.md"
keys ":ingest $work/extra" Enter
check ":ingest runs in the background and reports" wait_for 'ingested .*1 added' 15
keys ":ingest $work/no-such-dir" Enter
check ":ingest of a missing path says it stopped, what it kept and why" \
	wait_for 'ingest stopped, 0 documents committed: cannot ingest .*/no-such' 15
keys "/rag Do wombats eat grass and herbs?" Enter
check "the new document is retrieved at once" wait_for 'wombat\.md' 10

# 6b. An evaluation in the eval pane: progress, table, drill-down, comparison.
golden=$here/../fixtures/eval/golden6.yaml
keys ":eval $golden" Enter
check ":eval shows the metric table when the run is done" wait_for 'recall@k +[0-9]\.[0-9]{3}' 30
check "the eval pane counts the items" wait_for 'golden6\.yaml: 6 items' 2
check "the table has a column per category" wait_for 'overall +factual +struct +hybrid' 2
check "the run is stored like ragdeck eval stores it" test "$(sql 'SELECT count(*) FROM eval_results')" = 6
keys Down Enter
check "Enter on an item shows its question" wait_for 'question: How long is version history kept on the Team plan' 3
keys 2
check "the item's chunks show in the context pane" wait_for 'data-retention\.md:[0-9]+-[0-9]+' 3
keys ":eval $golden" Enter
check "a second run compares with the previous one" wait_for 'run [0-9]+ vs run [0-9]+' 30
check "with a delta column" wait_for 'Δ prev' 2
keys z
wait_for '1 chat' 3

# 7. Quit restores the terminal.
keys ':quit' Enter
check "quit returns to the shell" wait_for 'e2e-shell\$ ?$' 5
check "the alternate screen is gone" test "$(tm display -p -t e2e '#{alternate_on}')" = 0
keys 'echo "tty-$(stty -a | grep -c " echo ")"' Enter
check "the tty is sane again (echo on)" wait_for '^tty-1$' 3

# 8. A slow stream through the fixture server: resize mid-stream, Esc cancels.
export OPENAI_API_KEY=sk-test-e2e-5b1d
start_server --flavor openai --tokens 400 --delay-ms 20
start_app "OPENAI_API_KEY=$OPENAI_API_KEY OPENAI_BASE_URL=$url"
keys ':model gpt-4o-mini' Enter
wait_for 'answering with gpt-4o-mini' 3
keys "What port does the agent use?" Enter
check "the fixture stream starts" wait_for 'w5 ' 10
tm resize-window -t e2e -x 60 -y 20
check "at 60x20 the layout falls back to tabs" wait_for '\[1 chat\]' 5
check "the stream keeps going while small" wait_for 'w4[0-9] ' 10
tm resize-window -t e2e -x 120 -y 40
check "back at 120x40 all panes show again" wait_for '4 routing' 5
keys Escape
check "Esc stops the stream and marks it cancelled" wait_for 'cancelled' 5
check "the partial answer stays" wait_for 'w1 w2 w3' 2
check "the interrupted answer is saved" test "$(sql "SELECT count(*) FROM messages WHERE role = 'assistant' AND content LIKE 'w1 w2 w3%'")" = 1
check "the stream did not run to its end" bash -c "! tmux -L $sock capture-pane -p -t e2e | grep -q 'w400'"

# 9. Ctrl-C twice quits; --continue resumes the last session.
keys C-c
check "first Ctrl-C asks for a second" wait_for 'press Ctrl-C again to quit' 3
keys C-c
check "second Ctrl-C quits" wait_for 'e2e-shell\$ ?$' 5
keys "$ragdeck --db $db --continue" Enter
check "--continue shows the last session's messages" wait_for 'What port does the agent use\?' 5
keys ':quit' Enter
wait_for 'e2e-shell\$ ?$' 5

# 10. NO_COLOR, alerts, and an unusable terminal.
fresh_server
tm new-session -d -s e2e -x 120 -y 40 "env PS1='e2e-shell\$ ' TERM=tmux-256color NO_COLOR=1 bash --norc --noprofile"
wait_for 'e2e-shell\$' 5
printf 'evaluation:\n  alert_thresholds:\n    latency_p95_ms: 1\n' > "$work/alert.yaml"
keys "$ragdeck --config $work/alert.yaml --db $db" Enter
wait_for '1 chat' 5
keys ':theme dark' Enter
check "NO_COLOR: themes resolve to no colour" wait_for 'theme dark \(no colour\)' 3
keys "How long is a refund window?" Enter
check "a p95 past the config's threshold says ALERT on the dashboard" wait_for 'ALERT total p50 .* p95 ' 10
keys ':quit' Enter
wait_for 'e2e-shell\$ ?$' 5
TERM=dumb "$ragdeck" --db "$db" < /dev/null > "$work/dumb.out" 2> "$work/dumb.err"
rc=$?
check "an unusable terminal exits 1" test $rc -eq 1
check "with one line pointing at the headless commands" \
	bash -c "[ \$(wc -l < '$work/dumb.err') = 1 ] && grep -q 'ragdeck ask' '$work/dumb.err'"

tap_done
