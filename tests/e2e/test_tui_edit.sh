#!/usr/bin/env bash
# Editing and asking again, and the input history's reverse search, end to
# end in tmux: Ctrl-R finds an earlier question as it is typed and Enter
# puts it in the input unsent; e in the chat puts the last question back to
# edit; r asks it again, keeping the old answer marked replaced on screen
# and in the saved session; both wait while an answer streams. The history
# is kept per database, seeded once from the file all databases shared.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/../integration/serve.sh"
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
serve=${FIXTURE_SERVE:?set FIXTURE_SERVE to the fixture server program}
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
kb_db
answers() { sql "SELECT count(*) FROM messages WHERE role = 'assistant'"; }
# wait_answers N: N answers are saved (each is saved when it is done).
wait_answers() {
	for _ in $(seq 200); do [ "$(answers)" = "$1" ] && return 0; sleep 0.05; done
	return 1
}
# The history file all databases shared before it was kept per database.
shared=$XDG_STATE_HOME/ragdeck/history
mkdir -p "$(dirname "$shared")"
printf 'a question from the shared history\n' > "$shared"

# 1. Two questions, then Ctrl-R finds the first as its words are typed.
start_app
first="How many days do I have to ask for a refund?"
second="What port does the agent use?"
keys "$first" Enter
wait_answers 1
keys "$second" Enter
check "two questions answered by the local answerer" wait_answers 2
keys C-r
check "Ctrl-R opens the search line" wait_for "^\(reverse-i-search\)'': *$" 3
keys "refund"
check "typing narrows to the earlier question holding the words" \
	wait_for "^\(reverse-i-search\)'refund': How many days do I have to ask for a refund\? *$" 3
keys Enter
check "Enter puts the match in the input" wait_for "^> How many days do I have to ask for a refund\? *$" 3
check "and sends nothing" test "$(sql "SELECT count(*) FROM messages WHERE role = 'user'")" = 2
keys C-e C-u
wait_for '^> *$' 3

keys C-r "SHARED"
check "the shared history of before is searched too, ignoring case" \
	wait_for "^\(reverse-i-search\)'SHARED': a question from the shared history *$" 3
keys "x"
check "a query nothing holds says the search failed" \
	wait_for "^\(failed reverse-i-search\)'SHAREDx': a question from the shared" 3
keys C-g
check "Ctrl-G cancels and restores the empty input" wait_for '^> *$' 3
keys "my draft" C-r "agent" Escape
check "Esc cancels and restores what was typed" wait_for '^> my draft *$' 3
keys C-u

# 2. e puts the last question back in the input to edit.
keys Tab
wait_for '1 chat \*' 3
keys e
check "e puts the last question in the input" wait_for "^> What port does the agent use\? *$" 3
check "and says Enter sends it" wait_for 'editing the last question: Enter sends it' 3
keys " Which protocol?"
check "with the focus in the input, the cursor at its end" \
	wait_for "^> What port does the agent use\? Which protocol\? *$" 3
keys C-u

# 3. r asks the last question again: a new answer, the old one marked.
keys Tab
wait_for '1 chat \*' 3
keys r
check "r asks again: a third answer is saved" wait_answers 3
check "the old answer's footer says it was replaced" wait_for 'replaced by a newer answer · local via local' 5
check "the new answer has a plain footer" wait_for '^│local via local' 3
check "the old answer is marked replaced in the session" \
	test "$(sql "SELECT group_concat(replaced, '') FROM (SELECT replaced FROM messages WHERE role = 'assistant' ORDER BY id)")" = 010
check "the question is not saved twice" \
	test "$(sql "SELECT count(*) FROM messages WHERE content = '$second'")" = 1
keys ':quit' Enter
wait_for 'e2e-shell\$ ?$' 10

# 4. The history is the database's own file, and the saved session shows
#    the replaced answer as such.
history=$(ls "$XDG_STATE_HOME"/ragdeck/history-* 2> /dev/null)
check "the history is saved in a file of this database" \
	bash -c "[ \$(printf '%s\n' '$history' | wc -l) = 1 ] && grep -qxF -- '$second' '$history'"
check "seeded from the shared file, which is left alone" \
	bash -c "grep -qxF 'a question from the shared history' '$history' && [ \$(wc -l < '$shared') = 1 ]"
keys "$ragdeck --db $db --continue" Enter
check "a resumed session shows the replaced answer" \
	wait_for 'replaced by a newer answer · \(from the saved session\)' 5
keys ':quit' Enter
wait_for 'e2e-shell\$ ?$' 10

"$ragdeck" --db "$work/other.db" ingest --collection default "$here/../../examples/kb" > /dev/null
keys "$ragdeck --db $work/other.db" Enter
wait_for '1 chat' 5
keys C-r "agent"
check "another database has a history of its own" wait_for "^\(failed reverse-i-search\)'agent'" 3
keys Escape
wait_for '^> *$' 3
keys Tab ':quit' Enter
wait_for 'e2e-shell\$ ?$' 10

# 5. While an answer streams, e and r wait and say so.
start_streaming_app sk-test-e2e-5e1d
keys "$second" Enter
wait_for 'w5 ' 10
before=$(answers)
keys Tab r
check "r while streaming says it waits" wait_for 'asking again waits for the answer to finish \(Esc stops it\)' 3
keys e
check "e while streaming says it waits" wait_for 'editing the last question waits for the answer to finish' 3
check "and neither does anything" bash -c "tmux -L $sock capture-pane -p -t e2e | grep -q '^> *\$'"
keys Escape
wait_for 'cancelled' 5
check "no answer was added meanwhile" test "$(answers)" = $((before + 1))
keys ':quit' Enter
wait_for 'e2e-shell\$ ?$' 10

tap_done
