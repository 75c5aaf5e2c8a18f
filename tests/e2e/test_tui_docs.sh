#!/usr/bin/env bash
# The documents behind the answers, in the full-screen app: a citation
# whose file changed on disk after it was ingested is marked stale, one key
# ingests that file again, and a deleted file is marked deleted.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
export RAGDECK_THEME_DIR=$here/../../themes
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
db=$work/kb.db
cp -r "$here/../../examples/kb" "$work/kb"
"$ragdeck" --db "$db" ingest --collection default "$work/kb" > /dev/null
doc=$work/kb/policies/refund-policy.md

# 1. A cited file edited after the ingest is marked stale.
start_app
keys "How many days do I have to ask for a refund on a monthly plan?" Enter
check "the answer cites the refund policy" wait_for 'refund-policy\.md:[0-9]+-[0-9]+' 10
check "an unchanged file carries no mark" wait_gone 'stale|deleted' 1
printf '\nRefunds for annual plans are prorated by the quokka rule.\n' >> "$doc"
sleep 2.1 # the pane checks a file at most every two seconds
keys Tab Tab
check "the edited file's citation is marked stale" wait_for 'refund-policy\.md:[0-9]+-[0-9]+ stale' 5
check "the key that mends it is shown" wait_for 'u: ingest again' 1
# 2. u ingests it again; the mark goes.
keys u
check "u ingests the file again" wait_for 'ingested .*refund-policy\.md: 1 files, 0 added, 1 chan' 10
check "the stale mark is gone after the ingest" wait_gone 'stale' 5
check "the new text is in the store" test "$(sql "SELECT count(*) FROM chunks WHERE text LIKE '%quokka rule%'")" -ge 1
# 3. A touched file (same bytes, new mtime) is not stale.
touch -d '2001-01-01' "$doc"
sleep 2.1
keys j k
check "a file only touched is not marked" wait_gone 'stale' 2
# 4. A deleted file is marked deleted.
rm "$doc"
sleep 2.1
keys j k
check "a deleted file's citation is marked deleted" wait_for 'refund-policy\.md:[0-9]+-[0-9]+ deleted' 5
keys q
wait_for 'e2e-shell\$ ?$' 10

tap_done
