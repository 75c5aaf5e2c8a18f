#!/usr/bin/env bash
# The completion scripts the build wrote (in $COMPLETIONS), run in bash,
# zsh and fish themselves: every command and action is offered; at every
# command and action, every option its --help documents plus the shared
# --db, --config and --help, and nothing else; option values, actions and
# file names where they belong.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
dir=${COMPLETIONS:?set COMPLETIONS to the directory of the built completion scripts}

for shell in bash zsh fish; do
	"$ragdeck" completion "$shell" > "$work/$shell.out"
	check "completion $shell exits 0" test $? -eq 0
done
check "the build's bash script is 'ragdeck completion bash'" cmp -s "$work/bash.out" "$dir/ragdeck"
check "the build's zsh script is 'ragdeck completion zsh'" cmp -s "$work/zsh.out" "$dir/_ragdeck"
check "the build's fish script is 'ragdeck completion fish'" cmp -s "$work/fish.out" "$dir/ragdeck.fish"
"$ragdeck" completion 2> "$work/none.txt"
check "completion without a shell exits 2" test $? -eq 2
"$ragdeck" completion tcsh 2> "$work/tcsh.txt"
check "completion of an unknown shell exits 2" test $? -eq 2
check "... naming it" grep -q tcsh "$work/tcsh.txt"

# What each shell offers; the last word is the one at the cursor. The
# file names are those of $work/files.
mkdir -p "$work/files/sub"
touch "$work/files/notes.md" "$work/files/kb.db"
cd "$work/files" || exit 1
files=$(printf '%s\n' kb.db notes.md sub)

# bash_offers WORD...: one a line, sorted.
bash_offers() {
	bash --norc --noprofile -c 'source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ragdeck
		printf "%s\n" "${COMPREPLY[@]}"' _ "$dir/ragdeck" "$@" | sed '/^$/d' | sort -u
}

# fish_offers LINE: one a line, sorted.
fish_offers() {
	fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$dir/ragdeck.fish" "$1" | cut -f1 |
		sed 's|/$||' | sort -u
}

# zsh_offers LINE: one a line, sorted, from the lines zsh_prepare ran.
zsh_offers() {
	awk -F '\t' -v l="$1" '$1 == l { print $2 }' "$work/zsh.txt" | sort -u
}

# zsh_prepare LINE...: complete every LINE in one zsh session.
zsh_prepare() {
	mkdir -p "$work/zfunc"
	cp "$dir/_ragdeck" "$work/zfunc/"
	zsh -f "$here/zsh_complete.zsh" "$work/zfunc" "$work/zsh.txt" "$@"
}

# same NAME WANT GOT: check WANT and GOT hold the same lines, else show both.
same() {
	if [ "$2" = "$3" ]; then
		check "$1" true
	else
		printf '# want: %s\n# got:  %s\n' "$(echo $2)" "$(echo $3)"
		check "$1" false
	fi
}

# The commands and their actions as the top-level --help tells them:
# "ragdeck golden export", "ragdeck pairs check ... | pairs export",
# "ragdeck completion bash|zsh|fish".
"$ragdeck" --help > "$work/help.txt"
commands=$(sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' "$work/help.txt")
check "help lists commands" test -n "$commands"
declare -A actions
for cmd in $commands; do
	actions[$cmd]=$(grep -oE "(ragdeck|\|) $cmd [a-z|]+( |$)" "$work/help.txt" | awk '{ print $3 }' |
		tr '|' '\n' | sort -u)
done

# The places to check: each command, or each of its actions.
places=()
for cmd in $commands; do
	if [ -n "${actions[$cmd]}" ]; then
		for a in ${actions[$cmd]}; do places+=("$cmd $a"); done
	else
		places+=("$cmd")
	fi
done

# Each place's options: what its --help documents, and the shared ones.
declare -A want
for place in "${places[@]}"; do
	# shellcheck disable=SC2086
	"$ragdeck" $place --help > "$work/place-help.txt"
	want[$place]=$({
		grep -oE -- '--[a-z][a-z-]+' "$work/place-help.txt"
		sed -n 's/^  \(-[a-zA-Z]\), --.*/\1/p' "$work/place-help.txt"
		printf '%s\n' --db --config --help -h
	} | sort -u)
done

zsh_lines=('ragdeck ' 'ragdeck se' 'ragdeck search --mo' 'ragdeck search --mode ' 'ragdeck search --mode='
	'ragdeck golden ' 'ragdeck ask --db ' 'ragdeck --db kb.db pairs check --format ' 'ragdeck ingest '
	'ragdeck ingest --wa' 'ragdeck search --explain '
	'ragdeck search -k 5 --co' 'ragdeck --config ')
for cmd in $commands; do
	[ -n "${actions[$cmd]}" ] && zsh_lines+=("ragdeck $cmd ")
done
for place in "${places[@]}"; do zsh_lines+=("ragdeck $place -"); done
have_zsh=0 have_fish=0
if command -v zsh > /dev/null && zsh -f -c 'zmodload zsh/zpty' 2> /dev/null; then
	have_zsh=1
	zsh_prepare "${zsh_lines[@]}"
	check "the zsh script passes zsh -n" zsh -n "$dir/_ragdeck"
else
	skip "the zsh script passes zsh -n" "zsh with zsh/zpty is not installed (scripts/setup)"
fi
command -v fish > /dev/null && have_fish=1

# expect NAME WANT LINE: every shell offers exactly WANT for LINE.
expect() {
	local name=$1 want=$2 line=$3 words
	read -ra words <<< "$line"
	[[ $line == *' ' ]] && words+=('')
	same "bash: $name" "$want" "$(bash_offers "${words[@]}")"
	if [ "$have_zsh" = 1 ]; then
		same "zsh: $name" "$want" "$(zsh_offers "$line")"
	else
		skip "zsh: $name" "zsh is not installed (scripts/setup)"
	fi
	if [ "$have_fish" = 1 ]; then
		same "fish: $name" "$want" "$(fish_offers "$line")"
	else
		skip "fish: $name" "fish is not installed (scripts/setup)"
	fi
}

expect "ragdeck <Tab> offers every command" "$(sort <<< "$commands")" 'ragdeck '
expect "ragdeck se<Tab> is search" search 'ragdeck se'
expect "search --mo<Tab> is --mode" --mode 'ragdeck search --mo'
expect "search --mode <Tab> offers the modes" "$(printf '%s\n' fts hybrid vector)" 'ragdeck search --mode '
expect "golden <Tab> is export" export 'ragdeck golden '
expect "ask --db <Tab> offers file names" "$files" 'ragdeck ask --db '
expect "--config <Tab> before a command offers file names" "$files" 'ragdeck --config '
expect "pairs check --format <Tab> after --db kb.db offers json and regex:" "$(printf '%s\n' json regex:)" \
	'ragdeck --db kb.db pairs check --format '
expect "ingest <Tab> offers file names" "$files" 'ragdeck ingest '
expect "ingest --wa<Tab> is --watch" --watch 'ragdeck ingest --wa'
expect "search --explain <Tab> offers file names (not the store's paths)" "$files" 'ragdeck search --explain '
expect "search -k 5 --co<Tab> skips the value: --collection and --config" \
	"$(printf '%s\n' --collection --config)" 'ragdeck search -k 5 --co'
for cmd in $commands; do
	[ -n "${actions[$cmd]}" ] && expect "$cmd <Tab> offers its actions" "${actions[$cmd]}" "ragdeck $cmd "
done
for place in "${places[@]}"; do
	expect "$place -<Tab> offers the options of its --help and the shared ones" "${want[$place]}" \
		"ragdeck $place -"
done

# bash splits --mode=v at the = (COMP_WORDBREAKS): the value is completed.
same "bash: search --mode=v<Tab> is vector" vector "$(bash_offers ragdeck search --mode = v)"
same "bash: search --mode=<Tab> offers the modes" "$(printf '%s\n' fts hybrid vector)" \
	"$(bash_offers ragdeck search --mode =)"
if [ "$have_zsh" = 1 ]; then
	same "zsh: search --mode=<Tab> offers the modes" "$(printf '%s\n' fts hybrid vector)" \
		"$(zsh_offers 'ragdeck search --mode=')"
else
	skip "zsh: search --mode=<Tab> offers the modes" "zsh is not installed (scripts/setup)"
fi
tap_done
