#!/usr/bin/env python3
"""Where a tmux capture-pane dump puts its pane borders, in terminal cells.

capture-pane prints each cell's characters once (a wide character is not
followed by its second cell), so columns are counted the way tmux counts
them: the C library's wcwidth, 1 for a character it does not know, and
nothing for a character after a zero width joiner (tmux 3.3 puts it in the
joiner's cell).

  cells.py same REF CUR      every row above the input line has its
                             vertical borders (│ and the corners) at the
                             columns REF's row has them
  cells.py any REF CUR       every row above the input line has its
                             vertical borders where some row of REF has
                             them (the input line grew, the panes shrank)
  cells.py frame CUR         every row of the first box (from the row that
                             starts with ┌ to the one that starts with └)
                             has its borders where the box's corners are
  cells.py fits CUR COLS     no row takes more than COLS cells

The last two rows of a screen (the input line and the status line) are
never compared: they hold no pane. Prints the first row that is wrong and
exits 1.
"""
import ctypes
import locale
import sys

VERTICAL = set("│┌┐└┘├┤▌")  # ▌: the viewer marks a row of the chunk

locale.setlocale(locale.LC_ALL, "C.UTF-8")
_wcwidth = ctypes.CDLL(None).wcwidth
_wcwidth.argtypes = [ctypes.c_wchar]


def width(ch):
    w = _wcwidth(ch)
    return 1 if w < 0 else w


def widths(line):
    """(character, cells) for each character: tmux 3.3 draws a character
    after a zero width joiner in the joiner's cell."""
    prev = ""
    for ch in line:
        yield ch, 0 if prev == "\u200d" else width(ch)
        prev = ch


def cells(line):
    """(column, character) for each character that starts a cell."""
    col, out = 0, []
    for ch, w in widths(line):
        if w > 0:
            out.append((col, ch))
        col += w
    return out


def borders(line):
    return [col for col, ch in cells(line) if ch in VERTICAL]


def row_width(line):
    return sum(w for _, w in widths(line))


def rows(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def fail(kind, i, line, got, want):
    print(f"# {kind}: row {i}: borders at {got}, want {want}: {line!r}")
    sys.exit(1)


def main():
    mode = sys.argv[1]
    cur = rows(sys.argv[-1] if mode != "fits" else sys.argv[2])
    if mode == "same":
        ref = rows(sys.argv[2])
        for i, (r, c) in enumerate(zip(ref[:-3], cur[:-3])):
            if borders(r) != borders(c):
                fail("same", i, c, borders(c), borders(r))
    elif mode == "any":
        ref = rows(sys.argv[2])
        known = {tuple(borders(r)) for r in ref[:-3]}
        for i, line in enumerate(cur[:-3]):
            if line.startswith("> "):
                break
            if tuple(borders(line)) not in known:
                fail("any", i, line, borders(line), "one of " + str(sorted(known)))
    elif mode == "frame":
        top = next(i for i, line in enumerate(cur) if line.startswith("┌"))
        want = borders(cur[top])
        for i in range(top + 1, len(cur) - 3):
            if borders(cur[i]) != want:
                fail("frame", i, cur[i], borders(cur[i]), want)
            if cur[i].startswith("└"):
                break
    elif mode == "fits":
        limit = int(sys.argv[3])
        for i, line in enumerate(cur):
            if row_width(line) > limit:
                print(f"# fits: row {i} takes {row_width(line)} cells of {limit}: {line!r}")
                sys.exit(1)
    else:
        sys.exit(f"cells.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
