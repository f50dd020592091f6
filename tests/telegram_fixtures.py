"""Fixtures for the Telegram tests: a small corpus, the local Bot API server, the bot running on it.

Test modules import the fixtures they use by name (the lead owns conftest.py).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Update

from bot.telegram_app import build_application
from bot_api_server import BotApiServer
from config import Settings, load_settings
from retrieval import Engine

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

CORPUS = {
    "lighthouse.txt": (
        "The Old Point Lighthouse\n\n"
        "The Old Point lighthouse was built in 1872 by the harbour board. "
        "Its lamp burned whale oil until 1910, when an electric lamp replaced it.\n\n"
        "The keeper, Mara Lind, lived in the tower for thirty years. "
        "She rescued eleven sailors during the great storm of 1893. "
        "The town gave her a silver medal for the rescue.\n"
    ),
    "bakery.txt": (
        "The River Street Bakery\n\n"
        "The bakery opens at six in the morning and sells rye bread, rolls and cinnamon buns. "
        "Its sourdough starter is older than the building itself.\n\n"
        "Every Friday the bakers donate unsold loaves to the shelter on Mill Road.\n"
    ),
    "markup.txt": (
        "Notes on markup\n\n"
        "The sanitiser prints <script>alert('x')</script> & other tags as plain text. "
        "A stray <b>bold tag that never closes must not break a reply.\n"
    ),
}


def write_corpus(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def make_settings(tmp_path: Path, server: BotApiServer, docs: Path, **env: str) -> Settings:
    values = {"QUOTEQA_DOCS": str(docs), "QUOTEQA_CACHE_DIR": str(tmp_path / "cache"),
              "TELEGRAM_BOT_TOKEN": server.token, "TELEGRAM_API_URL": server.url,
              "QUOTEQA_RATE_LIMITER": "0", "HOME": str(tmp_path)}
    values.update(env)
    return load_settings(env=values)


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as fake:
        yield fake


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "docs", CORPUS)


@pytest.fixture
def settings(tmp_path: Path, server: BotApiServer, docs: Path) -> Settings:
    return make_settings(tmp_path, server, docs)


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return Engine.open(settings)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, engine: Engine, poll_timeout: int = 10) -> AsyncIterator:
    """The bot polling the local server, started and stopped as `Application.run_polling` does."""
    app = build_application(settings, engine)
    await app.initialize()
    try:
        await app.post_init(app)
        await app.updater.start_polling(timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()


@pytest.fixture
async def bot(settings: Settings, engine: Engine, server: BotApiServer) -> AsyncIterator:
    async with running_bot(settings, engine) as app:
        yield app


@pytest.fixture(params=["httpx", "aiohttp"])
def http_client(request: pytest.FixtureRequest) -> str:
    """The aiohttp client (the default every other test uses) and PTB's own httpx one."""
    return request.param


@pytest.fixture
async def client_bot(tmp_path: Path, server: BotApiServer, docs: Path, http_client: str) -> AsyncIterator:
    """The bot on the small corpus, talking through `http_client`."""
    settings = make_settings(tmp_path, server, docs, QUOTEQA_HTTP_CLIENT=http_client)
    async with running_bot(settings, Engine.open(settings)) as app:
        yield app
