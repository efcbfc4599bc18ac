# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# TAP output for the Python tests: one "ok" or "not ok" line a check, with
# the end of the details as "#" lines under a failure.

test_number = 0
failures = 0


def report(passed, name, details=""):
    global test_number, failures
    test_number += 1
    if passed:
        print(f"ok {test_number} - {name}")
        return
    failures += 1
    print(f"not ok {test_number} - {name}")
    for line in str(details).splitlines()[-40:]:
        print(f"# {line}")


def exit_status():
    """Returns the exit status for the test program: 1 after a failure."""
    return 1 if failures else 0
