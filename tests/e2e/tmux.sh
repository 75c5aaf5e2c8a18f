# tmux helpers for the full-screen suites (sourced). Each suite gets a
# private tmux server (socket ragdeck-e2e-PID) with one session "e2e".
# Needs $work (scratch directory: a timeout saves and prints the screen),
# $ragdeck and $db for start_app.
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

