#!/usr/bin/env bash
# The database's files through the real binary. A full disk (small tmpfs
# mounts, so root only: skipped otherwise): the summary counts what was
# committed and names what was not, the exit status is 1, and the message
# says the disk is full and where, also with zero bytes free. A -wal/-shm
# left read-only by an earlier connection: fixed when it is ours, named
# with what to do when it is another user's (root only: it takes a second
# user). A directory given as --db says so.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
kb=$here/../../examples/kb
is_root=false
[ "$(id -u)" = 0 ] && is_root=true
mounts=()
trap 'for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done; sandbox_cleanup' EXIT

# tmpfs DIR SIZE: mount a tmpfs of SIZE at DIR, unmounted on exit.
tmpfs() {
	mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" && mounts+=("$1")
}

# stored DB: "documents chunks" of a database on a full disk, read from a
# copy elsewhere (reading it in place needs space for its -shm).
stored() {
	rm -rf "$work/copy" && mkdir "$work/copy"
	cp "$1" "$work/copy/db" && { [ ! -e "$1-wal" ] || cp "$1-wal" "$work/copy/db-wal"; }
	python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1])
print(d.execute("SELECT count(*) FROM documents").fetchone()[0], d.execute("SELECT count(*) FROM chunks").fetchone()[0])' \
		"$work/copy/db"
}

# truthful NAME JSON DB: the summary's added and chunks are what DB holds,
# and every file found is added, skipped, not stored or not reached.
truthful() {
	local got want
	got=$(stored "$3")
	want=$(json_get "$2" '"%d %d" % (j["added"], j["chunks"])')
	check "$1: the summary counts what is stored ($want vs $got)" test "$want" = "$got"
	check "$1: every file is accounted for" test "$(json_get "$2" \
		'j["added"] + j["unchanged"] + j["skipped"] + len(j["not_stored"]) + j["not_reached"] == j["files"]')" = True
}

if $is_root; then
	# The disk fills in the first batch: nothing is stored, nothing is claimed.
	tmpfs "$work/m1" 1m
	"$ragdeck" --db "$work/m1/kb.db" ingest --json "$kb" > "$work/full1.json" 2> "$work/full1.err"
	check "full disk in the first batch: exit 1" test $? -eq 1
	truthful "full disk in the first batch" "$work/full1.json" "$work/m1/kb.db"
	check "full disk in the first batch: no document claimed as added" \
		test "$(json_get "$work/full1.json" 'j["added"]')" = 0
	check "full disk: the rolled-back documents are named" \
		test "$(json_get "$work/full1.json" 'any(n["path"].endswith("billing/invoices-and-payment-methods.md") for n in j["not_stored"])')" = True
	check "full disk: the JSON error says the disk is full and where" \
		test "$(json_get "$work/full1.json" '"the disk holding '"$work/m1"' is full" in j["error"]')" = True
	check "full disk: one line on stderr saying the disk is full and where" \
		bash -c "[ \$(wc -l < '$work/full1.err') = 1 ] && grep -q 'the disk holding $work/m1 is full' '$work/full1.err'"
	"$ragdeck" --db "$work/m1/kb.db" ingest "$kb" > "$work/full1.txt" 2> /dev/null
	check "full disk, text summary: 0 added and the rest not stored" \
		grep -q ' 0 added, .* not stored$' "$work/full1.txt"
	check "full disk, text summary: a not stored line per rolled-back document" \
		grep -q '^not stored .*invoices-and-payment-methods.md: rolled back' "$work/full1.txt"

	# Zero bytes free under an existing database: SQLite says "disk I/O
	# error"; the message says the disk is full.
	tmpfs "$work/m0" 1m
	"$ragdeck" --db "$work/m0/kb.db" ingest "$kb/billing" > /dev/null
	dd if=/dev/zero of="$work/m0/fill" bs=4k 2> /dev/null
	"$ragdeck" --db "$work/m0/kb.db" ingest "$kb" > /dev/null 2> "$work/full0.err"
	check "zero bytes free: exit 1" test $? -eq 1
	check "zero bytes free: the message says the disk is full and where" \
		grep -q "the disk holding $work/m0 is full" "$work/full0.err"

	# A larger tree: batches commit about every second, so on most machines
	# some are committed before the disk fills (the count is printed); the
	# summary holds to what is stored either way. 6,000 files need about
	# 100 MB; the disk has 48 MiB.
	python3 - "$work/tree" <<'PY'
import os, random, sys
rnd = random.Random(7)
words = "sync agent proxy invoice refund policy upload retention console token backup restore".split()
for i in range(6000):
    d = os.path.join(sys.argv[1], f"d{i % 40:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"doc{i:05d}.md"), "w") as f:
        f.write(f"# Article {i}\n\n")
        for s in range(rnd.randint(2, 6)):
            f.write(f"## Section {s}\n\n" + " ".join(rnd.choice(words) for _ in range(rnd.randint(40, 160))) + ".\n\n")
PY
	tmpfs "$work/m48" 48m
	"$ragdeck" --db "$work/m48/kb.db" ingest --json "$work/tree" > "$work/full48.json" 2> /dev/null
	check "full disk on a larger tree: exit 1" test $? -eq 1
	truthful "full disk on a larger tree" "$work/full48.json" "$work/m48/kb.db"
	echo "# larger tree: $(json_get "$work/full48.json" '"%d added, %d not stored, %d not reached" % (j["added"], len(j["not_stored"]), j["not_reached"])')"
else
	for c in "full disk: summary, exit status, message" "zero bytes free" "full disk on a larger tree"; do
		skip "$c" "mounting a small tmpfs needs root"
	done
fi

# as_user CMD...: run CMD as an ordinary user in $home_u: nobody when root
# (root writes any file, so a mode would prove nothing), else ourselves.
home_u=$work/u
mkdir -p "$home_u"
cp -r "$kb/billing" "$home_u/docs"
if $is_root; then
	chmod 711 "$work"
	chown -R nobody "$home_u"
	as_user() {
		setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$home_u" XDG_CONFIG_HOME="$home_u/config" \
			XDG_DATA_HOME="$home_u/data" XDG_STATE_HOME="$home_u/state" "$@"
	}
else
	as_user() { "$@"; }
fi
db_u=$home_u/ragdeck.db
as_user "$ragdeck" --db "$db_u" ingest "$home_u/docs" > /dev/null
as_user chmod 400 "$db_u"
as_user "$ragdeck" --db "$db_u" docs > /dev/null
check "a read-only database can be read" test $? -eq 0
as_user "$ragdeck" --db "$db_u" ingest "$home_u/docs" > /dev/null 2> "$work/ro.err"
check "writing to a read-only database names it and what to do" \
	grep -q "$db_u is not writable (mode 0400): make it writable" "$work/ro.err"
check "opening a 0400 database leaves no -wal or -shm narrower than 0600" \
	bash -c "for f in '$db_u-wal' '$db_u-shm'; do [ ! -e \"\$f\" ] || [ \$(stat -c %a \"\$f\") = 600 ] || exit 1; done"
as_user chmod 600 "$db_u"
for f in "$db_u-wal" "$db_u-shm"; do [ -e "$f" ] && as_user chmod 400 "$f"; done
as_user sh -c "echo 'A new page about invoices.' > '$home_u/docs/new.md'"
as_user "$ragdeck" --db "$db_u" ingest "$home_u/docs" > "$work/rw.txt" 2> "$work/rw.err"
check "after chmod 600 the database takes writes again despite a stale 0400 -shm" \
	bash -c "grep -q ' 1 added' '$work/rw.txt' && [ ! -s '$work/rw.err' ]"

if $is_root; then
	head -c 32768 /dev/zero > "$db_u-shm"
	chmod 644 "$db_u-shm"
	as_user sh -c "echo 'Another page.' > '$home_u/docs/new2.md'"
	as_user "$ragdeck" --db "$db_u" ingest "$home_u/docs" > /dev/null 2> "$work/shm.err"
	check "another user's -shm: exit 1" test $? -eq 1
	check "another user's -shm: the message names it and what to do" \
		grep -q "$db_u-shm is not writable (mode 0644, owner uid 0).*delete it" "$work/shm.err"
	rm -f "$db_u-shm"
else
	skip "another user's -shm" "needs root to make a file of another user"
fi

mkdir -p "$work/dbdir"
"$ragdeck" --db "$work/dbdir" docs > /dev/null 2> "$work/dir.err"
check "a directory as --db: exit 1" test $? -eq 1
check "a directory as --db: the message says so" grep -q "$work/dbdir is a directory" "$work/dir.err"
tap_done
