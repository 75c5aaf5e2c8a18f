#!/usr/bin/env bash
# The full-screen app's input, end to end in tmux: pastes stay one block
# (keys with the paste markers, a paste buffer, a 1 MB log), Enter while
# an answer streams keeps the question, a hangup or a kill restores the
# terminal and saves the history and the session, and the binary run from
# the build tree draws the default theme without RAGDECK_THEME_DIR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/../integration/serve.sh"
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
serve=${FIXTURE_SERVE:?set FIXTURE_SERVE to the fixture server program}
unset RAGDECK_THEME_DIR
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
kb_db
questions() { sql "SELECT count(*) FROM messages WHERE role = 'user'"; }
# last_question_is FILE: the newest question saved is FILE's text exactly.
last_question_is() {
	python3 -c 'import sqlite3,sys
q = sqlite3.connect(sys.argv[1]).execute("SELECT content FROM messages WHERE role = '"'user'"' ORDER BY id DESC LIMIT 1").fetchone()[0]
sys.exit(q != open(sys.argv[2]).read())' "$db" "$1"
}
# in_history TEXT: TEXT is a line of the input history file (the
# database's own: history-HASH).
in_history() { grep -qxF -- "$1" "$XDG_STATE_HOME"/ragdeck/history-*; }
# app_pid: the app running in the pane's shell.
app_pid() { ps -o pid= --ppid "$(tm display -p -t e2e '#{pane_pid}')" | tr -d ' '; }
# back_at_shell STATUS: the app is gone, the shell prompt is back on the
# main screen with the tty sane, and $? was STATUS.
back_at_shell() {
	wait_for 'e2e-shell\$ ?$' 5 &&
	[ "$(tm display -p -t e2e '#{alternate_on}')" = 0 ] &&
	keys 'st=$?; clear; echo "status-$st echo-$(stty -a | grep -c " echo ") icanon-$(stty -a | grep -c " icanon ")"' Enter &&
	wait_for "^status-$1 echo-1 icanon-1\$" 3
}

# 1. The binary in the build tree, with no theme directory set, draws the
#    default theme.
start_app
check "without RAGDECK_THEME_DIR the app draws the dark theme" wait_for 'session [0-9]+ · dark' 3
check "and says nothing about a theme not found" bash -c "! tmux -L $sock capture-pane -p -t e2e | grep -q 'not found'"

# 2. Pastes stay one block: nothing is asked until Enter, then all of it once.
tm send-keys -t e2e -H 1b 5b 32 30 30 7e 61 62 63 0d 64 65 66 1b 5b 32 30 31 7e
check "a paste of two lines shows both in the input" wait_all '^> abc *$' '^  def *$'
check "and asks nothing" test "$(questions)" = 0
keys Enter
check "Enter asks the paste as one question" wait_for 'local via local' 10
printf 'abc\ndef' > "$work/two.txt"
check "the question is both lines" last_question_is "$work/two.txt"
check "asked once" test "$(questions)" = 1

# Two pastes and keys after them in one write: the app reads past the
# first paste's end and must still see the second paste and the keys
# (x, Left, y) in order.
keys ':new' Enter
tm send-keys -t e2e -H 1b 5b 32 30 30 7e 6f 6e 65 0d 74 77 6f 1b 5b 32 30 31 7e \
	1b 5b 32 30 30 7e 74 68 72 65 65 1b 5b 32 30 31 7e 78 1b 4f 44 79
check "two pastes and keys in one read: both pastes, then the keys" wait_all '^> one *$' '^  twothreeyx *$'
check "and asks nothing" test "$(questions)" = 1
keys C-k C-u BSpace C-u

printf 'paste line one\npaste line two\npaste line three\npaste line four\npaste line five' > "$work/five.txt"
tm load-buffer -b five "$work/five.txt"
keys ':new' Enter
tm paste-buffer -p -b five -t e2e
check "a 5-line paste-buffer shows its five lines in the input" wait_all '^> paste line one *$' '^  paste line five *$'
check "and asks nothing" test "$(questions)" = 1
keys Enter
check "Enter asks the five lines as one question" last_question_is "$work/five.txt"
wait_for 'local via local' 10

python3 -c 'import sys
lines = ["%06d 2026-01-12T08:%02d:%02d ERROR pool-%d: connection reset by peer (10.0.3.%d:5432)" % (i, i // 60 % 60, i % 60, i % 7, i % 250) for i in range(12800)]
open(sys.argv[1], "w").write("\n".join(lines))' "$work/big.log"
tm load-buffer -b big "$work/big.log"
keys ':new' Enter
tm paste-buffer -p -b big -t e2e
check "a 1 MB log pasted shows its last line in the input" wait_for '^  012799 .*ERROR pool-3' 60
check "and asks nothing" test "$(questions)" = 2
check "the log is more than 1 MB" test "$(stat -c %s "$work/big.log")" -gt 1000000
keys Enter
check "Enter asks the whole log as one question" \
	bash -c "for _ in \$(seq 300); do [ \$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM messages WHERE role = '\"'user'\"'\").fetchone()[0])' '$db') = 3 ] && exit 0; sleep 0.1; done; exit 1"
check "holding every line of it" last_question_is "$work/big.log"
keys ':quit' Enter
wait_for 'e2e-shell\$ ?$' 10

# 3. Enter while an answer streams keeps the question in the input.
start_streaming_app sk-test-e2e-77a0
keys "What port does the agent use?" Enter
wait_for 'w5 ' 10
keys "And which protocol?" Enter
check "Enter while streaming keeps the question in the input" wait_for '^> And which protocol\? *$' 3
check "and says why it was not sent" wait_for 'still answering' 3
keys Escape
wait_for 'cancelled' 5
keys Enter
check "after the answer Enter sends it" wait_for '^> *$' 3
check "as a question of its own" test "$(sql "SELECT count(*) FROM messages WHERE content = 'And which protocol?'")" = 1

# 4. Signals: the terminal comes back, the history and the session are saved.
partials() { sql "SELECT count(*) FROM messages WHERE role = 'assistant' AND content LIKE 'w1 w2 w3%'"; }
before=$(partials)
keys "What port does the agent use?" Enter
wait_for 'w5 ' 10
kill -TERM "$(app_pid)"
check "SIGTERM mid-answer: back at a sane shell, status 143" back_at_shell 143
check "the question is in the history file" in_history "What port does the agent use?"
check "the partial answer is saved in the session" test "$(partials)" = $((before + 1))

start_app
keys "an unsent draft before a hangup"
wait_for '^> an unsent draft before a hangup *$' 3
kill -HUP "$(app_pid)"
check "SIGHUP: back at a sane shell, status 129" back_at_shell 129
check "the unsent line is in the history file" in_history "an unsent draft before a hangup"

start_app
keys "an unsent draft before an interrupt"
wait_for 'an unsent draft before an interrupt' 3
kill -INT "$(app_pid)"
check "SIGINT: back at a sane shell, status 130" back_at_shell 130
check "the unsent line is in the history file" in_history "an unsent draft before an interrupt"

start_app
keys "typed before the terminal closed"
wait_for 'typed before the terminal closed' 3
pid=$(app_pid)
tm kill-server
check "a closed terminal ends the app" \
	bash -c "for _ in \$(seq 100); do kill -0 $pid 2>/dev/null || exit 0; sleep 0.05; done; exit 1"
check "with the line in the history file" in_history "typed before the terminal closed"

tap_done
