#!/usr/bin/env python3
"""Sum the individual test cases of every suite in a meson testlog.json.

cmocka programs report "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)";
TAP-style scripts print "ok N ..." / "not ok N ..."; anything else counts as
one case decided by its exit status. Prints "N passed, N failed[, N skipped]"
and exits 1 when anything failed.
"""
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        t = json.loads(line)
        out = (t.get("stdout", "") or "") + "\n" + (t.get("stderr", "") or "")
        result = t.get("result", "")
        p = sum(int(n) for n in re.findall(r"^\[  PASSED  \] (\d+) test", out, re.M))
        f = sum(int(n) for n in re.findall(r"^\[  FAILED  \] (\d+) test", out, re.M))
        s = sum(int(n) for n in re.findall(r"^\[  SKIPPED \] (\d+) test", out, re.M))
        tap_ok = len(re.findall(r"^ok \d+", out, re.M))
        tap_skip = len(re.findall(r"^ok \d+ .*# SKIP", out, re.M))
        tap_fail = len(re.findall(r"^not ok \d+", out, re.M))
        p += tap_ok - tap_skip
        s += tap_skip
        f += tap_fail
        if p + f + s == 0:
            if result == "SKIP":
                s = 1
            elif result in ("OK", "EXPECTEDFAIL"):
                p = 1
            else:
                f = 1
        elif result not in ("OK", "SKIP", "EXPECTEDFAIL") and f == 0:
            f = 1  # crashed or timed out after reporting passes
        passed += p
        failed += f
        skipped += s
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
