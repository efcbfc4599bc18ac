#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Runs the image entrypoint on the host, with /bin/sh and the host's tmux,
# to check the status line of settings.status_bar: drawn at a terminal,
# absent without one, the command's exit status kept, and the output
# printed again without tmux's exit message. Prints TAP.
#
# Usage: test-status-line.py ENTRYPOINT

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

import tap
from tap import report

ENTRYPOINT = sys.argv[1]
RUN_TIMEOUT = 20.0

def session_environment(work, status_line):
    environment = dict(os.environ, HOME=work, TMPDIR=work, TERM="xterm-256color",
                       LC_ALL="C.UTF-8")
    for name in ("TMUX", "TMUX_PANE", "EXITBOX_AGENT"):
        environment.pop(name, None)
    if status_line is not None:
        environment["EXITBOX_STATUS_LINE"] = status_line
    return environment


def run_in_terminal(command, environment):
    """Runs the entrypoint with a 24x200 pseudo-terminal as its terminal, wide
    enough for the whole status line.
    Returns what the terminal received and the exit status, or None as the
    status of a process that did not end in time."""
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 200, 0, 0))
        os.execve("/bin/sh", ["sh", ENTRYPOINT] + command, environment)

    transcript = b""
    status = None
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
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


def main():
    print("1..11")
    work = tempfile.mkdtemp(prefix="exitbox-status-line-")
    marker = os.path.join(work, "format-ran")
    line = f"ExitBox 9.9 – Shell – web#(touch {marker})shop – firewall on, 3 domains"
    command = ["sh", "-c", 'echo "inside: ${EXITBOX_STATUS_LINE-unset}"; exit 7']
    try:
        transcript, status = run_in_terminal(command, session_environment(work, line))
        report(line in transcript, "status line drawn at the terminal", transcript)
        report("inside: unset" in transcript, "command does not see the status text", transcript)
        report(status == 7, "exit status of the command kept", f"status {status}")
        report(not os.path.exists(marker), "tmux format in a folder name not run")
        # tmux leaves the alternate screen and clears it, then the entrypoint
        # prints the session's text again, so the output stays visible.
        restored = transcript.rfind("\x1b[?1049l")
        report(restored >= 0 and transcript.find("inside: unset", restored) > restored,
               "output printed again after the session", transcript[-400:])
        report("[exited]" not in transcript, "no tmux exit message", transcript[-400:])
        report("\0" not in transcript, "no NUL byte in the output", repr(transcript[-400:]))

        # A tmux whose captured text contains NUL bytes: the replay drops
        # them and keeps the text around them.
        wrapper_dir = os.path.join(work, "bin")
        os.mkdir(wrapper_dir)
        with open(os.path.join(wrapper_dir, "tmux"), "w") as wrapper:
            wrapper.write('#!/bin/sh\n'
                          'if [ "$1" = capture-pane ]; then\n'
                          f'  "{shutil.which("tmux")}" "$@" | sed "s/inside/in\\x00side/"\n'
                          'else\n'
                          f'  exec "{shutil.which("tmux")}" "$@"\n'
                          'fi\n')
        os.chmod(os.path.join(wrapper_dir, "tmux"), 0o755)
        environment = session_environment(work, line)
        environment["PATH"] = wrapper_dir + os.pathsep + environment["PATH"]
        transcript, status = run_in_terminal(command, environment)
        restored = transcript.rfind("\x1b[?1049l")
        report(status == 7 and "\0" not in transcript and
               transcript.find("inside: unset", restored) > restored >= 0,
               "NUL bytes in the captured text dropped", repr(transcript[-400:]))

        transcript, status = run_in_terminal(command, session_environment(work, None))
        report(status == 7 and "\x1b[?1049h" not in transcript,
               "no status line when it is off", f"status {status}\n{transcript}")

        result = subprocess.run(["sh", ENTRYPOINT] + command, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=RUN_TIMEOUT,
                                env=session_environment(work, line))
        report(result.returncode == 7, "no terminal: command runs without tmux",
               f"status {result.returncode}\n{result.stderr}")
        report(result.stdout == "inside: unset\n", "no terminal: status text not passed on",
               result.stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    return tap.exit_status()


if __name__ == "__main__":
    sys.exit(main())
