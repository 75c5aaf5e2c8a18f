#!/usr/bin/env bash
# Why not retrieved, in the full-screen app: in the context pane w opens
# the ':' line at "why-not ", Tab completes a stored path (listing the
# matches when several remain), and Enter shows that document's ranks,
# the cutoff and the budget for the question on show in an overlay.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
export RAGDECK_THEME_DIR=$here/../../themes
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
kb_db

start_app
keys ':why-not refund-policy.md' Enter
check "without a question why-not says to ask one" wait_for 'ask one first' 5
keys "How many days do I have to ask for a refund on a monthly plan?" Enter
check "the answer cites the refund policy" wait_for 'refund-policy\.md:[0-9]+-[0-9]+' 10
keys Escape 2 w
check "w in the context pane opens the line at why-not" wait_for '^: why-not *$' 3
keys 'refund-p' Tab
check "Tab extends to what the matches share" wait_for '^: why-not refund-policy$' 3
check "and lists them on the status line" wait_for '2 match: refund-policy-2024\.md, refund-policy\.md' 3
keys . Tab
check "Tab completes a unique stored path" wait_for '^: why-not refund-policy\.md$' 3
keys Enter
check "the overlay names the question" wait_for 'For: How many days do I have to ask for a refund' 5
check "it places the cited chunk with its verdict, retrieved" wait_for 'chunk [0-9]+ \(lines [0-9]+-[0-9]+, [0-9]+ tokens\): retrieved as #[0-9]+ *(│|$)' 3
check "with their vector and BM25 ranks" wait_for 'vector #[0-9]+ .*bm25 #[0-9]+' 3
check "and the cutoff and budget" wait_for 'cutoff: top [0-9]+, [0-9]+ returned.*budget [0-9]+ tokens' 3
keys Escape
check "Esc closes it" wait_gone 'For: How many days' 3

keys w
wait_for '^: why-not *$' 3
keys 'web' Tab
check "Tab completes another document" wait_for '^: why-not webhooks\.md$' 3
keys Enter
check "a document not retrieved says where it stopped" wait_for 'chunk [0-9]+ .*: (rank [0-9]+ fused, below the top 5|not in either candidate list)' 5
keys Escape
wait_gone 'For: How many days' 3

keys w
wait_for '^: why-not *$' 3
keys 'no-such-file' Tab
check "no match says so" wait_for 'no stored path matches no-such-file' 3
keys Enter
check "an unknown path offers the closest stored ones" wait_for 'not in the store: no-such-file; closest stored paths' 5
keys Escape
wait_gone 'closest stored paths' 3

keys : 'why' Tab
check "Tab completes a command name" wait_for '^: why-not *$' 3
keys Escape
keys q
tap_done
