"""`quoteqa telegram` as a real process: polling and webhook against the local Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from telegram_fixtures import docs, server  # noqa: F401  (fixtures)

REPO = Path(__file__).resolve().parent.parent
QUESTION = "Who rescued eleven sailors?"


def quoteqa() -> list[str]:
    script = Path(sys.executable).with_name("quoteqa")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def child_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "QUOTEQA_"))}
    env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", HOME=str(tmp_path),
               QUOTEQA_CACHE_DIR=str(tmp_path / "cache"), QUOTEQA_RATE_LIMITER="0")
    env.update(values)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start(args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *quoteqa(), *args, env=env, cwd=REPO,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def until(server, predicate, process: asyncio.subprocess.Process, timeout: float = 30):
    """Wait for predicate() like server.wait_until, but fail at once if the bot process exits."""
    waiting = asyncio.ensure_future(server.wait_until(predicate, timeout))
    exited = asyncio.ensure_future(process.wait())
    await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    if not waiting.done():
        waiting.cancel()
        out, err = await process.communicate()
        raise AssertionError(f"quoteqa exited with {process.returncode}: {(out + err).decode()}")
    exited.cancel()
    return waiting.result()


async def stop(process: asyncio.subprocess.Process, signum: int = signal.SIGINT) -> tuple[int, str]:
    """Signal the bot, wait for it to exit; its exit code and everything it printed."""
    try:
        if process.returncode is None:
            process.send_signal(signum)
        out, err = await asyncio.wait_for(process.communicate(), 20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return process.returncode, (out + err).decode()


def test_missing_token_is_one_clear_line_and_exit_code_2(tmp_path, docs):
    result = subprocess.run([*quoteqa(), "telegram", "--docs", str(docs)], env=child_env(tmp_path),
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Error: no Telegram bot token: set TELEGRAM_BOT_TOKEN (create a bot with @BotFather to get one)"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_polling_bot_answers_then_stops_cleanly_on_signal(tmp_path, server, docs, signum):
    env = child_env(tmp_path, TELEGRAM_BOT_TOKEN=server.token, TELEGRAM_API_URL=server.url)
    process = await start(["telegram", "-v", "--docs", str(docs)], env)
    try:
        await until(server, lambda: server.calls_to("getUpdates"), process)
        user = server.user(42, "Ann")
        chat = server.private_chat(user)
        server.send_text(chat, user, QUESTION)
        [reply] = await until(server, lambda: server.bot_messages(chat["id"]), process, timeout=10)
    finally:
        code, output = await stop(process, signum)
    assert "She rescued eleven sailors" in reply["text"]
    assert [c["command"] for c in server.commands] == ["start", "help", "sources", "reset"]
    assert code == 0, output
    assert server.token not in output and server.token.split(":")[1] not in output


async def test_webhook_mode_accepts_only_the_secret_token(tmp_path, server, docs):
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    env = child_env(tmp_path, TELEGRAM_BOT_TOKEN=server.token, TELEGRAM_API_URL=server.url,
                    QUOTEQA_WEBHOOK_SECRET="s3cret-token")
    process = await start(["telegram", "--docs", str(docs), "--webhook", url,
                           "--listen", "127.0.0.1", "--port", str(port)], env)
    try:
        await until(server, lambda: server.webhook["url"], process)
        assert server.webhook == {"url": url, "secret_token": "s3cret-token"}
        user = server.user(42, "Ann")
        chat = server.private_chat(user)
        server.send_text(chat, user, QUESTION)  # the server pushes it with the secret header
        [reply] = await until(server, lambda: server.bot_messages(chat["id"]), process, timeout=10)
        forged = {"update_id": 999, "message": {"message_id": 99, "date": 0, "chat": chat,
                                                "from": user, "text": QUESTION}}
        async with httpx.AsyncClient(trust_env=False) as client:
            wrong = await client.post(url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
            missing = await client.post(url, json=forged)
    finally:
        code, output = await stop(process)
    assert "She rescued eleven sailors" in reply["text"]
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert len(server.bot_messages(chat["id"])) == 1  # the forged update was never answered
    assert code == 0, output


async def test_rejected_token_is_one_clear_line_and_exit_code_2(tmp_path, server, docs):
    env = child_env(tmp_path, TELEGRAM_BOT_TOKEN="999:not-the-token", TELEGRAM_API_URL=server.url)
    process = await start(["telegram", "--docs", str(docs)], env)
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert err.decode().splitlines() == ["Error: Telegram rejected the bot token; check TELEGRAM_BOT_TOKEN"]
    assert "not-the-token" not in (out + err).decode()
