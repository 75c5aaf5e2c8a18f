#!/usr/bin/env bash
# The persisted vector index through the real binary: ingest writes it; a
# search maps it and reads nothing else; a missing, foreign or damaged file
# is written again; a small ingest leaves it and searches load only the
# difference; searches running while another process ingests never fail
# and see every committed document; the app writes a missing file in the
# background and says when it is ready.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
kb=$here/../../examples/kb
db=$work/kb.db
vec=$db.1.vec

rows() { "$ragdeck" --db "$db" search --json "$@" 2> "$work/search.err" | python3 -c \
	'import json,sys; print(json.load(sys.stdin)["vectors_searched"])'; }

"$ragdeck" --db "$db" ingest "$kb" > "$work/ingest.txt" 2>&1
check "ingest writes the index and says so" grep -q '^vector index written$' "$work/ingest.txt"
check "the index file is beside the database, mode 0600" test "$(stat -c %a "$vec")" = 600
chunks=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM chunks").fetchone()[0])' "$db")
check "a search uses every vector ($chunks)" test "$(rows 'stolen laptop')" = "$chunks"
check "a search with a current file writes nothing and says nothing" test ! -s "$work/search.err"

inode=$(stat -c %i "$vec")
"$ragdeck" --db "$db" ingest "$kb" > "$work/again.txt" 2>&1
check "an ingest that changed nothing leaves the file" test "$(stat -c %i "$vec")" = "$inode"
check "and prints no index line" bash -c "! grep -q 'vector index' '$work/again.txt'"

mkdir -p "$work/more"
printf '# Quartz widgets\n\nThe quartz widget calibrates itself at dawn.\n' > "$work/more/quartz.md"
"$ragdeck" --db "$db" ingest "$work/more" > /dev/null 2>&1
check "a small ingest leaves the file for searches to catch up" test "$(stat -c %i "$vec")" = "$inode"
"$ragdeck" --db "$db" search --json --mode vector 'quartz widget calibrates at dawn' > "$work/vec.json" 2>&1
check "a vector search finds the document the file lacks" \
	test "$(json_get "$work/vec.json" 'j["hits"][0]["path"].endswith("quartz.md")')" = True

rm "$vec"
check "a missing file is written by the next search" test "$(rows 'stolen laptop')" = "$((chunks + 1))"
check "it is there again" test -s "$vec"
check "a search on a pipe draws no progress bar" raw_free "$work/search.err"

head -c 8192 /dev/urandom > "$vec"
check "a damaged file is written again" test "$(rows 'stolen laptop')" = "$((chunks + 1))"
check "the rewritten file is a vector index" test "$(head -c 8 "$vec")" = RDVECIDX

cp "$db" "$work/other.db"
"$ragdeck" --db "$work/other.db" ingest "$work/more" > /dev/null 2>&1
cp "$work/other.db.1.vec" "$vec"
check "a file from another database is not used" test "$(rows 'stolen laptop')" = "$((chunks + 1))"

# Searches while another process ingests and writes the file.
for i in $(seq 1 40); do
	printf '# Note %d\n\nSpare part %d ships from depot %d.\n' "$i" "$i" "$i" > "$work/more/note$i.md"
done
# Each round changes every note and drops the file, so the ingest writes
# a new one (and a search may race it to that).
(for round in 1 2 3 4; do
	for i in $(seq 1 40); do echo "Round $round." >> "$work/more/note$i.md"; done
	rm -f "$vec"
	"$ragdeck" --db "$db" ingest "$work/more" > /dev/null 2>&1
done) &
writer=$!
fails=0
while kill -0 "$writer" 2>/dev/null; do
	"$ragdeck" --db "$db" search --json 'spare part ships from depot' > /dev/null 2>> "$work/concurrent.err" || fails=$((fails + 1))
done
wait "$writer"
check "searches during ingests never fail ($fails failed)" test "$fails" = 0
check "after them the search sees every document" test "$(rows 'spare part')" = "$((chunks + 41))"

if command -v tmux > /dev/null; then
	. "$here/../e2e/tmux.sh"
	rm "$vec"
	start_app
	check "the app writes a missing index in the background and says so" \
		wait_for "vector index ready: $((chunks + 41)) vectors" 10
	check "and the file is there" test -s "$vec"
	keys C-c C-c
else
	skip "the app writes a missing index in the background" "tmux is not installed"
	skip "and the file is there" "tmux is not installed"
fi
tap_done
