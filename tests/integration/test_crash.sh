#!/usr/bin/env bash
# kill -9 during ingest at random moments: after each kill the database
# passes integrity_check and holds no half-ingested document; a rerun
# completes with the same content as an uninterrupted run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
ragdeck=${RAGDECK:?set RAGDECK to the binary}
kills=${CRASH_KILLS:-20}
files=${CRASH_FILES:-2500}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data
unset RAGDECK_CONFIG

python3 - "$work/tree" "$files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
words = "sync agent proxy invoice refund policy upload retention console token backup restore conflict quota".split()
for i in range(n):
    d = os.path.join(root, f"d{i % 40:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"doc{i:05d}.md"), "w") as f:
        f.write(f"# Article {i}\n\n")
        for s in range(rnd.randint(2, 6)):
            f.write(f"## Section {s}\n\n")
            f.write(" ".join(rnd.choice(words) for _ in range(rnd.randint(40, 160))) + ".\n\n")
PY

cat > "$work/check.py" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ok = db.execute("PRAGMA integrity_check").fetchone()[0]
if ok != "ok":
    print("integrity:", ok); sys.exit(1)
half = db.execute("""SELECT count(*) FROM documents d WHERE
    (SELECT count(*) FROM chunks WHERE document_id = d.id) = 0 OR
    (SELECT count(*) FROM chunks c JOIN embeddings e ON e.chunk_id = c.id WHERE c.document_id = d.id)
    != (SELECT count(*) FROM chunks WHERE document_id = d.id)""").fetchone()[0]
fts = db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
if half or fts != chunks:
    print("half-ingested documents:", half, "fts rows", fts, "chunks", chunks); sys.exit(1)
PY
snapshot() {
	python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute("""SELECT d.path, d.content_hash, count(c.id), group_concat(c.byte_start || ":" || c.byte_end)
                         FROM documents d JOIN chunks c ON c.document_id = d.id GROUP BY d.id ORDER BY d.path"""):
    print(*row)' "$1"
}

"$ragdeck" --db "$work/ref.db" ingest "$work/tree" > /dev/null
check "uninterrupted reference run completes" test $? -eq 0
snapshot "$work/ref.db" > "$work/ref.txt"

bad=0
for i in $(seq 1 "$kills"); do
	"$ragdeck" --db "$work/crash.db" ingest "$work/tree" > /dev/null 2>&1 &
	pid=$!
	sleep "0.$(( (RANDOM % 9) + 1 ))$(( RANDOM % 10 ))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	python3 "$work/check.py" "$work/crash.db" || bad=$((bad + 1))
done
check "$kills kills leave an intact database with no half documents" test "$bad" -eq 0
"$ragdeck" --db "$work/crash.db" ingest "$work/tree" > /dev/null
check "rerun after the kills completes" test $? -eq 0
snapshot "$work/crash.db" > "$work/crash.txt"
check "final content equals the uninterrupted run" cmp -s "$work/ref.txt" "$work/crash.txt"
tap_done
