#!/usr/bin/env bash
# ingest --watch end to end: a watcher on a small tree follows a creation,
# an edit in place, an edit by rename, a rename, a move out of the tree, a
# removal and a new subdirectory, each seen in the store (docs --json:
# exactly the tree's files at their sizes; search --json: the new text);
# editors' temporaries never reach it; kill -9 while it applies a large
# file leaves a database that passes integrity_check, and a plain ingest
# afterwards stores every file once; SIGTERM ends a watcher with 0, idle
# or in the middle of a batch.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
db=$work/w.db
tree=$work/kb
mkdir -p "$tree/guides"
printf '# Install\n\nRun the installer. The agent listens on port 7443.\n' > "$tree/guides/install.md"
printf '# Billing\n\nInvoices are monthly.\n' > "$tree/billing.md"
printf 'Plain notes about proxies.\n' > "$tree/notes.txt"
cat > "$work/config.yaml" <<'YAML'
ingest:
  watch_debounce_ms: 100
YAML
run() { "$ragdeck" --db "$db" --config "$work/config.yaml" "$@"; }

# same.py DOCS_JSON TREE: exit 0 when the documents are exactly the
# tree's files (the walk's rules: no hidden names, backups or editors'
# temporaries), each once and at its size; else print the difference.
cat > "$work/same.py" <<'PY'
import json, os, sys
docs = json.load(open(sys.argv[1]))
root = os.path.realpath(sys.argv[2])
def ignored(n):
    return n.startswith(".") or n.endswith("~") or (n.startswith("#") and n.endswith("#")) or n == "4913"
want = {}
for d, dirs, files in os.walk(root):
    dirs[:] = [x for x in dirs if not ignored(x)]
    for f in files:
        if not ignored(f):
            p = os.path.join(d, f)
            want[p] = os.path.getsize(p)
paths = [d["path"] for d in docs]
have = {d["path"]: d["bytes"] for d in docs}
if len(paths) != len(set(paths)) or have != want:
    print("store:", sorted(have.items()), "tree:", sorted(want.items()), file=sys.stderr)
    sys.exit(1)
PY
in_step() { run docs --json > "$work/docs.json" 2> /dev/null && python3 "$work/same.py" "$work/docs.json" "$tree" 2> "$work/diff.txt"; }
# has_text WORD FILE: a search for WORD finds FILE.
has_text() {
	run search --json --mode fts "$1" > "$work/search.json" 2> /dev/null &&
		test "$(json_get "$work/search.json" "any(h['path'].endswith('/$2') for h in j['hits'])")" = True
}
lacks_text() { ! has_text "$@"; }
# wait_for CMD...: run CMD until it succeeds, for at most 20 s; sets $waited_ms.
wait_for() {
	local t0 end
	t0=$(date +%s%N)
	end=$((SECONDS + 20))
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.02
	done
	waited_ms=$((($(date +%s%N) - t0) / 1000000))
}
# step NAME: the store came in step with the tree, and how long it took.
step() {
	check "$1: the store holds exactly the tree's files" wait_for in_step
	[ -s "$work/diff.txt" ] && sed 's/^/# /' "$work/diff.txt"
	echo "# $1: in the store ${waited_ms:-?} ms after the change"
	waited_ms=
}

# Started as the shell's own child, so that $! is ragdeck's pid.
"$ragdeck" --db "$db" --config "$work/config.yaml" ingest --watch --json "$tree" > "$work/watch.out" 2> "$work/watch.err" &
watcher=$!
pids+=("$watcher")
check "initial ingest stores the tree" wait_for in_step

printf '# Refunds\n\nRefunds take five days, says the zephyrword.\n' > "$tree/refunds.md"
step "create"
check "... its text is searchable" has_text zephyrword refunds.md

printf '\nThe quokkaword paragraph was added in place.\n' >> "$tree/billing.md"
step "edit in place"
check "... the new text is searchable" has_text quokkaword billing.md

printf '# Billing\n\nRewritten by an editor: the narwhalword.\n' > "$tree/billing.md.tmp"
mv "$tree/billing.md.tmp" "$tree/billing.md"
step "edit by rename"
check "... the new text is searchable" has_text narwhalword billing.md
check "... the old text is gone" lacks_text quokkaword billing.md

mv "$tree/refunds.md" "$tree/refund-policy.md"
step "rename"
check "... the text is found under the new name" has_text zephyrword refund-policy.md

mkdir -p "$work/outside"
mv "$tree/notes.txt" "$work/outside/notes.txt"
step "move out of the tree"

rm "$tree/guides/install.md"
step "remove"

mkdir -p "$tree/new/deeper"
printf '# Deep\n\nThe ocelotword lives deep.\n' > "$tree/new/deeper/deep.md"
printf '# Top\n\nA new top page.\n' > "$tree/new/top.md"
step "new subdirectory"
check "... its files are searchable" has_text ocelotword deeper/deep.md
printf 'later file\n' > "$tree/new/deeper/later.txt"
step "a file in the new subdirectory"

printf 'swap' > "$tree/.billing.md.swp"
printf 'backup' > "$tree/billing.md~"
printf 'autosave' > "$tree/#billing.md#"
: > "$tree/4913"
rm "$tree/4913"
mkdir -p "$tree/.git"
printf 'ref\n' > "$tree/.git/HEAD"
printf 'trigger\n' > "$tree/trigger.md"
step "temporaries next to a real change"
check "no batch named a temporary" bash -c "! grep -E 'swp|~|#|4913|\\.git' '$work/watch.out'"
check "every batch is one JSON object on one line" \
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$work/watch.out"
check "a batch line names what it did" \
	python3 -c 'import json,sys
ls = [json.loads(l) for l in open(sys.argv[1])][1:]
sys.exit(not any(c["outcome"] == "updated" and c["path"].endswith("/billing.md") for l in ls for c in l["changes"]))' "$work/watch.out"

# kill -9 while a batch applies a large file.
python3 -c '
import random, sys
rnd = random.Random(3)
words = "sync agent proxy invoice refund policy upload retention console token backup restore".split()
with open(sys.argv[1], "w") as f:
    for s in range(6000):
        f.write(f"## Section {s}\n\n" + " ".join(rnd.choice(words) for _ in range(300)) + ".\n\n")' "$work/large.md"
wal_before=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
lines_before=$(wc -l < "$work/watch.out")
mv "$work/large.md" "$tree/large.md"
# The batch is applying once the write-ahead log grows.
wal_grew() { [ "$(stat -c %s "$db-wal" 2>/dev/null || echo 0)" != "$wal_before" ]; }
wait_for wal_grew
kill -9 "$watcher"
wait "$watcher" 2>/dev/null
if [ "$(wc -l < "$work/watch.out")" = "$lines_before" ]; then
	echo "# the kill landed while the batch applied"
else
	echo "# the kill landed after the batch (it finished first)"
fi
check "after kill -9: integrity_check is ok" test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok
run ingest "$tree" > "$work/after.txt" 2>&1
check "after kill -9: a plain ingest completes" test $? -eq 0
check "... and the store holds every file exactly once" in_step
[ -s "$work/diff.txt" ] && sed 's/^/# /' "$work/diff.txt"

"$ragdeck" --db "$db" --config "$work/config.yaml" ingest -w "$tree" > "$work/watch2.out" 2>&1 &
watcher=$!
pids+=("$watcher")
wait_for grep -q 'files in collection' "$work/watch2.out"
printf '# Last\n\nlast one\n' > "$tree/last.md"
step "a second watcher"
kill -TERM "$watcher"
wait "$watcher"
rc=$?
check "SIGTERM: the watcher exits 0" test $rc -eq 0
check "... after printing a line per batch" grep -q 'added.*last.md' "$work/watch2.out"

# SIGTERM while a batch applies: the batch stops as an interrupted ingest
# does, the watcher exits 0, and the next run does the rest.
"$ragdeck" --db "$db" --config "$work/config.yaml" ingest -w "$tree" > "$work/watch3.out" 2>&1 &
watcher=$!
pids+=("$watcher")
wait_for grep -q 'files in collection' "$work/watch3.out"
# A directory of 400 files moved in: one batch, stopped between files.
mkdir -p "$work/many"
for i in $(seq 400); do sed -n "$((i * 50)),$((i * 50 + 200))p" "$tree/large.md" > "$work/many/m$i.md"; done
wal_before=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
mv "$work/many" "$tree/many"
wait_for wal_grew
kill -TERM "$watcher"
t0=$(date +%s%N)
wait "$watcher"
rc=$?
echo "# SIGTERM during a batch: exited $((($(date +%s%N) - t0) / 1000000)) ms after the signal"
grep -q 'interrupted' "$work/watch3.out" || echo "# (the batch finished before the signal)"
check "SIGTERM during a batch: the watcher exits 0" test $rc -eq 0
check "... integrity_check is ok" test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok
run ingest "$tree" > "$work/after3.txt" 2>&1
check "... a plain ingest afterwards completes" test $? -eq 0
check "... and the store holds every file exactly once" in_step

out="$work/watch.err $work/watch2.out $work/watch3.out"
check "the watchers reported no sanitizer error" bash -c "! grep -qE 'Sanitizer|runtime error' $out"
grep -hE -A12 'Sanitizer|runtime error' $out | head -40 | sed 's/^/# /'
tap_done
