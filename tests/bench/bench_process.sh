#!/usr/bin/env bash
# bench_process.sh: what a ragdeck command costs as a whole process, from
# exec to exit, on stores of 100k and 1M chunks, against a plain sqlite3
# full-text query on the same file.
#
#   tests/bench/bench_process.sh [--sizes 100k,1m] [--runs N] [--quick]
#
# --sizes   store sizes in chunks (NNk or NNm; default 100k,1m)
# --runs    timed runs per command and size (default 20)
# --quick   a 10k store and 5 runs: the smoke test
#
# Stores are built once with the real binary (`ragdeck ingest` over the
# generated Markdown of tests/bench/corpus.c, default chunking, the offline
# hash embedder) and kept under $RAGDECK_BENCH_CACHE (default
# ${XDG_CACHE_HOME:-~/.cache}/ragdeck-bench), one folder per size and key:
# the key hashes `ragdeck --version`, the schema version a new database
# gets, the ingest and embedder defaults and corpus.c, so a change to any
# of them builds the store anew (and removes the old one). A build that
# stops is resumed by the next run: files already ingested are skipped.
#
# Per size, after one untimed warm-up of each, the runs interleave:
#   search   ragdeck search --json QUERY (hybrid, the default), the queries
#            rotated; prints the same hits as without --json, plus timings
#   fts      the same with --mode fts
#   sqlite3  sqlite3 DB "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH
#            '...' ORDER BY rank LIMIT 10", the match being the one that
#            query's ragdeck search ran (its fts_match): the reference
#   frame    the full-screen app on a 120x40 pseudo-terminal, from exec to
#            the end of its first frame (the status line's key hints), then
#            ended with SIGTERM
# Processes are started and timed by bench_process (bench_process.c:
# posix_spawn or forkpty, CLOCK_MONOTONIC, peak RSS from wait4).
#
# Output: one table, a row per size. Times are milliseconds, "p50/p95"
# (nearest rank over the runs); "x sqlite3" is search p50 over sqlite3
# p50; "in-process" is the search's own timings_us.total, the rest of the
# search column is process start, config, store open and loading (or
# mapping) the vectors; "open" is store_open + retriever_open timed inside
# one process (bench_process open: a new connection each time, the vector
# index mapped); RSS is the largest peak resident set over the
# runs; "db MB" is the database file and, after "+", any files beside it
# (ragdeck.db.*).
# The "harness" line above the table is what starting /bin/true costs
# through the same timer. Nothing passes or fails on time.
set -euo pipefail
shopt -s inherit_errexit  # a failure inside $(...) stops the script too
shopt -s nullglob

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
ragdeck=${RAGDECK:-$repo/build/tui/ragdeck}
timer=${BENCH_PROCESS:-$repo/build/tests/bench/bench_process}
cache_root=${RAGDECK_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ragdeck-bench}

# Markdown bytes per chunk that corpus.c's articles give under the default
# chunking (350 tokens; sections make chunks of 250 tokens on average). A
# store outside 10% of its target fails the build: measure this again.
BYTES_PER_CHUNK=1060
# Questions over the corpus vocabulary, common and rare words mixed: "how"
# and "to" are in no document, "section" in every chunk's heading,
# "dwsync" and "push" in a fifth of the chunks. ragdeck's full-text query
# keeps only the rarest terms (about 2,000 postings), so each question
# holds one that stays under that at 1M chunks (orbvorha, badroqui,
# plajequi, cedrosu).
QUERIES=(
	"brewidi orbvorha vewi"
	"how to retry dwsync push badroqui"
	"plajequi digu quigufo mulo"
	"section brena lumvor pepe cedrosu"
)
APP_ROWS=40
APP_COLS=120
# The last words the app's first frame draws (the status line's key hints).
FIRST_FRAME_END="Ctrl-C twice quit"
# Subdirectories of the corpus (200 files, about 3,200 chunks each)
# ingested per ragdeck call: a long build shows progress between calls,
# and few calls keep the vector index file from being rewritten after
# each (ragdeck ingest writes it when it is behind by a sixteenth).
DIRS_PER_INGEST=50

die() {
	echo "bench_process: $*" >&2
	exit 1
}

log() {
	echo "bench_process: $*" >&2
}

usage() {
	sed -n '6,10p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

sizes=100k,1m
runs=20
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) [ $# -ge 2 ] || usage; sizes=$2; shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	--quick) sizes=10k; runs=5; shift ;;
	*) usage ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs $runs: give a positive whole number"
IFS=, read -r -a labels <<<"${sizes,,}"
for label in "${labels[@]}"; do
	[[ $label =~ ^[1-9][0-9]*[km]?$ ]] || die "--sizes: $label is not a size: give NNk or NNm chunks"
done

for tool in sqlite3 jq flock sha256sum; do
	command -v "$tool" >/dev/null || die "$tool is not installed: run scripts/setup"
done
[ -x "$ragdeck" ] || die "no ragdeck at $ragdeck: build it (ninja -C build) or set RAGDECK"
[ -x "$timer" ] || die "no bench_process at $timer: build it (ninja -C build) or set BENCH_PROCESS"

# Every ragdeck process runs in a scratch home, so neither the user's
# config nor their history is read or written.
sandbox=$(mktemp -d "${TMPDIR:-/tmp}/bench_process.XXXXXX")
trap 'rm -rf "$sandbox"' EXIT
export HOME=$sandbox XDG_CONFIG_HOME=$sandbox/config XDG_DATA_HOME=$sandbox/data XDG_STATE_HOME=$sandbox/state
export TERM=xterm-256color LANG=C.UTF-8
unset RAGDECK_CONFIG

# chunks_of LABEL: 100k -> 100000, 1m -> 1000000.
chunks_of() {
	case $1 in
	*k) echo $((${1%k} * 1000)) ;;
	*m) echo $((${1%m} * 1000000)) ;;
	*) echo "$1" ;;
	esac
}

# What a store's content depends on, hashed.
store_key() {
	local probe=$sandbox/probe.db
	"$ragdeck" --db "$probe" docs >/dev/null
	{
		"$ragdeck" --version
		echo "schema $(sqlite3 "$probe" 'PRAGMA user_version')"
		"$ragdeck" config check | awk '/^[a-z]/ { keep = /^(ingest|embedder):/ } keep'
		echo "bytes per chunk $BYTES_PER_CHUNK"
		cat "$here/corpus.c"
	} | sha256sum | cut -c1-12
}

# build_store LABEL TARGET_CHUNKS DIR: generate, ingest, check; resumable.
# DIR/build-seconds adds up the time of every attempt.
build_store() {
	local label=$1 target=$2 dir=$3
	local corpus=$dir/corpus cfg=$dir/config.yaml db=$dir/ragdeck.db
	local start=$SECONDS before=0
	[ -e "$dir/build-seconds" ] && before=$(<"$dir/build-seconds")
	elapsed() { echo $((before + SECONDS - start)) | tee "$dir/build-seconds"; }
	mkdir -p "$dir"
	printf 'store:\n  path: "%s"\ntheme: dark\n' "$db" >"$cfg"
	if [ ! -e "$dir/corpus.done" ]; then
		rm -rf "$corpus"
		mkdir -p "$corpus"
		log "$label: generating $((target * BYTES_PER_CHUNK / 1000000)) MB of Markdown in $corpus"
		"$timer" corpus "$corpus" $((target * BYTES_PER_CHUNK)) >/dev/null
		touch "$dir/corpus.done"
	fi
	local subdirs=("$corpus"/d*)
	local total=${#subdirs[@]} ingested=0 count
	while [ "$ingested" -lt "$total" ]; do
		"$ragdeck" --config "$cfg" ingest "${subdirs[@]:ingested:DIRS_PER_INGEST}" >/dev/null
		ingested=$((ingested + DIRS_PER_INGEST < total ? ingested + DIRS_PER_INGEST : total))
		count=$(sqlite3 "$db" 'SELECT count(*) FROM chunks')
		log "$label: ingested $ingested/$total folders, $count chunks, $(elapsed) s"
	done
	if [ "$count" -lt $((target * 9 / 10)) ] || [ "$count" -gt $((target * 11 / 10)) ]; then
		die "$label: the store holds $count chunks, not about $target: measure BYTES_PER_CHUNK again"
	fi
	log "$label: $count chunks built in $(elapsed) s"
	rm -rf "$corpus" "$dir/corpus.done"
	echo "$count" >"$dir/chunks"
}

# store_for LABEL: the folder of a ready store of that size; builds it
# (and drops stores of that size made for another key) when missing.
store_for() {
	local label=$1 target dir old
	target=$(chunks_of "$label")
	dir=$cache_root/$label-$(store_key)
	mkdir -p "$cache_root"
	exec 9>"$cache_root/lock"
	flock 9
	if [ ! -e "$dir/chunks" ]; then
		for old in "$cache_root/$label"-*; do
			if [ "$old" != "$dir" ]; then
				log "$label: removing $old (built for another binary, schema or corpus)"
				rm -rf "$old"
			fi
		done
		build_store "$label" "$target" "$dir"
	fi
	exec 9>&-
	echo "$dir"
}

# rank_of FILE COLUMN P: the nearest-rank P-quantile of that column.
rank_of() {
	cut -d' ' -f"$2" "$1" | sort -n | awk -v p="$3" '
		{ v[NR] = $1 }
		END { i = int(p * NR); if (i < p * NR) i++; print v[i ? i : 1] }'
}

# percentiles FILE COLUMN: "p50/p95" of that column, in ms from us.
percentiles() {
	awk -v a="$(rank_of "$1" "$2" 0.50)" -v b="$(rank_of "$1" "$2" 0.95)" \
		'BEGIN { printf "%.0f/%.0f", a / 1000, b / 1000 }'
}

# max_mb FILE COLUMN: the largest value of that column, in MB from KB.
max_mb() {
	awk -v kb="$(rank_of "$1" "$2" 1)" 'BEGIN { printf "%.0f", kb / 1024 }'
}

# The size of the database file, and of anything beside it, in MB.
db_size() {
	local db=$1 main extra=0 f
	main=$(stat -c %s "$db")
	for f in "$db".*; do
		extra=$((extra + $(stat -c %s "$f")))
	done
	if [ "$extra" -gt 0 ]; then
		printf '%d+%d' $((main / 1000000)) $((extra / 1000000))
	else
		printf '%d' $((main / 1000000))
	fi
}

# sqlite_reference CONFIG QUERY: the SQL of the reference for QUERY:
# the full-text match ragdeck ran for it (its words ORed when it ran none).
# Also warms the page cache for the search.
sqlite_reference() {
	local match words
	match=$("$ragdeck" --config "$1" search --json --no-input "$2" | jq -r '.fts_match // empty')
	if [ -z "$match" ]; then
		read -r -a words <<<"$2"
		match=$(printf '"%s" OR ' "${words[@]}")
		match=${match% OR }
	fi
	printf "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH '%s' ORDER BY rank LIMIT 10" "${match//\'/\'\'}"
}

# measure LABEL DIR: time every command RUNS times; prints one table row.
measure() {
	local label=$1 dir=$2
	local cfg=$dir/config.yaml db=$dir/ragdeck.db out=$sandbox/$label
	local rd=("$ragdeck" --config "$cfg") app sql=() i q
	mkdir -p "$out"
	for q in "${QUERIES[@]}"; do
		sql+=("$(sqlite_reference "$cfg" "$q")")
	done
	app=("$timer" frame "$APP_ROWS" "$APP_COLS" "$FIRST_FRAME_END" -- "${rd[@]}")
	"$timer" run -- "${rd[@]}" search --mode fts --no-input "${QUERIES[0]}" >/dev/null
	"$timer" run -- sqlite3 "$db" "${sql[0]}" >/dev/null
	"${app[@]}" >/dev/null
	for ((i = 0; i < runs; i++)); do
		q=$((i % ${#QUERIES[@]}))
		"$timer" run --json-total -- "${rd[@]}" search --json --no-input "${QUERIES[q]}" >>"$out/search"
		"$timer" run -- "${rd[@]}" search --mode fts --json --no-input "${QUERIES[q]}" >>"$out/fts"
		"$timer" run -- sqlite3 "$db" "${sql[q]}" >>"$out/sqlite3"
		"${app[@]}" >>"$out/frame"
		log "$label: run $((i + 1))/$runs"
	done
	local ratio open
	open=$("$timer" open "$db" default "$runs" | awk '{ printf "%.1f/%.1f", $1 / 1000, $2 / 1000 }')
	ratio=$(awk -v a="$(rank_of "$out/search" 1 0.50)" -v b="$(rank_of "$out/sqlite3" 1 0.50)" 'BEGIN { printf "%.1f", a / b }')
	printf '%-5s %8s %11s %11s %9s %9s %11s %9s %7s %11s %7s %9s\n' "$label" "$(cat "$dir/chunks")" \
		"$(percentiles "$out/search" 1)" "$(percentiles "$out/fts" 1)" "$(percentiles "$out/sqlite3" 1)" \
		"$ratio" "$(percentiles "$out/search" 3)" "$open" "$(max_mb "$out/search" 2)" \
		"$(percentiles "$out/frame" 1)" "$(max_mb "$out/frame" 2)" "$(db_size "$db")"
}

dirs=()
for label in "${labels[@]}"; do
	dirs+=("$(store_for "$label")")
done
echo "harness: starting /bin/true through the timer takes $(awk -v us="$("$timer" overhead 50)" 'BEGIN { printf "%.2f", us / 1000 }') ms (median of 50)"
echo "$runs runs per command; ms as p50/p95; search and fts are ragdeck search, hybrid and --mode fts"
printf '%-5s %8s %11s %11s %9s %9s %11s %9s %7s %11s %7s %9s\n' size chunks search fts sqlite3 "x sqlite3" \
	in-process open "RSS MB" "app frame" "app MB" "db MB"
for i in "${!labels[@]}"; do
	measure "${labels[i]}" "${dirs[i]}"
done
for i in "${!labels[@]}"; do
	echo "${labels[i]} store: ${dirs[i]}, built in $(cat "${dirs[i]}/build-seconds") s"
done
