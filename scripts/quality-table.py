#!/usr/bin/env python3
"""Print the scripts/quality table from `ragdeck eval --json` outputs.

One row per (set, mode[, swept value]); the file names are SET-MODE.json.
"""
import json
import os
import sys

COLUMNS = ("set", "mode", "items", "R@1", "R@5", "MRR@10", "pass", "declined", "direct", "stale 1st", "grounded")


def rows(path):
    name = os.path.basename(path)[: -len(".json")]
    set_name, mode = name.rsplit("-", 1)
    with open(path) as f:
        report = json.load(f)
    sweep = report.get("sweep")
    for run in report["runs"]:
        s = run["overall"]
        r = s["retrieval"]
        label = mode
        if sweep:
            label = "%s %s=%g" % (mode, sweep, run["params"].get(sweep, 0))
        yield (
            set_name,
            label,
            str(s["items"]),
            "%.3f" % r["recall_1"],
            "%.3f" % r["recall_k"],
            "%.3f" % r["mrr10"],
            str(s["passed"]),
            "%d/%d" % (s["declined"], r["items"]),
            str(s["routes"]["direct"]),
            "%d/%d" % (r["stale_first"], r["stale_items"]) if r["stale_items"] else "-",
            "%.3f" % s["grounding"]["hallucination_score"] if s["grounding"]["items"] else "-",
        )


def main(paths):
    order = {"hybrid": 0, "fts": 1, "vector": 2}
    table = []
    for p in sorted(paths, key=lambda p: (p.rsplit("-", 1)[0], order.get(p.rsplit("-", 1)[1][:-5], 9))):
        table.extend(rows(p))
    widths = [max(len(c), *(len(r[i]) for r in table)) for i, c in enumerate(COLUMNS)]
    line = "  ".join("%-*s" % (w, c) for w, c in zip(widths, COLUMNS))
    print(line)
    print("-" * len(line))
    previous = None
    for r in table:
        if previous and previous != r[0]:
            print()
        previous = r[0]
        print("  ".join("%-*s" % (w, c) for w, c in zip(widths, r)))


if __name__ == "__main__":
    main(sys.argv[1:])
