"""Live reload in the bot: a document added while it runs is answered from, without a restart."""

from __future__ import annotations

import asyncio

from bot.formatting import NOT_FOUND_TEXT
from bot.telegram_app import DOCUMENTS_CHANGED_TEXT
from retrieval.live import LiveEngine
from telegram_fixtures import docs, running_bot, server, settings  # noqa: F401

NEW_DOC = "Museum news\n\nThe observatory telescope was repaired by volunteers in October.\n"


async def ask(server, chat, user, text):
    before = len(server.bot_messages(chat["id"]))
    server.send_text(chat, user, text)
    return (await server.wait_for_messages(chat["id"], before + 1))[before]


async def wait_for_refresh(live: LiveEngine, count: int, timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while live.refreshes < count:
            await asyncio.sleep(0.05)


async def test_document_added_while_running_is_answered_after_the_background_refresh(server, settings, docs):
    user = server.user(7, "Kim")
    chat = server.private_chat(user)
    with LiveEngine(settings, interval=0.1) as live:
        async with running_bot(settings, live):
            assert (await ask(server, chat, user, "Who repaired the observatory telescope?"))["text"] == NOT_FOUND_TEXT
            (docs / "museum.txt").write_text(NEW_DOC, encoding="utf-8")
            await wait_for_refresh(live, 1)
            reply = await ask(server, chat, user, "Who repaired the observatory telescope?")
            assert "repaired by volunteers in October" in reply["text"]


async def test_show_context_after_the_documents_changed_asks_to_ask_again(server, settings, docs):
    user = server.user(8, "Lee")
    chat = server.private_chat(user)
    with LiveEngine(settings, interval=0.1) as live:
        async with running_bot(settings, live):
            answer = await ask(server, chat, user, "Who rescued eleven sailors?")
            (docs / "lighthouse.txt").write_text("Changed\n\nEverything in this file was rewritten by the editors today.\n",
                             encoding="utf-8")
            await wait_for_refresh(live, 1)
            before = len(server.bot_messages(chat["id"]))
            server.press_button(answer, "context", user)
            reply = (await server.wait_for_messages(chat["id"], before + 1))[before]
            assert reply["text"] == DOCUMENTS_CHANGED_TEXT
