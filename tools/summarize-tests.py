#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
"""Count test results from meson test logs and TAP files.

Usage: summarize-tests.py [--label TEXT] FILE...
FILE is a meson testlog.json (one JSON object per line) or a TAP output file.
Every TAP test point counts once, so a GTest program with 12 cases counts 12;
a test without TAP output counts once by its result. Prints one closing line
"N passed, N failed[, N skipped]".
"""

import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")


def count_tap(text):
    passed = failed = skipped = 0
    for line in text.splitlines():
        match = TAP_LINE.match(line.strip())
        if not match:
            continue
        directive = match.group(2)
        if "# SKIP" in directive.upper():
            skipped += 1
        elif match.group(1) == "ok" or "# TODO" in directive.upper():
            passed += 1
        else:
            failed += 1
    return passed, failed, skipped


def count_meson_log(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            result = entry.get("result", "")
            # meson 1.0 stores the test's output as "stdout"; TAP test
            # points in it count one by one, other tests by their result.
            output = entry.get("stdout") or ""
            p, f, s = count_tap(output)
            if p + f + s == 0:
                if result in ("OK", "EXPECTEDFAIL"):
                    p = 1
                elif result == "SKIP":
                    s = 1
                else:
                    f = 1
            elif result not in ("OK", "SKIP", "EXPECTEDFAIL") and f == 0:
                # The program crashed or timed out after its last test point.
                f = 1
            passed += p
            failed += f
            skipped += s
    return passed, failed, skipped


def main(argv):
    totals = [0, 0, 0]
    for path in argv[1:]:
        if path.endswith(".json"):
            counts = count_meson_log(path)
        else:
            with open(path, encoding="utf-8", errors="replace") as tap:
                counts = count_tap(tap.read())
        print(f"# {path}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped")
        totals = [a + b for a, b in zip(totals, counts)]
    line = f"{totals[0]} passed, {totals[1]} failed"
    if totals[2]:
        line += f", {totals[2]} skipped"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
