"""The PTB plumbing under the Telegram bot: its HTTP clients, retries, per-chat ordering, and
a JSON file for each chat's data. Nothing here knows about questions or answers."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor, DictPersistence, PersistenceInput
from telegram.request import BaseRequest, HTTPXRequest, RequestData

logger = logging.getLogger(__name__)

NETWORK_ATTEMPTS = 4
RETRY_AFTER_ATTEMPTS = 5
# Requests beyond a request object's connections wait (up to POOL_TIMEOUT) instead of failing.
POOL_TIMEOUT = 30.0
_TOKEN_IN_URL = re.compile(r"/bot[^/\s]+")
HTTP_CLIENTS = ("httpx", "aiohttp")


def make_request(client: str, connections: int) -> BaseRequest:
    """PTB's network layer: its own HTTPXRequest, or AiohttpRequest (less CPU per request).

    HTTP/1.1 for httpx: HTTP/2 needs the h2 package and TLS, and a local or self-hosted Bot API
    server speaks plain HTTP/1.1 anyway. The pool timeout is long so that a burst of answers
    queues for a connection instead of failing after PTB's default one second.
    """
    if client == "httpx":
        return HTTPXRequest(connection_pool_size=connections, read_timeout=5.0, write_timeout=5.0,
                            connect_timeout=5.0, pool_timeout=POOL_TIMEOUT, http_version="1.1")
    if client == "aiohttp":
        return AiohttpRequest(connections)
    raise ValueError(f"unknown HTTP client {client!r}; choose one of {', '.join(HTTP_CLIENTS)}")


class RetryingLimiter(BaseRateLimiter[int]):
    """Waits out RetryAfter and retries network failures, around PTB's AIORateLimiter (or none).

    A timeout is not retried: the request may have reached Telegram, and a retry would send the
    message twice. getUpdates never comes through here; the updater retries it itself.

    At most `in_flight` requests are on the wire at once (one per connection): the rest wait
    here, cheaply, rather than in httpcore's connection pool, whose queue costs CPU per waiter.
    """

    def __init__(self, limiter: BaseRateLimiter | None, backoff: float = 0.5,
                 in_flight: int | None = None) -> None:
        self.limiter = limiter
        self.backoff = backoff  # seconds before the first network retry; doubles each time
        self.in_flight = in_flight
        self._slots: asyncio.Semaphore | None = None

    async def initialize(self) -> None:
        if self.in_flight:
            self._slots = asyncio.Semaphore(self.in_flight)
        if self.limiter:
            await self.limiter.initialize()

    async def shutdown(self) -> None:
        if self.limiter:
            await self.limiter.shutdown()

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        if self._slots is not None:
            callback = self._one_slot(callback)
        waits = failures = 0
        while True:
            try:
                if self.limiter:
                    return await self.limiter.process_request(
                        callback, args, kwargs, endpoint, data, rate_limit_args)
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                waits += 1
                if waits >= RETRY_AFTER_ATTEMPTS:
                    raise
                delay = error.retry_after
                seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
                logger.info("%s: Telegram asked to retry after %.1fs", endpoint, seconds)
                await asyncio.sleep(seconds)
            except (BadRequest, TimedOut):
                raise
            except NetworkError as error:
                failures += 1
                if failures >= NETWORK_ATTEMPTS:
                    raise
                logger.warning("%s failed (%s); retrying", endpoint, error)
                await asyncio.sleep(self.backoff * 2 ** (failures - 1))

    def _one_slot(self, callback: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Coroutine[Any, Any, Any]]:
        """`callback`, holding one in-flight slot while it runs."""
        slots = self._slots

        async def call(*args: Any, **kwargs: Any) -> Any:
            async with slots:
                return await callback(*args, **kwargs)
        return call


class AiohttpRequest(BaseRequest):
    """PTB's network layer on aiohttp (QUOTEQA_HTTP_CLIENT=aiohttp): a request costs about half
    the CPU it does through httpx, which is what lets one process on a busy 2-core machine answer
    over 200 questions a second (see benchmarks/telegram_load.py)."""

    def __init__(self, connections: int, read_timeout: float = 5.0, connect_timeout: float = 5.0,
                 pool_timeout: float = POOL_TIMEOUT) -> None:
        self.connections = connections
        self._read, self._connect, self._pool = read_timeout, connect_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Not trust_env: it looks up the proxy (and ~/.netrc) in a worker thread for every
            # request, as much CPU as the request itself; `_proxy` looks it up once per host.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections), trust_env=False)

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _proxy(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The proxy the environment names for `url` (HTTP(S)_PROXY, minding NO_PROXY), as
        aiohttp's trust_env would choose it, looked up on the first request to its host."""
        scheme, host = urlsplit(url)[:2]
        if (scheme, host) not in self._proxies:
            try:
                self._proxies[scheme, host] = get_env_proxy_for_url(URL(url))
            except LookupError:  # none set, or NO_PROXY covers the host
                self._proxies[scheme, host] = (None, None)
        return self._proxies[scheme, host]

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        """One Bot API call. aiohttp has no write timeout; the read timeout bounds the wait."""
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")

        def chosen(value: Any, default: float) -> float | None:
            return default if value is BaseRequest.DEFAULT_NONE else value

        read, connect = chosen(read_timeout, self._read), chosen(connect_timeout, self._connect)
        pool = chosen(pool_timeout, self._pool)
        timeout = aiohttp.ClientTimeout(
            connect=None if pool is None or connect is None else pool + connect,  # waiting for a free connection too
            sock_connect=connect, sock_read=read)
        data: Any = request_data.json_parameters if request_data else None
        if request_data and request_data.contains_files:
            form = aiohttp.FormData(data)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
        proxy, proxy_auth = self._proxy(url)
        try:
            async with self._session.request(method, url, data=data, timeout=timeout, proxy=proxy,
                                             proxy_auth=proxy_auth,
                                             headers={"User-Agent": self.USER_AGENT}) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:  # the message may hold the URL, and the URL the token
            message = _TOKEN_IN_URL.sub("/bot<token>", str(error))
            raise NetworkError(f"aiohttp: {type(error).__name__}: {message}") from error


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat run in arrival order,
    so follow-ups see the state their earlier question left."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:
                del self._waiting[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class JsonFilePersistence(DictPersistence):
    """chat_data kept as one JSON file (no pickle), rewritten atomically when chats change."""

    def __init__(self, path: Path, update_interval: float = 5.0) -> None:
        try:
            saved = path.read_text(encoding="utf-8")
            if not isinstance(json.loads(saved), dict):
                raise ValueError("not a JSON object")
        except FileNotFoundError:
            saved = ""
        except (OSError, ValueError) as error:  # a damaged file costs the chats' memory, not the bot
            logger.warning("Ignoring unreadable chat state file %s: %s", path, error)
            saved = ""
        super().__init__(store_data=PersistenceInput(bot_data=False, user_data=False,
                                                     callback_data=False),
                         chat_data_json=saved, update_interval=update_interval)
        self.path = path
        self._write_pending = False

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        await super().update_chat_data(chat_id, data)
        self._schedule_write()

    async def drop_chat_data(self, chat_id: int) -> None:
        await super().drop_chat_data(chat_id)
        self._schedule_write()

    async def flush(self) -> None:
        self._write()

    def _schedule_write(self) -> None:
        if not self._write_pending:  # one write for all the chats of an update round
            self._write_pending = True
            asyncio.get_running_loop().call_soon(self._write)

    def _write(self) -> None:
        self._write_pending = False
        if self.chat_data is None:
            return
        # Sets or other non-JSON values a chat's state may grow are written as lists or strings
        # rather than losing every chat's state to one TypeError.
        text = json.dumps(self.chat_data, ensure_ascii=False,
                          default=lambda v: sorted(v) if isinstance(v, (set, frozenset)) else str(v))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as error:
            logger.error("Could not save chat state to %s: %s", self.path, error)
