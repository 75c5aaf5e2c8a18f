#!/usr/bin/env bash
# Text whose width terminals disagree about, end to end: ZWJ families,
# flags, skin tones, keycaps, a red heart with VS16, combining marks, CJK,
# Hebrew and Arabic, pasted and typed into the input line, asked, shown in
# the chat, listed in the context pane (a file name holds them too) and
# opened in the viewer, at 120x40 and at 64x20 (tabs). On every screen,
# every row's pane borders must be at the columns of the empty screen's
# (tests/e2e/cells.py counts cells the way tmux does) and no row may be
# wider than the terminal. Then grapheme_width: cluster on tmux, which
# draws a skin tone apart: the app must notice and keep per_codepoint.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
export RAGDECK_THEME_DIR=$here/../../themes
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
cells() { python3 "$here/cells.py" "$@"; }
db=$work/kb.db

family=$'\U1F468\u200D\U1F469\u200D\U1F467\u200D\U1F466'
mix=$'flags \U1F1EB\U1F1F7\U1F1EF\U1F1F5 skin \U1F44D\U1F3FD\U1F44B\U1F3FF keycaps 1\uFE0F\u20E3#\uFE0F\u20E3 heart \u2764\uFE0F combining e\u0301n\u0303 CJK \u4E2D\u6587\u5B57 Hebrew \u05E9\u05B8\u05C1\u05DC\u05D5\u05B9\u05DD Arabic \u0633\u064E\u0644\u0627\u0645'
families=""
for _ in $(seq 12); do families+=$family; done
mkdir -p "$work/emoji"
printf '# Quokka glossary %s\n\nThe quokka glossary: %s\n\nMore quokka glossary %s %s\n' \
	"$family" "$families" "$mix" "$families" > "$work/emoji/quokka-$family-glossary.md"
"$ragdeck" --db "$db" ingest --collection default "$here/../../examples/kb" "$work/emoji" > /dev/null
question="quokka glossary $families $mix"
printf '%s' "$question" > "$work/question.txt"

# start_at COLS ROWS ENV...: the app alone in a fresh tmux session.
start_at() {
	local cols=$1 rows=$2
	shift 2
	fresh_server
	tm new-session -d -s e2e -x "$cols" -y "$rows" \
		"env TERM=tmux-256color $* $ragdeck --db $db; sleep 30"
	wait_for '1 chat' 5
}

# ask_at COLS ROWS: every screen of one question at that size.
ask_at() {
	local c=$1 r=$2 s="$work/$1x$2"
	start_at "$c" "$r"
	screen > "$s-empty"
	tm load-buffer -b q "$work/question.txt"
	tm paste-buffer -p -d -b q -t e2e
	wait_for 'Arabic' 5
	screen > "$s-typed"
	check "$c x $r: the pasted question fits the terminal" cells fits "$s-typed" "$c"
	check "$c x $r: the pasted question leaves the pane borders in place" cells any "$s-empty" "$s-typed"
	keys Enter
	wait_for 'local via local' 10
	screen > "$s-asked"
	check "$c x $r: the question shows in the chat, families member by member" \
		grep -q $'\U1F468\U1F469\U1F467\U1F466' "$s-asked"
	check "$c x $r: chat rows fit the terminal" cells fits "$s-asked" "$c"
	check "$c x $r: chat rows keep every border at the empty screen's columns" \
		cells same "$s-empty" "$s-asked"
	keys Tab Tab
	wait_for '2 context \*' 3
	screen > "$s-context"
	check "$c x $r: the context pane lists the file with the family in its name" \
		grep -q 'quokka-' "$s-context"
	check "$c x $r: context rows fit the terminal" cells fits "$s-context" "$c"
	check "$c x $r: context rows keep every border at the empty screen's columns" \
		cells same "$s-empty" "$s-context"
	keys Enter
	wait_for '─ .*quokka-.*-glossary\.md \*' 3
	screen > "$s-viewer"
	check "$c x $r: the viewer shows the document" grep -q 'More quokka glossary' "$s-viewer"
	check "$c x $r: viewer rows fit the terminal" cells fits "$s-viewer" "$c"
	check "$c x $r: viewer rows stay inside its frame" cells frame "$s-viewer"
	keys Escape
	wait_gone '─ .*quokka-.*-glossary\.md \*' 3
	keys Escape
	wait_gone '2 context \*' 3
	keys -l $'typed \U1F44D\U1F3FD \u2764\uFE0F 1\uFE0F\u20E3 \U1F1EB\U1F1F7 e\u0301 \u4E2D \u05E9\u05DC '"$family$family$family"
	wait_for 'typed' 3
	screen > "$s-keys"
	check "$c x $r: typed emoji fit the terminal" cells fits "$s-keys" "$c"
	check "$c x $r: typed emoji leave the pane borders in place" cells any "$s-empty" "$s-keys"
}

ask_at 120 40
ask_at 64 20

# A terminal that draws clusters whole would give a skin tone 2 columns;
# tmux gives it 4, and the app checks before it believes the config.
printf 'terminal:\n  grapheme_width: cluster\n' > "$work/cluster.yaml"
start_at 120 40 "RAGDECK_CONFIG=$work/cluster.yaml"
check "cluster asked on a terminal that splits clusters: the status line says so" \
	wait_for 'draws clusters apart' 5
screen > "$work/cluster-empty"
tm load-buffer -b q "$work/question.txt"
tm paste-buffer -p -d -b q -t e2e
wait_for 'Arabic' 5
keys Enter
wait_for 'local via local' 10
screen > "$work/cluster-asked"
check "cluster on tmux: chat rows keep every border at the empty screen's columns" \
	cells same "$work/cluster-empty" "$work/cluster-asked"

tap_done
