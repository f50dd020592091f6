"""The local fake Bot API server behaves like Telegram where the bot depends on it."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from bot_api_server import BotApiServer
from telegram_fixtures import server  # noqa: F401  (fixture)


@pytest.fixture
async def api(server):
    async with httpx.AsyncClient(base_url=f"{server.url}/bot{server.token}/", timeout=10,
                                 trust_env=False) as client:
        yield client


@pytest.fixture
def chat(server):
    return server.private_chat(server.user(7, "Bea"))


async def call(api, method, **params):
    response = await api.post(method, data={k: str(v) for k, v in params.items()})
    return response.status_code, response.json()


async def test_get_me_returns_a_complete_bot_user(api, server):
    status, body = await call(api, "getMe")
    assert status == 200 and body["ok"] is True
    assert body["result"]["is_bot"] is True and body["result"]["username"] == "quoteqa_test_bot"


async def test_wrong_token_is_unauthorized(server):
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(f"{server.url}/bot1:wrong/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_not_found(api):
    status, body = await call(api, "sendTelepathy")
    assert (status, body["description"]) == (404, "Not Found")


async def test_form_values_are_strings_and_nested_values_json(api, server, chat):
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    status, body = await call(api, "sendMessage", chat_id=chat["id"], text="hi",
                              reply_markup=json.dumps(markup))
    assert status == 200
    message = body["result"]
    assert message["reply_markup"] == markup
    assert message["chat"] == chat and isinstance(message["date"], int)
    assert server.calls_to("sendMessage")[0].params["chat_id"] == "7"
    assert server.calls_to("sendMessage")[0].content_type == "application/x-www-form-urlencoded"


async def test_html_is_parsed_into_text_and_utf16_entities(api, chat):
    status, body = await call(api, "sendMessage", chat_id=chat["id"], parse_mode="HTML",
                              text="😀 <b>bold &amp; &lt;x&gt;</b>")
    assert status == 200
    assert body["result"]["text"] == "😀 bold & <x>"
    assert body["result"]["entities"] == [{"type": "bold", "offset": 3, "length": 10}]


@pytest.mark.parametrize("text, description", [
    ("<script>x</script>", 'Bad Request: can\'t parse entities: Unsupported start tag "script" at byte offset 0'),
    ("a <b>bold", 'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"'),
    ("<b>x</i>", 'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"'),
    ("x</b>", "Bad Request: can't parse entities: Unexpected end tag at byte offset 1"),
    ("1 < 2", "Bad Request: can't parse entities: Unclosed start tag at byte offset 2"),
    ("", "Bad Request: message text is empty"),
    ("<b> </b>", "Bad Request: message text is empty"),
    ("x" * 4097, "Bad Request: message is too long"),
    ("😀" * 2049, "Bad Request: message is too long"),
])
async def test_bad_messages_get_telegram_shaped_400s(api, chat, text, description):
    status, body = await call(api, "sendMessage", chat_id=chat["id"], text=text, parse_mode="HTML")
    assert status == 400
    assert body == {"ok": False, "error_code": 400, "description": description}


async def test_text_at_the_limit_after_entity_parsing_is_accepted(api, chat):
    status, _ = await call(api, "sendMessage", chat_id=chat["id"], parse_mode="HTML",
                           text="<b>" + "&amp;" * 4096 + "</b>")
    assert status == 200


async def test_unknown_chat_is_not_found(api):
    status, body = await call(api, "sendMessage", chat_id=999, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_edit_returns_the_edited_message_and_rejects_no_change(api, chat):
    _, sent = await call(api, "sendMessage", chat_id=chat["id"], text="one")
    message_id = sent["result"]["message_id"]
    status, edited = await call(api, "editMessageText", chat_id=chat["id"], message_id=message_id, text="two")
    assert status == 200 and edited["result"]["text"] == "two" and "edit_date" in edited["result"]
    status, again = await call(api, "editMessageText", chat_id=chat["id"], message_id=message_id, text="two")
    assert status == 400 and again["description"].startswith("Bad Request: message is not modified")


async def test_get_updates_long_polls_until_an_update_arrives(api, server, chat):
    poll = asyncio.create_task(call(api, "getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    started = time.monotonic()
    server.send_text(chat, server.user(7, "Bea"), "hello")
    status, body = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1
    assert [u["message"]["text"] for u in body["result"]] == ["hello"]


async def test_get_updates_returns_empty_after_its_timeout(api):
    started = time.monotonic()
    status, body = await call(api, "getUpdates", timeout=1)
    assert body == {"ok": True, "result": []}
    assert 0.9 <= time.monotonic() - started < 3


async def test_get_updates_honours_offset_and_limit(api, server, chat):
    user = server.user(7, "Bea")
    for text in ("a", "b", "c"):
        server.send_text(chat, user, text)
    _, first = await call(api, "getUpdates", limit=2)
    assert [u["message"]["text"] for u in first["result"]] == ["a", "b"]
    _, again = await call(api, "getUpdates")  # nothing confirmed yet
    assert len(again["result"]) == 3
    offset = first["result"][-1]["update_id"] + 1
    _, rest = await call(api, "getUpdates", offset=offset)
    assert [u["message"]["text"] for u in rest["result"]] == ["c"]
    assert server.pending_updates == 1


async def test_stopping_the_server_releases_a_waiting_poll():
    fake = await BotApiServer().start()
    async with httpx.AsyncClient(trust_env=False) as client:
        poll = asyncio.create_task(client.post(f"{fake.url}/bot{fake.token}/getUpdates",
                                               data={"timeout": "30"}, timeout=40))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await fake.stop()
        response = await asyncio.wait_for(poll, 3)
    assert response.json() == {"ok": True, "result": []}
    assert time.monotonic() - started < 2


async def test_retry_after_switch_answers_429_then_recovers(api, server, chat):
    server.fail("sendMessage", retry_after=3)
    status, body = await call(api, "sendMessage", chat_id=chat["id"], text="hi")
    assert status == 429
    assert body == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
                    "parameters": {"retry_after": 3}}
    status, _ = await call(api, "sendMessage", chat_id=chat["id"], text="hi")
    assert status == 200


async def test_callback_queries_can_be_answered_once(api, server, chat):
    user = server.user(7, "Bea")
    _, sent = await call(api, "sendMessage", chat_id=chat["id"], text="pick")
    query_id = server.press_button(sent["result"], "go", user)
    status, _ = await call(api, "answerCallbackQuery", callback_query_id=query_id)
    assert status == 200
    status, body = await call(api, "answerCallbackQuery", callback_query_id=query_id)
    assert status == 400 and "query ID is invalid" in body["description"]
