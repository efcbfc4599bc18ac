#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Drives the interactive `exitbox setup` screens through a pseudo-terminal,
# as a user at a terminal would, and checks the files it writes. Prints TAP.
#
# Usage: test-setup-terminal.py EXITBOX

import os
import pty
import select
import signal
import sys
import tempfile
import time

import tap
from tap import report

EXITBOX = sys.argv[1]
PROMPT_TIMEOUT = 10.0
EXIT_TIMEOUT = 10.0

def read_available(fd, timeout):
    """Returns the bytes the terminal has within timeout seconds, b'' at its end."""
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return None
    try:
        return os.read(fd, 65536)
    except OSError:
        return b""


def run_in_terminal(arguments, answers, config_dir):
    """Runs exitbox with a pseudo-terminal as its stdin and stdout, typing
    each answer after the next prompt (a line ending in ': '). Returns the
    transcript and the exit status, or None for a process that did not end.
    """
    environment = dict(os.environ, EXITBOX_CONFIG_DIR=config_dir, LC_ALL="C.UTF-8")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(EXITBOX, [EXITBOX] + arguments, environment)

    transcript = b""
    for answer in answers:
        pending = b""
        deadline = time.monotonic() + PROMPT_TIMEOUT
        while time.monotonic() < deadline:
            data = read_available(fd, 0.2)
            if data is None:
                continue
            if data == b"":
                break
            pending += data
            if pending.rstrip(b" ").endswith(b":"):
                break
        transcript += pending
        if answer is None:
            # The end of input, as Ctrl+D would send it.
            os.write(fd, b"\x04")
        else:
            os.write(fd, answer.encode() + b"\n")

    deadline = time.monotonic() + EXIT_TIMEOUT
    status = None
    while time.monotonic() < deadline:
        data = read_available(fd, 0.2)
        if data:
            transcript += data
        finished, wait_status = os.waitpid(pid, os.WNOHANG)
        if finished:
            status = os.waitstatus_to_exitcode(wait_status)
            break

    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

    os.close(fd)
    return transcript.decode(errors="replace"), status


def read_text(path):
    try:
        with open(path, encoding="utf-8") as stream:
            return stream.read()
    except FileNotFoundError:
        return None


def yaml_list(text, key):
    """Returns the items of the block list `key:` at the top of text."""
    items = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line == f"{key}:":
            for item in lines[index + 1:]:
                if not item.startswith("  - "):
                    break
                items.append(item[4:])
    return items


def test_first_run_choices():
    with tempfile.TemporaryDirectory() as folder:
        # Backend, keep languages, tools and agents, switch off cloud_services.
        transcript, status = run_in_terminal(["setup"], ["2", "", "", "", "", "3", "", ""],
                                             folder)
        config = read_text(os.path.join(folder, "config.yaml")) or ""
        allowlist = read_text(os.path.join(folder, "allowlist.yaml")) or ""
        report(status == 0, "setup first run exits 0", transcript)
        report(yaml_list(config, "roles") == ["backend"], "setup first run writes roles", config)
        report("python" in yaml_list(config, "profiles"), "setup first run writes profiles",
               config)
        report("googleapis.com" in yaml_list(allowlist, "disabled"),
               "setup first run disables category", allowlist)
        report("anthropic.com" not in yaml_list(allowlist, "disabled"),
               "setup first run keeps others", allowlist)
        report(os.stat(os.path.join(folder, "config.yaml")).st_mode & 0o777 == 0o600,
               "setup first run file mode")


def test_back_changes_earlier_step():
    with tempfile.TemporaryDirectory() as folder:
        # Frontend, then back from languages to swap it for DevOps.
        answers = ["1", "", "b", "1 4", "", "", "", "", "", ""]
        transcript, status = run_in_terminal(["setup"], answers, folder)
        config = read_text(os.path.join(folder, "config.yaml")) or ""
        report(status == 0, "setup back exits 0", transcript)
        report(transcript.count("Step 1 of 6") == 2, "setup back shows roles again", transcript)
        report(yaml_list(config, "roles") == ["devops"], "setup back replaces roles", config)


def test_cancel_writes_nothing():
    with tempfile.TemporaryDirectory() as folder:
        transcript, status = run_in_terminal(["setup"], ["", "", "q"], folder)
        report(status == 0, "setup cancel exits 0", transcript)
        report("Setup cancelled" in transcript, "setup cancel says so", transcript)
        report(os.listdir(folder) == [], "setup cancel writes nothing", str(os.listdir(folder)))


def test_end_of_input_writes_nothing():
    with tempfile.TemporaryDirectory() as folder:
        transcript, status = run_in_terminal(["setup"], ["", None], folder)
        report(status == 0, "setup end of input exits 0", transcript)
        report(os.listdir(folder) == [], "setup end of input writes nothing",
               str(os.listdir(folder)))


def test_rerun_keeps_files():
    with tempfile.TemporaryDirectory() as folder:
        run_in_terminal(["setup"], ["4", "", "", "", "", "", ""], folder)
        config_path = os.path.join(folder, "config.yaml")
        allowlist_path = os.path.join(folder, "allowlist.yaml")
        with open(config_path, "a", encoding="utf-8") as stream:
            stream.write("# my own note\nmy_key: kept\n")
        config_before = read_text(config_path)
        allowlist_before = read_text(allowlist_path)

        transcript, status = run_in_terminal(["setup"], ["", "", "", "", "", ""], folder)
        report(status == 0, "setup rerun exits 0", transcript)
        report("[x] DevOps (devops)" in transcript, "setup rerun shows current roles",
               transcript)
        report(read_text(config_path) == config_before, "setup rerun keeps config bytes",
               read_text(config_path))
        report(read_text(allowlist_path) == allowlist_before, "setup rerun keeps allowlist bytes")


def test_first_command_runs_setup():
    with tempfile.TemporaryDirectory() as folder:
        transcript, status = run_in_terminal(["allowlist", "list"], ["q"], folder)
        report(status == 0, "first command exits 0", transcript)
        report("setup runs first" in transcript, "first command starts setup", transcript)
        report("AI providers (ai_providers):" in transcript, "first command then runs", transcript)
        report(read_text(os.path.join(folder, "allowlist.yaml")) is not None,
               "first command cancel writes defaults")


def main():
    test_first_run_choices()
    test_back_changes_earlier_step()
    test_cancel_writes_nothing()
    test_end_of_input_writes_nothing()
    test_rerun_keeps_files()
    test_first_command_runs_setup()
    print(f"1..{tap.test_number}")
    return tap.exit_status()


if __name__ == "__main__":
    sys.exit(main())
