#!/usr/bin/env python3
"""Sum the individual test cases of every pass of scripts/test.

Arguments: NAME=TESTLOG.json for each pass (meson's testlog.json), and
optionally --reports=DIR, a directory of sanitizer reports (ASan/UBSan
log_path files): each report counts as one failure and is printed.

cmocka programs report "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)";
TAP-style scripts print "ok N ..." / "not ok N ..."; anything else counts as
one case decided by its exit status. Prints a line per pass, then
"N passed, N failed[, N skipped]" summing them; exits 1 when anything failed.
"""
import json
import os
import re
import sys


def count(testlog):
    passed = failed = skipped = 0
    with open(testlog, encoding="utf-8") as log:
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
    return passed, failed, skipped


def summary(passed, failed, skipped):
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    return line


total = [0, 0, 0]
for arg in sys.argv[1:]:
    if arg.startswith("--reports="):
        folder = arg.split("=", 1)[1]
        reports = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        for name in reports:
            print(f"sanitizer report {name}:")
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                print(f.read())
        print(f"sanitizer reports: {len(reports)}")
        total[1] += len(reports)
        continue
    name, path = arg.split("=", 1)
    p, f, s = count(path)
    print(f"{name}: {summary(p, f, s)}")
    total = [total[0] + p, total[1] + f, total[2] + s]
print(summary(*total))
sys.exit(1 if total[1] else 0)
