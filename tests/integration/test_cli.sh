#!/usr/bin/env bash
# Entry points: --help, --version, per-command help, exit codes, and the
# man page kept in step with --help.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
man=$here/../../docs/ragdeck.1

"$ragdeck" --help > "$work/help.txt"
check "--help exits 0" test $? -eq 0
check "--version prints the version" bash -c "'$ragdeck' --version | grep -qE '^ragdeck [0-9]+\.[0-9]+\.[0-9]+$'"
"$ragdeck" < /dev/null > /dev/null 2> "$work/none.txt"
check "no command without a terminal exits 1" test $? -eq 1
check "... naming the headless commands in one line" \
	bash -c "[ \$(wc -l < '$work/none.txt') = 1 ] && grep -q 'ragdeck ask' '$work/none.txt'"
"$ragdeck" frobnicate 2> "$work/unknown.txt"
check "unknown command exits 2" test $? -eq 2
check "unknown command message is one line naming it" \
	bash -c "[ \$(wc -l < '$work/unknown.txt') = 1 ] && grep -q frobnicate '$work/unknown.txt'"
"$ragdeck" search --mode nonsense q 2> "$work/mode.txt"
check "bad option value exits 2" test $? -eq 2

commands=$(sed -n 's/^  \([a-z]*\)  .*/\1/p' "$work/help.txt")
check "help lists commands" test -n "$commands"
for cmd in $commands; do
	"$ragdeck" "$cmd" --help > "$work/$cmd.txt"
	check "$cmd --help exits 0" test $? -eq 0
	check "man page documents $cmd" grep -q "^\.B $cmd" "$man"
	for opt in $(grep -oE -- '--[a-z][a-z-]+' "$work/$cmd.txt" | sort -u); do
		[ "$opt" = --help ] && continue
		escaped=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		check "man page documents $cmd $opt" grep -q -- "$escaped" "$man"
	done
done

# An empty store: the header and the count, each a whole line, so what is
# printed next starts on a line of its own.
"$ragdeck" --db "$work/empty.db" docs > "$work/docs-empty.txt"
check "docs on an empty store exits 0" test $? -eq 0
check "... prints the header and '0 documents', two whole lines" \
	bash -c "[ \$(wc -l < '$work/docs-empty.txt') = 2 ] && tail -n 1 '$work/docs-empty.txt' | grep -qx '0 documents' &&
		[ \"\$(tail -c 1 '$work/docs-empty.txt' | od -An -tx1 | tr -d ' ')\" = 0a ]"
"$ragdeck" --db "$work/empty.db" docs --json > "$work/docs-empty.json"
check "docs --json on an empty store prints [] and a newline" test "$(od -An -c "$work/docs-empty.json" | tr -d ' ')" = '[]\n'
tap_done
