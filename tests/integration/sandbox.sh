# A private scratch directory and environment for a shell or tmux suite
# (sourced after tap.sh and serve.sh). Sets $ragdeck from RAGDECK and $work
# (removed on exit, after stopping the fixture servers in $pids and the
# suite's tmux server when tmux.sh is loaded); points HOME and the XDG
# directories at $work/home, so everything ragdeck writes on its own lands
# there; clears the variables that would make ragdeck use the user's
# config, keys, servers or colour choice. Also hold_write_lock, for the
# locked-database checks.
ragdeck=${RAGDECK:?set RAGDECK to the binary}
work=$(mktemp -d)
sandbox_cleanup() {
	if declare -F tm > /dev/null; then tm kill-server 2>/dev/null; fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$work"
}
trap sandbox_cleanup EXIT
export HOME=$work/home XDG_CONFIG_HOME=$work/home/config XDG_DATA_HOME=$work/home/data \
	XDG_STATE_HOME=$work/home/state LANG=C.UTF-8
mkdir -p "$HOME"
unset RAGDECK_CONFIG OPENAI_API_KEY ANTHROPIC_API_KEY OPENAI_BASE_URL ANTHROPIC_BASE_URL NO_COLOR

# hold_write_lock DB SECONDS: another program (python's sqlite3) takes DB's
# write lock and keeps it for SECONDS; returns once the lock is held and
# sets $lock_pid (wait for it to see the lock released).
hold_write_lock() {
	python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("CREATE TABLE lock_holder(x)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")' "$1" "$2" > "$work/lock.out" &
	lock_pid=$!
	for _ in $(seq 100); do grep -q locked "$work/lock.out" 2>/dev/null && break; sleep 0.05; done
}
