#!/usr/bin/env bash
# The chat pane's Markdown and copy, end to end in tmux: an answer with a
# heading, a table, a code block and citations streamed by the fixture
# server is drawn rendered (markers gone, table aligned, code boxed), and
# y, c and Y put the answer, the code and a citation on the clipboard
# through OSC 52, read back from tmux's paste buffer; ragdeck ask renders it
# on a terminal and prints it raw into a pipe or with --raw.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/../integration/serve.sh"
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
serve=${FIXTURE_SERVE:?set FIXTURE_SERVE to the fixture server program}
export RAGDECK_THEME_DIR=$here/../../themes
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
kb_db

answer='## Restart steps

Run **these** in order [1]:

| step | command |
|---|:---:|
| 1 | stop the agent [1] |
| 22 | start |

```sh
systemctl restart nginx
journalctl -u nginx --since "1 hour ago"
```

> Check `status` first.
'
export OPENAI_API_KEY=sk-test-e2e-md
start_server --flavor openai --text "$answer" --delay-ms 5
start_app "OPENAI_API_KEY=$OPENAI_API_KEY OPENAI_BASE_URL=$url"
tm set -g set-clipboard on
keys ':model gpt-4o-mini' Enter
wait_for 'answering with gpt-4o-mini' 3
keys "How do I restart the agent?" Enter
check "the answer streams to its end" wait_for 'gpt-4o-mini via openai' 15
check "the heading shows without its hashes" bash -c "tmux -L $sock capture-pane -p -t e2e | grep -q '│Restart steps' && ! tmux -L $sock capture-pane -p -t e2e | grep -q '## Restart'"
check "strong text loses its stars" bash -c "tmux -L $sock capture-pane -p -t e2e | grep -q 'Run these in order \[1\]:'"
check "the table is drawn in aligned columns" wait_for '│ step │      command       │' 2
check "with its rows under the header" wait_for '│ 22   │       start        │' 2
check "the code block is boxed with its language" wait_for '╭─ sh ─' 2
check "its lines are inside the box" wait_for '│ systemctl restart nginx' 2
check "the quote has its bar" wait_for '│ Check status first\.' 2
check "the command is coloured apart from its arguments (shell highlighting)" \
	bash -c "tmux -L $sock capture-pane -p -e -t e2e | grep -q \$'systemctl\\e\\[[0-9;]*m restart'"
check "the quoted string has a colour of its own" \
	bash -c "tmux -L $sock capture-pane -p -e -t e2e | grep -q \$'\\e\\[[0-9;]*m\"1 hour ago\"'"

keys M-1
keys y
check "y says the answer was copied" wait_for 'copied the answer \([0-9]+ lines\)' 3
check "the paste buffer holds the answer's Markdown" bash -c "tmux -L $sock show-buffer | grep -qx '## Restart steps'"
keys c
check "c copies the first code block" wait_for 'copied code block 1 of 1 \(2 lines\)' 3
check "the paste buffer holds exactly its code" \
	bash -c "test \"\$(tmux -L $sock show-buffer)\" = 'systemctl restart nginx
journalctl -u nginx --since \"1 hour ago\"'"
keys Escape
sleep 0.3   # apart, or Esc n reads as Alt-n
keys n
keys Y
check "Y copies the selected citation" wait_for 'copied citation \[1\]' 3
check "as path:lines" bash -c "tmux -L $sock show-buffer | grep -qE '\.md:[0-9]+-[0-9]+$'"

tm resize-window -t e2e -x 60 -y 30
check "narrower, the table still has its borders" wait_for '└──' 5
keys q
wait_for 'e2e-shell\$ ?$' 5

# ragdeck ask renders the same Markdown on a terminal, raw when piped.
tm resize-window -t e2e -x 100 -y 40
keys clear Enter
keys "$ragdeck --db $db ask -m gpt-4o-mini 'How do I restart the agent?'" Enter
check "ask on a terminal draws the table" wait_for '│ 22   │       start        │' 10
check "and boxes the code" wait_for '╭─ sh ─' 2
check "then lists its sources" wait_for 'Sources:' 5
keys clear Enter
keys "$ragdeck --db $db ask -m gpt-4o-mini 'How do I restart the agent?' | cat" Enter
check "piped, ask prints the Markdown as it came" wait_for '^\| 22 \| start \|' 10
check "with its fences" wait_for '^```sh' 2
keys clear Enter
keys "$ragdeck --db $db ask --raw -m gpt-4o-mini 'How do I restart the agent?'" Enter
check "--raw on a terminal prints the Markdown too" wait_for '^## Restart steps' 10
tap_done
