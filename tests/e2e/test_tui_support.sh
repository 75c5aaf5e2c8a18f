#!/usr/bin/env bash
# Support marks in the chat pane, end to end in tmux: a streamed answer
# with a sentence the context holds and one it does not; once the answer
# completes, the unsupported sentence is underlined (under NO_COLOR, the
# mark that stays without colours) and the supported one is not.
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

answer='Optional LAN sync uses port 21070 over TCP and UDP [1]. Quantum entanglement powers the billing engine every night [1].'
export OPENAI_API_KEY=sk-test-e2e-support
start_server --flavor openai --text "$answer" --delay-ms 5
start_app "NO_COLOR=1 OPENAI_API_KEY=$OPENAI_API_KEY OPENAI_BASE_URL=$url"
keys ':model gpt-4o-mini' Enter
wait_for 'answering with gpt-4o-mini' 3
keys "Which ports does the agent use for LAN sync?" Enter
check "the answer streams to its end" wait_for 'gpt-4o-mini via openai' 15
tm capture-pane -p -e -t e2e > "$work/marked.txt"
check "the unsupported sentence is underlined" bash -c "grep -q \$'\\e\\[[0-9;]*4[0-9;]*mQuantum' '$work/marked.txt'"
check "the supported sentence is not" bash -c "grep -q 'Optional LAN sync' '$work/marked.txt' && ! grep -q \$'\\e\\[[0-9;]*4[0-9;]*mOptional LAN' '$work/marked.txt'"

tap_done
