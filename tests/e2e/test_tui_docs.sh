#!/usr/bin/env bash
# The documents behind the answers, in the full-screen app: a citation
# whose file changed on disk after it was ingested is marked stale, one key
# ingests that file again, and a deleted file is marked deleted; :watch
# keeps the store in step with a folder while the app runs; a PDF's
# chunks are cited and opened by page.
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

# 5. :watch keeps the store in step while the app runs.
mkdir -p "$work/watched"
printf '# Kiosk mode\n\nKiosk mode locks the console to one dashboard.\n' > "$work/watched/kiosk.md"
keys ':watch '"$work/watched" Enter
check ":watch ingests the folder first" wait_for "ingested .*watched: 1 files, 1 add" 10
check "the status line says what is watched" wait_for 'watching .*watched ·' 3
printf '# Wombat pairing\n\nTo pair a wombat badge, hold the reader for nine seconds.\n' > "$work/watched/wombat.md"
check "a new file is taken in by the watch" wait_for 'watch: added .*wombat\.md \(1 change' 10
check "the new file's document is stored" test "$(sql "SELECT count(*) FROM documents WHERE path LIKE '%watched/wombat.md'")" = 1
mv "$work/watched/kiosk.md" "$work/watched/kiosk-mode.md"
check "a rename is a removal and an addition" wait_for 'watch: removed .*kiosk\.md, added ' 10
check "the store holds the new name only" test "$(sql "SELECT group_concat(substr(path, length(path) - 12), ',') FROM documents WHERE path LIKE '%watched/kiosk%'")" = "kiosk-mode.md"
keys i "How do I pair a wombat badge?" Enter
check "a question finds the watched file" wait_for 'wombat\.md:[0-9]+-[0-9]+' 10
keys Tab
keys ':watch off' Enter
check ":watch off stops watching" wait_for 'stopped watching' 3
check "the status line no longer says watching" wait_gone 'watching .*watched ·' 3
printf '# Late\n\nwritten after the watch stopped\n' > "$work/watched/late.md"
sleep 1
check "a file written after :watch off is not taken in" test "$(sql "SELECT count(*) FROM documents WHERE path LIKE '%late.md'")" = 0

# 6. A PDF's chunks are cited by page, and open on their page.
"$ragdeck" --db "$db" ingest --collection default "$here/../../examples/documents/brand-guidelines.pdf" > /dev/null
keys i "Which typeface are headings set in, and what is the fallback?" Enter
check "the context pane cites the PDF by page" wait_for 'brand-guidelines\.pdf p\.2' 10
keys Tab Tab
check "the context pane takes the focus" wait_for '2 context \*' 3
keys g
keys Enter
check "the chunk opens on its page, named in the frame" wait_for '─ .*brand-guidelines\.pdf p\.2 \*' 5
check "the page's text is shown" wait_for 'Fraunces Semibold' 3
check "the other page is not" wait_gone 'Signal Coral is for one highlight' 1
keys Escape
check "Esc closes the viewer" wait_gone '─ .*brand-guidelines\.pdf p\.2 \*' 3
keys q
check "q quits" wait_for 'e2e-shell\$ ?$' 10

tap_done
