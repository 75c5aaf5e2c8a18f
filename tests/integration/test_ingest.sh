#!/usr/bin/env bash
# Ingest end to end through the real binary: a tree with bad files, a rerun
# (all skipped), one changed file, a touched file, prune, chunks view.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
db=$work/t.db
tree=$work/kb
mkdir -p "$tree/guides" "$tree/.hidden" "$tree/loop"
cat > "$tree/guides/install.md" <<'MD'
# Install

## Linux

Run the installer with sudo. The agent listens on port 7443. It starts at
boot from its systemd unit, keeps its configuration under /etc/driftwood,
and writes its log to the journal, where journalctl shows it.

## Windows

Double-click the MSI package.
MD
printf '<html><head><title>Billing</title><script>var x=1;</script></head><body><h1>Billing</h1><p>Invoices &amp; receipts are monthly.</p></body></html>' > "$tree/billing.html"
printf 'Plain text notes about proxies and TLS.\n' > "$tree/notes.txt"
printf 'secret\n' > "$tree/.hidden/skip.md"
: > "$tree/empty.md"
printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03binarydata' > "$tree/archive.txt"
printf 'caf\xe9 ol\xe9 with bad bytes\n' > "$tree/latin1.txt"
ln -s .. "$tree/loop/up"
head -c 2200000 /dev/zero | tr '\0' 'a' > "$tree/huge.txt"
cat > "$work/config.yaml" <<'YAML'
ingest:
  max_file_mb: 2
YAML
run() { "$ragdeck" --db "$db" --config "$work/config.yaml" "$@"; }

run ingest --json "$tree" > "$work/s1.json" 2> "$work/e1.txt"
check "first ingest exits 0" test $? -eq 0
check "first ingest adds the 4 good files" test "$(json_get "$work/s1.json" 'j["added"]')" = 4
check "hidden directories are not walked" test "$(json_get "$work/s1.json" 'any(".hidden" in s["path"] for s in j["skips"])')" = False
check "binary file skipped with reason" \
	test "$(json_get "$work/s1.json" '[s["reason"] for s in j["skips"] if s["path"].endswith("archive.txt")][0] != ""')" = True
check "empty file skipped" test "$(json_get "$work/s1.json" 'sum(s["path"].endswith("empty.md") for s in j["skips"])')" = 1
check "oversized file skipped" test "$(json_get "$work/s1.json" 'sum(s["path"].endswith("huge.txt") for s in j["skips"])')" = 1
check "symlink loop reported" test "$(json_get "$work/s1.json" 'sum("loop" in s["reason"] for s in j["skips"])')" -ge 1
check "invalid UTF-8 repaired and counted" test "$(json_get "$work/s1.json" 'j["invalid_utf8"]')" = 2
check "database is mode 0600" test "$(stat -c %a "$db")" = 600

run ingest --json "$tree" > "$work/s2.json"
check "second ingest changes nothing" test "$(json_get "$work/s2.json" '(j["added"], j["changed"], j["unchanged"])')" = "(0, 0, 4)"

printf '\n## macOS\n\nDrag the app to Applications.\n' >> "$tree/guides/install.md"
touch -d '2001-01-01' "$tree/notes.txt"
run ingest --json "$tree" > "$work/s3.json"
check "only the edited file is redone" test "$(json_get "$work/s3.json" '(j["added"], j["changed"], j["unchanged"])')" = "(0, 1, 3)"
run docs --json > "$work/docs.json"
check "change count recorded" \
	test "$(json_get "$work/docs.json" '[d["change_count"] for d in j if d["path"].endswith("install.md")][0]')" = 1
check "touched file keeps change count 0" \
	test "$(json_get "$work/docs.json" '[d["change_count"] for d in j if d["path"].endswith("notes.txt")][0]')" = 0

run chunks --json guides/install.md > "$work/chunks.json"
check "chunks view finds a document by path suffix" test "$(json_get "$work/chunks.json" 'len(j["chunks"]) >= 1')" = True
check "chunks carry heading paths" \
	test "$(json_get "$work/chunks.json" 'any("Linux" in c["heading_path"] for c in j["chunks"])')" = True
check "a section that is only its heading opens the next one" \
	test "$(json_get "$work/chunks.json" '[c["heading_path"] for c in j["chunks"]][0]')" = "Install > Linux"
check "html loses its script" test "$(run chunks --json billing.html | python3 -c 'import json,sys; print(any("var x" in c["text"] for c in json.load(sys.stdin)["chunks"]))')" = False

rm "$tree/notes.txt"
run ingest --prune --json "$tree" > "$work/s4.json"
check "prune drops the deleted file" test "$(json_get "$work/s4.json" 'j["pruned"]')" = 1
check "docs lists the rest" test "$(run docs --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 3

run ingest > /dev/null 2> "$work/usage.txt"
check "missing PATH is a usage error (exit 2)" test $? -eq 2
check "usage error names the fix" grep -q -- "--help" "$work/usage.txt"
run ingest "$tree" "$work/does/not/exist" > /dev/null 2> "$work/missing.txt"
check "a PATH that does not exist fails (exit 1)" test $? -eq 1
check "the missing PATH is named on one line" \
	bash -c "[ \$(wc -l < '$work/missing.txt') = 1 ] && grep -q 'cannot ingest $work/does/not/exist: No such file' '$work/missing.txt'"
printf 'not a database at all, just text that is long enough to be a header.....' > "$work/bad.db"
"$ragdeck" --db "$work/bad.db" docs > /dev/null 2> "$work/bad.txt"
check "corrupt database exits 1" test $? -eq 1
check "corrupt database message is one actionable line" test "$(wc -l < "$work/bad.txt")" = 1

# Three processes opening one new database at once: whoever migrates it,
# the others wait and open it (a statement prepared while another process
# changed the schema used to fail with "no such table: documents").
: > "$work/race.err"
for i in $(seq 20); do
	rm -f "$work/race.db" "$work/race.db-wal" "$work/race.db-shm"
	"$ragdeck" --db "$work/race.db" docs --json > /dev/null 2>> "$work/race.err" &
	"$ragdeck" --db "$work/race.db" docs --json > /dev/null 2>> "$work/race.err" &
	"$ragdeck" --db "$work/race.db" stats > /dev/null 2>> "$work/race.err" &
	wait
done
check "a new database opened by three processes at once opens in each" test ! -s "$work/race.err"

# A database another program holds a write lock on (longer than the 5 s
# busy timeout): readers go on, a writer gives up with one actionable line
# and loses nothing; once the lock is gone the same ingest succeeds.
mkdir -p "$work/more"
printf '# Lock note\n\nThe lock note mentions a narwhal.\n' > "$work/more/lock.md"
hold_write_lock "$db" 12 # the search before and a slow (sanitized) start must leave the writer its full 5 s wait
run search "install" > "$work/locked-search.txt" 2>&1
check "a locked database can still be searched" test $? -eq 0
run ingest "$work/more" > /dev/null 2> "$work/locked.txt"
check "ingest into a locked database exits 1" test $? -eq 1
check "the locked-database message is one line that says what to do" \
	bash -c "[ \$(wc -l < '$work/locked.txt') = 1 ] && grep -q 'another process is writing to it; retry when it is done' '$work/locked.txt'"
wait "$lock_pid"
run ingest "$work/more" > "$work/unlocked.txt" 2>&1
check "after the lock the same ingest succeeds" grep -q '1 added' "$work/unlocked.txt"
check "and nothing was lost" test "$(run docs --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 4
check "integrity_check is ok" \
	test "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$db")" = ok
tap_done
