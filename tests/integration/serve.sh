# start_server for the shell and tmux suites (sourced after tap.sh).
# Needs $serve (the fixture_serve program) and $work (a scratch directory).
# Each server reads a FIFO this shell holds open, so it stops when the test
# exits; its pid is added to $pids for the test's cleanup.
pids=()

# start_server ARGS...: start fixture_serve with ARGS, set $url to its base URL.
start_server() {
	local fifo=$work/serve.$RANDOM$RANDOM
	mkfifo "$fifo"
	"$serve" "$@" < "$fifo" > "$fifo.url" &
	pids+=($!)
	exec {hold}> "$fifo"
	for _ in $(seq 100); do [ -s "$fifo.url" ] && break; sleep 0.05; done
	url=$(cat "$fifo.url")
}
