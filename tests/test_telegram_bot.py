"""The Telegram bot end to end: PTB's real networking against the local Bot API server,
answering from the real Engine over small corpora."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from telegram.request import HTTPXRequest

from bot.formatting import NOT_FOUND_TEXT, RESET_TEXT
from bot.telegram_app import (COMMANDS, ERROR_TEXT, NON_TEXT_TEXT, REFUSAL_TEXT, STALE_BUTTON_TEXT,
                              state_file)
from bot.telegram_plumbing import AiohttpRequest
from retrieval import Engine
from telegram_fixtures import (bot, client_bot, docs, engine, http_client,  # noqa: F401
                               make_settings, running_bot, server, settings, write_corpus)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUESTION = "Who rescued eleven sailors?"


@pytest.fixture
def ann(server):
    user = server.user(42, "Ann")
    return user, server.private_chat(user)


async def ask(server, chat, user, text, replies=1):
    """Send `text` and wait until the chat holds `replies` more bot messages; return them."""
    before = len(server.bot_messages(chat["id"]))
    server.send_text(chat, user, text)
    messages = await server.wait_for_messages(chat["id"], before + replies)
    return messages[before:]


def entity_texts(message, kind):
    text = message["text"]
    return [text[e["offset"]:e["offset"] + e["length"]] for e in message.get("entities", [])
            if e["type"] == kind]


def button_data(message):
    return [b["callback_data"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


async def test_startup_registers_the_command_menu_form_encoded(server, bot):
    assert [c["command"] for c in server.commands] == [name for name, _ in COMMANDS]
    call = server.calls_to("setMyCommands")[0]
    assert call.content_type == "application/x-www-form-urlencoded"
    assert json.loads(call.params["commands"])[0] == {"command": "start", "description": COMMANDS[0][1]}


async def test_start_greets_and_explains(server, bot, ann):
    user, chat = ann
    [reply] = await ask(server, chat, user, "/start")
    assert reply["text"].startswith("Hello! Ask me a question about the documents")
    assert "@quoteqa_test_bot" in reply["text"]


async def test_help_explains_commands(server, bot, ann):
    user, chat = ann
    [reply] = await ask(server, chat, user, "/help")
    assert "/sources" in reply["text"] and "/reset" in reply["text"] and "/ask" in reply["text"]


async def test_sources_lists_every_document(server, bot, ann, engine):
    user, chat = ann
    [reply] = await ask(server, chat, user, "/sources")
    for document in engine.documents:
        assert f"{document.title} — {document.source}" in reply["text"]


async def test_reset_forgets_the_conversation(server, bot, ann):
    user, chat = ann
    await ask(server, chat, user, QUESTION)
    assert len(bot.chat_data[chat["id"]]["state"]["turns"]) == 1
    [reply] = await ask(server, chat, user, "/reset")
    assert reply["text"] == RESET_TEXT
    assert bot.chat_data[chat["id"]]["state"] == {"turns": []}


async def test_http_client_setting_picks_the_request_class(server, client_bot, http_client):
    expected = {"httpx": HTTPXRequest, "aiohttp": AiohttpRequest}[http_client]
    assert isinstance(client_bot.bot.request, expected)
    await server.wait_until(lambda: server.calls_to("getUpdates"))  # the long poll is running


async def test_question_is_answered_with_the_quote_from_the_seed_article(tmp_path, server, ann, http_client):
    settings = make_settings(tmp_path, server, SEEDS, QUOTEQA_HTTP_CLIENT=http_client)
    user, chat = ann
    async with running_bot(settings, Engine.open(settings)):
        [reply] = await ask(server, chat, user, "How many were extradited in February?")
    [quoted] = entity_texts(reply, "blockquote")
    assert "29 cartel leaders" in quoted
    assert reply["reply_to_message"]["text"] == "How many were extradited in February?"
    assert "(000_d6364650917e31b6.txt, paragraph" in reply["text"]


async def test_typing_is_shown_while_a_slow_answer_is_worked_out(server, bot, ann, engine, monkeypatch):
    user, chat = ann
    real_ask = engine.ask

    def slow_ask(question, state=None):
        time.sleep(0.5)
        return real_ask(question, state)

    monkeypatch.setattr(engine, "ask", slow_ask)
    await ask(server, chat, user, QUESTION)
    methods = [c.method for c in server.calls if c.method in ("sendchataction", "sendmessage")]
    assert methods == ["sendchataction", "sendmessage"]
    assert server.calls_to("sendChatAction")[0].params["action"] == "typing"


async def test_quick_answer_is_sent_without_typing(server, bot, ann, monkeypatch):
    monkeypatch.setattr("bot.telegram_app.TYPING_AFTER", 3.0)  # "quick" even on a busy machine
    user, chat = ann
    await ask(server, chat, user, QUESTION)
    assert server.calls_to("sendChatAction") == []


async def test_not_in_the_documents_is_said_plainly_without_quotes(server, bot, ann):
    user, chat = ann
    [reply] = await ask(server, chat, user, "What is the airspeed velocity of a swallow?")
    assert reply["text"] == NOT_FOUND_TEXT
    assert "entities" not in reply and "reply_markup" not in reply


async def test_hostile_text_in_question_and_document_arrives_intact(server, bot, ann):
    user, chat = ann
    [reply] = await ask(server, chat, user, "What does the sanitiser print? <script> & <b>")
    assert "<script>alert('x')</script> & other tags" in reply["text"]
    assert server.failed_calls() == []


async def test_unbalanced_tag_in_a_document_does_not_break_the_reply(server, bot, ann):
    user, chat = ann
    [reply] = await ask(server, chat, user, "stray bold tag that never closes")
    assert "A stray <b>bold tag that never closes" in reply["text"]
    assert server.failed_calls() == []


async def test_reply_over_the_limit_is_split_at_sentence_ends(tmp_path, server, ann):
    sentences = [f"The archive ledger {i} records {'many careful entries ' * 60}in order." for i in range(6)]
    docs = write_corpus(tmp_path / "long", {"ledger.txt": "Ledgers\n\n" + " ".join(sentences) + "\n"})
    settings = make_settings(tmp_path, server, docs)
    user, chat = ann
    async with running_bot(settings, Engine.open(settings)):
        [answer] = await ask(server, chat, user, "What does archive ledger 2 record?")
        server.press_button(answer, "context", user)
        parts = await server.wait_for_messages(chat["id"], 3)
    parts = parts[1:]
    assert len(parts) == 2 and server.failed_calls() == []
    assert all(len(p["text"].encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert parts[0]["text"].endswith("in order.")
    assert " ".join(p["text"] for p in parts).startswith(" ".join(sentences[:5]))


async def test_photo_and_sticker_get_one_short_reply(server, bot, ann):
    user, chat = ann
    server.send_photo(chat, user, caption="what is this?")
    server.send_sticker(chat, user)
    replies = await server.wait_for_messages(chat["id"], 2)
    assert [r["text"] for r in replies] == [NON_TEXT_TEXT, NON_TEXT_TEXT]


async def test_whitespace_only_text_is_ignored(server, bot, ann):
    user, chat = ann
    server.send_text(chat, user, "   \n ")
    [reply] = await ask(server, chat, user, QUESTION)
    assert reply["reply_to_message"]["text"] == QUESTION
    assert len(server.bot_messages(chat["id"])) == 1


async def test_edited_message_is_answered_again(server, bot, ann):
    user, chat = ann
    server.send_text(chat, user, "When was the lighthouse built?")
    [first] = await server.wait_for_messages(chat["id"], 1)
    question = next(m for (c, _), m in server.messages.items() if c == chat["id"] and m["from"] == user)
    server.edit_text(question, "What do the bakers donate on Friday?")
    replies = await server.wait_for_messages(chat["id"], 2)
    assert "1872" in first["text"]
    assert "unsold loaves" in replies[1]["text"]


async def test_group_mention_is_answered_and_chatter_ignored(server, bot):
    user = server.user(50, "Cy")
    group = server.group_chat(-100200300400, "Harbour club")
    server.send_text(group, user, "who rescued eleven sailors? just wondering")
    server.send_text(group, user, f"@quoteqa_test_bot {QUESTION}")
    [reply] = await server.wait_for_messages(group["id"], 1)
    assert reply["reply_to_message"]["text"] == f"@quoteqa_test_bot {QUESTION}"
    assert "rescued eleven sailors" in reply["text"]
    [turn] = bot.chat_data[group["id"]]["state"]["turns"]
    assert "quoteqa_test_bot" not in turn["question"]


async def test_group_reply_to_the_bot_and_ask_command_are_answered(server, bot):
    user = server.user(50, "Cy")
    group = server.group_chat(-100200300400, "Harbour club")
    [first] = await ask(server, group, user, "/ask When was the lighthouse built?")
    assert "1872" in first["text"]
    server.send_text(group, user, "What do the bakers donate on Friday?", reply_to=first)
    replies = await server.wait_for_messages(group["id"], 2)
    assert "unsold loaves" in replies[1]["text"]


async def test_allowlist_refuses_outsiders_and_logs_their_chat(tmp_path, server, docs, caplog):
    settings = make_settings(tmp_path, server, docs, QUOTEQA_ALLOWED_CHAT_IDS="42")
    insider, outsider = server.user(42, "Ann"), server.user(43, "Eve")
    inside, outside = server.private_chat(insider), server.private_chat(outsider)
    with caplog.at_level(logging.WARNING, logger="bot.telegram_app"):
        async with running_bot(settings, Engine.open(settings)):
            [refusal] = await ask(server, outside, outsider, QUESTION)
            [answer] = await ask(server, inside, insider, QUESTION)
    assert refusal["text"] == REFUSAL_TEXT
    assert "rescued eleven sailors" in answer["text"]
    assert any("chat 43" in r.getMessage() for r in caplog.records)


async def test_more_quotes_button_edits_the_answer_and_is_answered(server, bot, ann):
    user, chat = ann
    [answer] = await ask(server, chat, user, QUESTION)
    assert button_data(answer) == ["more", "context"]
    assert len(entity_texts(answer, "blockquote")) == 1
    query = server.press_button(answer, "more", user)
    await server.wait_until(lambda: query in server.callback_answers)
    [edited] = await server.wait_until(
        lambda: [m for m in server.bot_messages(chat["id"]) if "edit_date" in m])
    assert len(entity_texts(edited, "blockquote")) > 1
    assert button_data(edited) == ["context"]


async def test_pressing_more_twice_is_answered_without_an_error(server, bot, ann, caplog):
    user, chat = ann
    [answer] = await ask(server, chat, user, QUESTION)
    first = server.press_button(answer, "more", user)
    second = server.press_button(answer, "more", user)
    with caplog.at_level(logging.ERROR, logger="bot.telegram_app"):
        await ask(server, chat, user, QUESTION)  # a chat's updates run in order: both presses are done
    assert first in server.callback_answers and second in server.callback_answers
    assert [c.status for c in server.calls_to("editMessageText")] == [200, 400]  # not modified
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_show_context_replies_with_the_sentences_around_the_quote(server, client_bot, ann):
    user, chat = ann
    [answer] = await ask(server, chat, user, QUESTION)
    query = server.press_button(answer, "context", user)
    messages = await server.wait_for_messages(chat["id"], 2)
    assert query in server.callback_answers
    context = messages[1]
    assert entity_texts(context, "underline") == ["She rescued eleven sailors during the great storm of 1893."]
    assert "The keeper, Mara Lind, lived in the tower for thirty years." in context["text"]
    assert context["reply_to_message"]["message_id"] == answer["message_id"]


async def test_unknown_button_is_still_answered(server, bot, ann):
    user, chat = ann
    [answer] = await ask(server, chat, user, QUESTION)
    query = server.press_button(answer, "self-destruct", user)
    await server.wait_until(lambda: query in server.callback_answers)
    assert server.callback_answers[query]["text"] == STALE_BUTTON_TEXT


async def test_retry_after_from_the_server_is_waited_out_not_dropped(server, client_bot, ann):
    user, chat = ann
    server.fail("sendMessage", retry_after=1)
    started = time.monotonic()
    [reply] = await ask(server, chat, user, QUESTION)
    assert time.monotonic() - started >= 1
    assert "rescued eleven sailors" in reply["text"]
    assert [c.status for c in server.calls_to("sendMessage")] == [429, 200]


async def test_failing_handler_apologises_and_the_bot_keeps_running(server, bot, ann, engine, monkeypatch, caplog):
    user, chat = ann
    real_ask = engine.ask
    calls = []

    def broken_once(question, state=None):
        calls.append(question)
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return real_ask(question, state)

    monkeypatch.setattr(engine, "ask", broken_once)
    with caplog.at_level(logging.ERROR, logger="bot.telegram_app"):
        [apology] = await ask(server, chat, user, QUESTION)
    assert apology["text"] == ERROR_TEXT
    assert any(r.exc_info and "disk on fire" in str(r.exc_info[1]) for r in caplog.records)
    [answer] = await ask(server, chat, user, QUESTION)
    assert "rescued eleven sailors" in answer["text"]


async def test_chat_state_survives_a_restart(settings, engine, server, ann):
    user, chat = ann
    async with running_bot(settings, engine):
        await ask(server, chat, user, QUESTION)
    saved = json.loads(state_file(settings).read_text())
    assert saved[str(chat["id"])]["state"]["turns"][0]["question"] == QUESTION
    async with running_bot(settings, engine) as app:
        assert app.chat_data[chat["id"]]["state"]["turns"][0]["question"] == QUESTION
        [reply] = await ask(server, chat, user, "/reset")
    assert reply["text"] == RESET_TEXT
    assert json.loads(state_file(settings).read_text())[str(chat["id"])]["state"] == {"turns": []}


async def test_questions_in_one_chat_are_answered_in_order(server, bot, ann):
    user, chat = ann
    questions = ["When was the lighthouse built?", "What do the bakers donate on Friday?", QUESTION]
    for question in questions:
        server.send_text(chat, user, question)
    replies = await server.wait_for_messages(chat["id"], 3)
    assert [r["reply_to_message"]["text"] for r in replies] == questions
    assert [t["question"] for t in bot.chat_data[chat["id"]]["state"]["turns"]] == questions


async def test_user_allowlist_admits_a_user_in_any_chat_and_refuses_others_only_when_addressed(
        tmp_path, server, docs):
    settings = make_settings(tmp_path, server, docs, QUOTEQA_ALLOWED_USER_IDS="42")
    insider, outsider = server.user(42, "Ann"), server.user(43, "Eve")
    group = server.group_chat(-100200300400, "Harbour club")
    async with running_bot(settings, Engine.open(settings)):
        server.send_text(group, outsider, "just chatting about sailors")
        server.send_text(group, outsider, "/help@some_other_bot")
        [refusal] = await ask(server, group, outsider, f"@quoteqa_test_bot {QUESTION}")
        [answer] = await ask(server, group, insider, f"@quoteqa_test_bot {QUESTION}")
    assert refusal["text"] == REFUSAL_TEXT
    assert refusal["reply_to_message"]["text"] == f"@quoteqa_test_bot {QUESTION}"
    assert "rescued eleven sailors" in answer["text"]
    assert len(server.bot_messages(group["id"])) == 2


@pytest.mark.parametrize("damage", ["{not json", "[1, 2]"])
async def test_damaged_state_file_is_ignored_with_a_warning(settings, engine, server, ann, caplog, damage):
    state_file(settings).parent.mkdir(parents=True, exist_ok=True)
    state_file(settings).write_text(damage)
    user, chat = ann
    with caplog.at_level(logging.WARNING, logger="bot.telegram_plumbing"):
        async with running_bot(settings, engine):
            [reply] = await ask(server, chat, user, QUESTION)
    assert "rescued eleven sailors" in reply["text"]
    assert any("unreadable chat state" in r.getMessage() for r in caplog.records)
    assert json.loads(state_file(settings).read_text())[str(chat["id"])]["state"]["turns"]
