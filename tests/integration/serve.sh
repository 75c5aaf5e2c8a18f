# start_server and start_embed_server for the shell and tmux suites
# (sourced after tap.sh). Need $serve (the fixture_serve program) or
# $embed_serve (fixture_embed_serve) and $work (a scratch directory).
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

# start_embed_server ARGS...: start fixture_embed_serve (from $embed_serve)
# with ARGS, set $embed_url to its base URL and $embed_pid to its pid.
start_embed_server() {
	local fifo=$work/embed.$RANDOM$RANDOM
	mkfifo "$fifo"
	"$embed_serve" "$@" < "$fifo" > "$fifo.url" &
	embed_pid=$!
	pids+=($embed_pid)
	exec {hold}> "$fifo"
	for _ in $(seq 100); do [ -s "$fifo.url" ] && break; sleep 0.05; done
	embed_url=$(cat "$fifo.url")
}
