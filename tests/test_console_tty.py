"""The interactive console in a real pseudo-terminal: prompt_toolkit line editing, highlight, Ctrl-D."""

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def read_until(fd: int, needle: bytes, timeout: float = 60) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"{needle!r} never appeared; screen so far: {seen[-2000:]!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_interactive_console_answers_highlights_and_exits_on_ctrl_d(cli_env) -> None:
    leader, follower = pty.openpty()
    env = {**cli_env, "TERM": "xterm", "COLUMNS": "200", "LINES": "50", "PROMPT_TOOLKIT_NO_CPR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "console"], stdin=follower, stdout=follower,
                            stderr=follower, cwd=ROOT, env=env, close_fds=True)
    os.close(follower)
    try:
        read_until(leader, b"Ask a question")
        os.write(leader, b"how many were extradited in February?\r")
        screen = read_until(leader, b"paragraph 2)")
        assert b"cartel leaders to the United States in February" in screen  # "29" itself is highlighted
        assert b"\x1b[" in screen  # styled output on a terminal
        os.write(leader, b"/sources\r")
        read_until(leader, b"1 document:")
        read_until(leader, b"\x1b[?2004h")  # the next prompt is up: Ctrl-D now lands on an empty line
        os.write(leader, b"\x04")  # Ctrl-D
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
