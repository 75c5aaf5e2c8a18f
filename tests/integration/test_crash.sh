#!/usr/bin/env bash
# kill -9 during ingest at random moments: after each kill the database
# passes integrity_check and holds no half-ingested document; a rerun
# completes with the same content as an uninterrupted run of the final tree.
# Before each round a few hundred files are rewritten, so every kill lands
# in an ingest with work left (adds at first, then changes); rounds go on
# until $CRASH_KILLS kills have landed while ingest was running.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
kills=${CRASH_KILLS:-20}
files=${CRASH_FILES:-3000}

# write_tree ROOT N SEED REWRITE: create N articles (REWRITE=0), or rewrite
# REWRITE of them chosen by SEED with new text.
cat > "$work/tree.py" <<'PY'
import os, random, sys
root, n, seed, rewrite = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)
words = "sync agent proxy invoice refund policy upload retention console token backup restore conflict quota".split()
def write(i):
    d = os.path.join(root, f"d{i % 40:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"doc{i:05d}.md"), "w") as f:
        f.write(f"# Article {i} revision {seed}\n\n")
        for s in range(rnd.randint(2, 6)):
            f.write(f"## Section {s}\n\n")
            f.write(" ".join(rnd.choice(words) for _ in range(rnd.randint(40, 160))) + ".\n\n")
for i in (range(n) if rewrite == 0 else rnd.sample(range(n), rewrite)):
    write(i)
PY
python3 "$work/tree.py" "$work/tree" "$files" 7 0

cat > "$work/check.py" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ok = db.execute("PRAGMA integrity_check").fetchone()[0]
if ok != "ok":
    print("integrity:", ok); sys.exit(1)
# A kill before the schema's transaction committed leaves no table at all
# (slow starts, e.g. under sanitizers): intact and empty.
tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
if tables == 0:
    sys.exit(0)
half = db.execute("""SELECT count(*) FROM documents d WHERE
    (SELECT count(*) FROM chunks WHERE document_id = d.id) = 0 OR
    (SELECT count(*) FROM chunks c JOIN embeddings e ON e.chunk_id = c.id WHERE c.document_id = d.id)
    != (SELECT count(*) FROM chunks WHERE document_id = d.id)""").fetchone()[0]
fts = db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
if half or fts != chunks:
    print("half-ingested documents:", half, "fts rows", fts, "chunks", chunks); sys.exit(1)
PY
# snapshot DB: per document its path, content hash and a digest of every
# chunk's range, heading path, text and embedding.
snapshot() {
	python3 -c '
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
docs = {}
for path, h, rng, heading, text, vec in db.execute("""
        SELECT d.path, d.content_hash, c.byte_start || ":" || c.byte_end, c.heading_path, c.text, e.vector
        FROM documents d JOIN chunks c ON c.document_id = d.id JOIN embeddings e ON e.chunk_id = c.id
        ORDER BY d.path, c.ordinal"""):
    d = docs.setdefault((path, h), hashlib.sha256())
    for part in (rng, heading, text):
        d.update(part.encode() + b"\0")
    d.update(vec)
for (path, h), d in sorted(docs.items()):
    print(path, h, d.hexdigest())' "$1"
}

landed=0
rounds=0
bad=0
while [ "$landed" -lt "$kills" ] && [ "$rounds" -lt $((kills * 3)) ]; do
	rounds=$((rounds + 1))
	[ "$rounds" -gt 1 ] && python3 "$work/tree.py" "$work/tree" "$files" "$rounds" 300
	"$ragdeck" --db "$work/crash.db" ingest "$work/tree" > /dev/null 2>&1 &
	pid=$!
	sleep "0.$(printf %03d $((30 + RANDOM % 270)))"
	kill -9 "$pid" 2>/dev/null && landed=$((landed + 1))
	wait "$pid" 2>/dev/null
	python3 "$work/check.py" "$work/crash.db" || bad=$((bad + 1))
done
echo "# $landed kills landed in $rounds rounds over $files files"
check "$kills kills landed while ingest ran" test "$landed" -ge "$kills"
check "after every kill the database is intact with no half documents" test "$bad" -eq 0
"$ragdeck" --db "$work/crash.db" ingest "$work/tree" > /dev/null
check "rerun after the kills completes" test $? -eq 0
"$ragdeck" --db "$work/ref.db" ingest "$work/tree" > /dev/null
check "uninterrupted reference run of the final tree completes" test $? -eq 0
snapshot "$work/ref.db" > "$work/ref.txt"
snapshot "$work/crash.db" > "$work/crash.txt"
check "final content equals the uninterrupted run ($files documents)" \
	bash -c "[ \$(wc -l < '$work/ref.txt') = $files ] && cmp -s '$work/ref.txt' '$work/crash.txt'"
tap_done
