# tmux helpers for the full-screen suites (sourced). Each suite gets a
# private tmux server (socket ragdeck-e2e-PID) with one session "e2e".
# Needs $work (scratch directory: a timeout saves and prints the screen),
# $ragdeck and $db for start_app ($here, the suite's folder, for kb_db);
# start_streaming_app needs serve.sh and $serve too.
sock=ragdeck-e2e-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }

screen() { tm capture-pane -p -t e2e; }
# wait_for PATTERN [SECONDS]: poll the screen until grep -E finds PATTERN.
wait_for() {
	local deadline=$((SECONDS + ${2:-10}))
	while [ $SECONDS -le $deadline ]; do
		screen | grep -qE -- "$1" && return 0
		sleep 0.05
	done
	screen > "$work/last-screen.txt"
	echo "# timed out waiting for: $1"
	sed 's/^/# /' "$work/last-screen.txt"
	return 1
}
# wait_all PATTERN...: wait_for each PATTERN in turn (10 s each).
wait_all() {
	local p
	for p in "$@"; do wait_for "$p" 10 || return 1; done
}
# wait_gone PATTERN [SECONDS]
wait_gone() {
	local deadline=$((SECONDS + ${2:-10}))
	while [ $SECONDS -le $deadline ]; do
		screen | grep -qE -- "$1" || return 0
		sleep 0.05
	done
	return 1
}
keys() { tm send-keys -t e2e "$@"; }

# Kill the tmux server and wait until it is gone: a new-session sent while
# the old server shuts down fails with "server exited unexpectedly".
fresh_server() {
	tm kill-server 2>/dev/null
	for _ in $(seq 100); do
		tm list-sessions > /dev/null 2>&1 || return 0
		sleep 0.05
	done
}
# start_app ENV...: a fresh tmux session at 120x40 running a shell, then the app.
start_app() {
	fresh_server
	tm new-session -d -s e2e -x 120 -y 40 "env PS1='e2e-shell\$ ' TERM=tmux-256color $* bash --norc --noprofile"
	wait_for 'e2e-shell\$' 5
	keys "$ragdeck --db $db" Enter
	wait_for '1 chat' 5
}

# kb_db: $db is a new database in $work holding examples/kb; sql QUERY
# prints the first column of QUERY's first row in it.
kb_db() {
	db=$work/kb.db
	"$ragdeck" --db "$db" ingest --collection default "$here/../../examples/kb" > /dev/null
}
sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$1"; }

# start_streaming_app KEY: start_app answering with gpt-4o-mini from a
# fixture server streaming 400 tokens 20 ms apart (an answer takes 8 s),
# with OPENAI_API_KEY=KEY exported.
start_streaming_app() {
	export OPENAI_API_KEY=$1
	start_server --flavor openai --tokens 400 --delay-ms 20
	start_app "OPENAI_API_KEY=$OPENAI_API_KEY OPENAI_BASE_URL=$url"
	keys ':model gpt-4o-mini' Enter
	wait_for 'answering with gpt-4o-mini' 3
}

