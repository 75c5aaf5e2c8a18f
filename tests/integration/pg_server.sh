# A private PostgreSQL 15 server with pgvector for a shell suite (sourced).
#
#	. "$here/tap.sh"
#	. "$here/pg_server.sh"
#	pg_start                  # before any TAP output: it may skip the suite
#	...                       # point ragdeck's PostgreSQL store at $PG_URL
#	pg_restart                # e.g. in the middle of a search
#	pg_stop                   # optional: the EXIT trap calls it
#
# pg_start runs initdb and starts the server in a new temporary directory,
# listening on a Unix socket there only (no TCP), then creates the empty
# database ragdeck_test (pgvector is checked but not created in it: the
# code under test runs CREATE EXTENSION). It exports PGHOST (the socket
# directory), PGPORT (random, so parallel suites never share a socket
# name), PGUSER=ragdeck (a superuser, trust authentication),
# PGDATABASE=ragdeck_test, PG_BIN (the server's bin directory, for
# "$PG_BIN/psql") and PG_URL, a libpq URI with the same settings. When
# PostgreSQL 15 or pgvector is not installed (scripts/setup installs both)
# it prints "1..0 # SKIP reason" and exits 77, which meson counts as
# skipped; when the server will not start it prints "Bail out!" and the
# server's log, and exits 1.
#
# PostgreSQL refuses to run as root: as root (CI) the server runs as
# nobody, on files chowned to it; otherwise as the caller.
#
# pg_start sets an EXIT trap that runs pg_stop before the trap already set
# then (sandbox.sh's, say). A caller that sets its EXIT trap after
# pg_start replaces it, and must call pg_stop from its own trap.
# Works under set -u; pg_stop also under set -e.

_pg_bin=/usr/lib/postgresql/15/bin
_pg_ext=/usr/share/postgresql/15/extension
_pg_dir=
_pg_port=
_pg_as=()

# _pg_server CMD...: run CMD as the server's user, in its directory.
_pg_server() {
	(cd "$_pg_dir" && "${_pg_as[@]}" "$@")
}

# _pg_skip REASON: skip the whole suite.
_pg_skip() {
	echo "1..0 # SKIP $1"
	exit 77
}

# _pg_bail WHAT [LOG]: report a server that failed, with LOG (the
# server's log by default) on stderr, and exit 1.
_pg_bail() {
	echo "Bail out! PostgreSQL: $1"
	local log=${2:-${_pg_dir:+$_pg_dir/log}}
	if [ -n "$log" ] && [ -s "$log" ]; then
		sed 's/^/# /' "$log" >&2
	fi
	exit 1
}

# _pg_launch: start the server on the existing data directory.
_pg_launch() {
	_pg_server "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -l "$_pg_dir/log" -w -t 60 \
		-o "-k '$_pg_dir/sock' -p $_pg_port -c listen_addresses='' -c fsync=off" \
		start > /dev/null
}

pg_start() {
	local t prev
	if [ -n "${_pg_dir:-}" ]; then
		echo "pg_start: the server is already started" >&2
		return 1
	fi
	for t in initdb pg_ctl postgres psql createdb; do
		[ -x "$_pg_bin/$t" ] ||
			_pg_skip "no $_pg_bin/$t (PostgreSQL 15: apt-get install postgresql-15, or scripts/setup)"
	done
	[ -e "$_pg_ext/vector.control" ] ||
		_pg_skip "pgvector is not installed for PostgreSQL 15 (no $_pg_ext/vector.control; scripts/setup builds it)"

	_pg_as=()
	if [ "$(id -u)" -eq 0 ]; then
		id -u nobody > /dev/null 2>&1 || _pg_skip "running as root and there is no user nobody to run PostgreSQL as"
		if command -v runuser > /dev/null 2>&1; then
			_pg_as=(runuser -u nobody --)
		elif command -v setpriv > /dev/null 2>&1; then
			_pg_as=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
		else
			_pg_skip "running as root and neither runuser nor setpriv can drop to nobody"
		fi
	fi

	# A socket path has at most 107 bytes; as root the server's user must
	# reach the directory too. Fall back to /tmp when $TMPDIR will not do.
	_pg_dir=$(mktemp -d) || _pg_bail "mktemp -d failed"
	if [ ${#_pg_dir} -gt 70 ] ||
	   { [ ${#_pg_as[@]} -gt 0 ] && ! "${_pg_as[@]}" test -x "$_pg_dir/.."; }; then
		rm -rf "$_pg_dir"
		_pg_dir=$(mktemp -d -p /tmp) || _pg_bail "mktemp -d -p /tmp failed"
	fi
	# Run pg_stop first, then the EXIT trap set before (trap -p prints
	# "trap -- 'CMD' EXIT", quoted for the shell).
	prev=$(trap -p EXIT)
	if [ -n "$prev" ]; then
		eval "prev=($prev)"
		# shellcheck disable=SC2064 # the earlier command, expanded now
		trap "pg_stop; ${prev[2]}" EXIT
	else
		trap pg_stop EXIT
	fi
	mkdir "$_pg_dir/data" "$_pg_dir/sock"
	: > "$_pg_dir/log"
	if [ ${#_pg_as[@]} -gt 0 ]; then
		chmod 755 "$_pg_dir"
		chown nobody: "$_pg_dir/data" "$_pg_dir/sock" "$_pg_dir/log"
	fi
	chmod 700 "$_pg_dir/data"
	chmod 755 "$_pg_dir/sock"
	_pg_port=$((20000 + RANDOM % 40001))

	_pg_server "$_pg_bin/initdb" -D "$_pg_dir/data" -U ragdeck --auth=trust -E UTF8 --locale=C \
		--no-sync > "$_pg_dir/initdb.log" 2>&1 || _pg_bail "initdb failed" "$_pg_dir/initdb.log"
	_pg_launch || _pg_bail "the server did not start"

	unset PGSERVICE PGSERVICEFILE PGOPTIONS PGCLUSTER PGPASSWORD PGSSLMODE PGCONNECT_TIMEOUT
	export PGHOST=$_pg_dir/sock PGPORT=$_pg_port PGUSER=ragdeck PGDATABASE=ragdeck_test PG_BIN=$_pg_bin
	export PG_URL="postgresql:///ragdeck_test?host=$PGHOST&port=$PGPORT&user=ragdeck"
	"$_pg_bin/createdb" ragdeck_test 2>> "$_pg_dir/log" || _pg_bail "createdb ragdeck_test failed"
	# pgvector loads (its C functions are created), then is rolled back.
	if ! "$_pg_bin/psql" -X -q -v ON_ERROR_STOP=1 \
		-c 'BEGIN' -c 'CREATE EXTENSION IF NOT EXISTS vector' -c 'ROLLBACK' > /dev/null 2>> "$_pg_dir/log"; then
		sed 's/^/# /' "$_pg_dir/log" | tail -n 5 >&2
		pg_stop
		_pg_skip "pgvector does not load into PostgreSQL 15 (CREATE EXTENSION vector failed)"
	fi
}

# pg_stop: stop the server (fast: connections are ended) and remove its
# directory. Does nothing when no server is running.
pg_stop() {
	[ -n "${_pg_dir:-}" ] || return 0
	if [ -e "$_pg_dir/data/postmaster.pid" ]; then
		_pg_server "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -m fast -w -t 30 stop > /dev/null 2>&1 ||
			_pg_server "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -m immediate -w stop > /dev/null 2>&1 ||
			true
	fi
	rm -rf "$_pg_dir" || true
	_pg_dir=
}

# pg_restart: kill the server (immediate: no clean shutdown, so the start
# runs crash recovery) and start it again on the same data, socket and port.
pg_restart() {
	[ -n "${_pg_dir:-}" ] || { echo "pg_restart: no server started" >&2; return 1; }
	_pg_server "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -m immediate -w stop > /dev/null 2>> "$_pg_dir/log" ||
		{ echo "pg_restart: pg_ctl stop failed" >&2; return 1; }
	_pg_launch || { echo "pg_restart: the server did not start again" >&2; sed 's/^/# /' "$_pg_dir/log" | tail -n 5 >&2; return 1; }
}
