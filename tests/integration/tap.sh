# Minimal TAP helpers for the shell test suites (sourced).
# ok/not ok lines are counted by scripts/count-tests.py.
tap_n=0
tap_failed=0

# check NAME CMD...: run CMD, report ok/not ok NAME.
check() {
	local name=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n - $name"
	else
		echo "not ok $tap_n - $name"
		tap_failed=$((tap_failed + 1))
	fi
}

# skip NAME REASON: report NAME as skipped (TAP "# SKIP"), for a check
# this environment cannot run.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# json_get FILE EXPR: print a value from a JSON file (python expression on j).
json_get() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# raw_free FILE...: true when no file holds a byte a terminal would act on:
# ESC, BEL, NUL, C1 controls (as UTF-8) or bidirectional controls.
raw_free() {
	! LC_ALL=C grep -qaP '[\x00\x07\x1b]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$@"
}
export -f raw_free

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
