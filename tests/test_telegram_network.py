"""The bot's network layer: both request classes (PTB's HTTPXRequest as the bot configures it,
and AiohttpRequest) and the retrying rate-limiter wrapper."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram_plumbing import RetryingLimiter, make_request
from telegram_fixtures import http_client, server  # noqa: F401  (fixtures)


def flaky(*failures: Exception):
    """A Bot API call that raises `failures` in turn, then succeeds; counts its attempts."""
    attempts = []

    async def call() -> str:
        attempts.append(1)
        if len(attempts) <= len(failures):
            raise failures[len(attempts) - 1]
        return "ok"
    return call, attempts


async def through(limiter: RetryingLimiter, call) -> str:
    return await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 1}, None)


async def test_network_errors_are_retried_until_the_call_succeeds():
    call, attempts = flaky(NetworkError("reset"), NetworkError("reset"))
    assert await through(RetryingLimiter(None, backoff=0.001), call) == "ok"
    assert len(attempts) == 3


async def test_retry_after_is_waited_out():
    call, attempts = flaky(RetryAfter(0))
    assert await through(RetryingLimiter(None), call) == "ok"
    assert len(attempts) == 2


@pytest.mark.parametrize("error", [BadRequest("message is too long"), TimedOut()])
async def test_bad_requests_and_timeouts_are_not_retried(error):
    call, attempts = flaky(error)
    with pytest.raises(type(error)):
        await through(RetryingLimiter(None, backoff=0.001), call)
    assert len(attempts) == 1  # a timed-out send may have arrived: retrying could send it twice


async def test_network_errors_give_up_after_a_few_attempts():
    call, attempts = flaky(*[NetworkError("down")] * 10)
    with pytest.raises(NetworkError):
        await through(RetryingLimiter(None, backoff=0.001), call)
    assert len(attempts) == 4


async def test_in_flight_requests_are_capped_and_the_rest_wait():
    running, most = 0, 0

    async def call() -> str:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        return "ok"

    limiter = RetryingLimiter(None, in_flight=3)
    await limiter.initialize()
    results = await asyncio.gather(*(through(limiter, call) for _ in range(10)))
    assert results == ["ok"] * 10 and most == 3


def test_unknown_http_client_is_refused():
    with pytest.raises(ValueError, match="httpx, aiohttp"):
        make_request("curl", connections=1)


async def test_request_posts_form_fields_and_returns_status_and_body(server, http_client):
    request = make_request(http_client, connections=2)
    await request.initialize()
    try:
        data = RequestData([RequestParameter("timeout", 0, None), RequestParameter("limit", 5, None)])
        status, body = await request.do_request(f"{server.url}/bot{server.token}/getUpdates", "POST", data)
    finally:
        await request.shutdown()
    assert (status, body) == (200, b'{"ok": true, "result": []}')
    assert server.calls_to("getUpdates")[0].params == {"timeout": "0", "limit": "5"}


async def test_unreachable_server_is_a_network_error_without_the_url_path(server, http_client):
    url = f"{server.url}/bot{server.token}/getMe"
    await server.stop()
    request = make_request(http_client, connections=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(url, "POST")
    finally:
        await request.shutdown()
    assert server.token not in str(raised.value)


async def test_malformed_api_url_error_does_not_show_the_token(http_client):
    request = make_request(http_client, connections=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.do_request("api.example/bot123:SECRET-token/getMe", "POST")
    finally:
        await request.shutdown()
    assert "SECRET" not in str(raised.value)


async def test_slow_answer_is_a_timeout(server, http_client):
    request = make_request(http_client, connections=1)
    await request.initialize()
    try:
        data = RequestData([RequestParameter("timeout", 5, None)])
        with pytest.raises(TimedOut):  # a long poll that outlasts the read timeout
            await request.do_request(f"{server.url}/bot{server.token}/getUpdates", "POST", data,
                                     read_timeout=0.2)
    finally:
        await request.shutdown()


async def test_a_proxy_named_in_the_environment_carries_the_requests(server, http_client, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, server.url)  # the fake server answers proxied requests too
    request = make_request(http_client, connections=1)
    await request.initialize()
    try:
        status, _ = await request.do_request(f"http://telegram.invalid/bot{server.token}/getMe", "POST")
    finally:
        await request.shutdown()
    assert status == 200 and len(server.calls_to("getMe")) == 1


async def test_no_proxy_hosts_are_reached_directly(server, http_client, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    request = make_request(http_client, connections=1)
    await request.initialize()
    try:  # NO_PROXY holds 127.0.0.1 (telegram_fixtures), where the server is
        status, _ = await request.do_request(f"{server.url}/bot{server.token}/getMe", "POST")
    finally:
        await request.shutdown()
    assert status == 200
