"""The interactive console in a real pseudo-terminal: prompt_toolkit line editing, highlight, Ctrl-D."""

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Screen:
    """What the console wrote, read as it comes. `until` consumes up to and including a needle, so
    output that arrived in the same read as an earlier needle is still there for the next one."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pending = b""

    def until(self, needle: bytes, timeout: float = 60) -> bytes:
        deadline = time.monotonic() + timeout
        while needle not in self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{needle!r} never appeared; screen so far: {self.pending[-2000:]!r}")
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.pending += chunk
        end = self.pending.find(needle)
        if end < 0:
            raise AssertionError(f"{needle!r} never appeared before the console closed: {self.pending[-2000:]!r}")
        seen, self.pending = self.pending[:end + len(needle)], self.pending[end + len(needle):]
        return seen


def test_interactive_console_answers_highlights_and_exits_on_ctrl_d(cli_env) -> None:
    leader, follower = pty.openpty()
    env = {**cli_env, "TERM": "xterm", "COLUMNS": "200", "LINES": "50", "PROMPT_TOOLKIT_NO_CPR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "console"], stdin=follower, stdout=follower,
                            stderr=follower, cwd=ROOT, env=env, close_fds=True)
    os.close(follower)
    screen = Screen(leader)
    try:
        screen.until(b"Ask a question")
        screen.until(b"\x1b[?2004h")  # the prompt is up
        os.write(leader, b"how many were extradited in February?\r")
        answer = screen.until(b"paragraph 2)")
        assert b"cartel leaders to the United States in February" in answer  # "29" itself is highlighted
        assert b"\x1b[" in answer  # styled output on a terminal
        screen.until(b"\x1b[?2004h")
        os.write(leader, b"/sources\r")
        screen.until(b"1 document:")
        screen.until(b"\x1b[?2004h")  # the next prompt is up: Ctrl-D now lands on an empty line
        os.write(leader, b"\x04")  # Ctrl-D
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
