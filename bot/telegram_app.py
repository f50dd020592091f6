"""quoteqa on Telegram: people ask in a chat and get back quoted sentences with their sources.

The module wires python-telegram-bot to the engine and holds no retrieval logic: a question goes
to `engine.ask(question, state)` and the Answer is rendered by `bot.telegram_html`. Each chat's
ChatState lives in its chat_data, saved as JSON under the index folder so it survives restarts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, ApplicationHandlerStop,
                          CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler,
                          TypeHandler, filters)

from bot.formatting import NOT_FOUND_TEXT, RESET_TEXT
from bot.telegram_html import (answer_html, context_html, esc, quotes_html, sources_html,
                               split_html)
from bot.telegram_plumbing import (JsonFilePersistence, PerChatUpdateProcessor, RetryingLimiter,
                                   make_request)
from config import Settings
from retrieval import Answer, ChatState, Engine, Quote, QuoteqaError
from retrieval.live import LiveEngine

logger = logging.getLogger(__name__)

COMMANDS = (
    ("start", "What this bot does"),
    ("help", "How to ask a question"),
    ("sources", "The documents it quotes from"),
    ("reset", "Forget this conversation"),
)
HELP_TEXT = (
    "Ask me a question about the documents and I answer with sentences quoted from them, "
    "word for word, with the document and paragraph they come from.\n\n"
    "Follow-up questions use the conversation so far.\n"
    "/sources lists the documents, /reset starts a new conversation.\n"
    "In a group, mention me (@{username} your question), reply to one of my messages, "
    "or use /ask your question."
)
NON_TEXT_TEXT = "I can only read text messages: send me a question about the documents."
REFUSAL_TEXT = "Sorry, this bot only answers the chats it was set up for."
ERROR_TEXT = "Sorry, something went wrong while answering. Please try again."
ASK_USAGE_TEXT = "Usage: /ask your question"
STALE_BUTTON_TEXT = "That answer is too old for this button; please ask again."
DOCUMENTS_CHANGED_TEXT = "The documents have changed since that answer; please ask again."

MORE, CONTEXT = "more", "context"
_COMMAND = re.compile(r"/\w+(?:@(\w+))?")
KEPT_REPLIES = 20  # answers per chat whose buttons still work
CONNECTIONS = 8  # requests in flight to the Bot API (40+/s at 200 ms round trips); getUpdates has its own
CONCURRENT_UPDATES = 64
# "typing…" only when an answer takes long enough to notice: Telegram clears it when the reply
# lands anyway, and skipping it for quick answers halves the requests a busy bot makes.
TYPING_AFTER = 0.25  # seconds


class MissingTokenError(QuoteqaError):
    exit_code = 2


class TelegramSetupError(QuoteqaError):
    exit_code = 2


class _StartupAbortFilter(logging.Filter):
    """Drops PTB's log line for a start-up that gave up (rejected token, unreachable server):
    the exception reaches run(), which says the same in one "Error: ..." line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Network Retry Loop (Bootstrap") and "Abort" in message)


_STARTUP_ABORT_FILTER = _StartupAbortFilter()


def state_file(settings: Settings) -> Path:
    return settings.index_dir / "telegram_chats.json"


# ---- the bot ------------------------------------------------------------------------------


def quote_to_dict(quote: Quote) -> dict[str, Any]:
    return {"text": quote.text, "source": quote.source, "title": quote.title,
            "paragraph": quote.paragraph, "score": float(quote.score), "sentence": quote.sentence,
            "answer_span": list(quote.answer_span) if quote.answer_span else None}


def quote_from_dict(data: dict[str, Any]) -> Quote:
    span = data.get("answer_span")
    return Quote(text=data["text"], source=data["source"], title=data["title"],
                 paragraph=data["paragraph"], score=data["score"], sentence=data["sentence"],
                 answer_span=tuple(span) if span else None)


class QuoteBot:
    """The handlers. Each is thin: find the question, ask the engine, send the rendered answer."""

    def __init__(self, settings: Settings, engine: Engine | LiveEngine) -> None:
        self.settings = settings
        self._engines = engine

    @property
    def engine(self) -> Engine:
        """The engine for the next question: the newest one when the folder is watched."""
        source = self._engines
        return source.engine if isinstance(source, LiveEngine) else source

    def register(self, app: Application) -> None:
        app.add_handler(TypeHandler(Update, self.gate), group=-1)
        app.add_handler(CommandHandler("start", self.start))
        app.add_handler(CommandHandler("help", self.help))
        app.add_handler(CommandHandler("sources", self.sources))
        app.add_handler(CommandHandler("reset", self.reset))
        app.add_handler(CommandHandler("ask", self.ask_command))
        messages = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
        app.add_handler(MessageHandler(messages & filters.TEXT & ~filters.COMMAND, self.question))
        app.add_handler(MessageHandler(
            filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.not_text))
        app.add_handler(CallbackQueryHandler(self.button))
        app.add_error_handler(self.on_error)

    async def post_init(self, app: Application) -> None:
        """Register the command menu once the bot knows who it is."""
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])

    # -- access control

    def allowed(self, update: Update) -> bool:
        chats, users = self.settings.allowed_chat_ids, self.settings.allowed_user_ids
        if not chats and not users:
            return True
        chat, user = update.effective_chat, update.effective_user
        return bool((chat and chat.id in chats) or (user and user.id in users))

    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs before every handler: outsiders get one refusal line and nothing else."""
        if self.allowed(update):
            return
        chat, user = update.effective_chat, update.effective_user
        logger.warning("Refused update from chat %s (user %s): not in the allowlist",
                       chat.id if chat else None, user.id if user else None)
        if update.callback_query:
            await update.callback_query.answer(REFUSAL_TEXT, show_alert=True)
        elif update.effective_message and self.addressed(update.effective_message, context):
            await update.effective_message.reply_text(REFUSAL_TEXT)
        raise ApplicationHandlerStop

    def addressed(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Whether the message is meant for this bot: private, its command, mention or reply."""
        command = _COMMAND.match(message.text or "")
        if command:
            return command.group(1) is None or command.group(1).lower() == context.bot.username.lower()
        return message.chat.type == ChatType.PRIVATE or self.question_in(message, context) is not None

    def question_in(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> str | None:
        """The question a message puts to the bot, or None when it is not addressed to it."""
        text = message.text or ""
        if message.chat.type == ChatType.PRIVATE:
            return text
        bot = context.bot
        mention = re.compile(rf"@{re.escape(bot.username)}\b", re.IGNORECASE)
        if mention.search(text):
            return mention.sub(" ", text)
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return text
        return None

    # -- commands

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet and explain."""
        await self._send(update.effective_message, "Hello! " + esc(self._help(context)))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Explain how to ask."""
        await self._send(update.effective_message, esc(self._help(context)))

    def _help(self, context: ContextTypes.DEFAULT_TYPE) -> str:
        return HELP_TEXT.format(username=context.bot.username)

    async def sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the documents answers are quoted from."""
        await self._send(update.effective_message, sources_html(self.engine.documents))

    async def reset(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Forget the conversation: follow-ups start afresh."""
        context.chat_data["state"] = ChatState().to_dict()
        context.chat_data["replies"] = {}
        await self._send(update.effective_message, esc(RESET_TEXT))

    async def ask_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/ask question: the way to ask in a group without mentioning the bot."""
        message = update.effective_message
        parts = (message.text or "").split(maxsplit=1)
        if len(parts) < 2 or not parts[1].strip():
            await self._send(message, esc(ASK_USAGE_TEXT))
            return
        await self._answer(message, parts[1], context)

    # -- questions

    async def question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text message (new or edited): answer it if it is meant for the bot."""
        message = update.effective_message
        question = self.question_in(message, context)
        if question is not None:
            await self._answer(message, question, context)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, stickers, voice: say what the bot can do (in groups only when replied to)."""
        message = update.effective_message
        replied = message.reply_to_message
        if message.chat.type == ChatType.PRIVATE or (
                replied and replied.from_user and replied.from_user.id == context.bot.id):
            await self._send(message, esc(NON_TEXT_TEXT))

    async def _answer(self, message: Message, question: str, context: ContextTypes.DEFAULT_TYPE) -> None:
        question = question.strip()
        if not question:
            return
        state = ChatState.from_dict(context.chat_data.get("state"))
        work = asyncio.ensure_future(asyncio.to_thread(self.engine.ask, question, state))
        if not (await asyncio.wait({work}, timeout=TYPING_AFTER))[0]:
            await self._typing(message, context)
        answer = await work
        context.chat_data["state"] = answer.state.to_dict()
        logger.info("Chat %s: answered=%s quotes=%d", message.chat_id, answer.answered, len(answer.quotes))
        sent = await self._send(message, answer_html(answer, NOT_FOUND_TEXT, shown=1),
                                self._buttons(answer, shown=1))
        if answer.answered:
            self._remember(context, sent[-1].message_id, answer)

    async def _typing(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show "typing…" while a slow answer is worked out; it is cosmetic, so never fatal."""
        try:
            await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
        except TelegramError as error:
            logger.warning("Could not show typing in chat %s: %s", message.chat_id, error)

    def _buttons(self, answer: Answer, shown: int) -> InlineKeyboardMarkup | None:
        if not answer.answered or not answer.quotes:
            return None
        row = []
        if len(answer.quotes) > shown:
            row.append(InlineKeyboardButton(f"More quotes ({len(answer.quotes) - shown})",
                                            callback_data=MORE))
        row.append(InlineKeyboardButton("Show context", callback_data=CONTEXT))
        return InlineKeyboardMarkup([row])

    def _remember(self, context: ContextTypes.DEFAULT_TYPE, message_id: int, answer: Answer) -> None:
        replies = context.chat_data.setdefault("replies", {})
        replies[str(message_id)] = {"quotes": [quote_to_dict(q) for q in answer.quotes]}
        for old in sorted(replies, key=int)[:-KEPT_REPLIES]:
            del replies[old]

    # -- buttons

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """"More quotes" edits the answer to show them all; "Show context" replies with it."""
        query = update.callback_query
        message = query.message if isinstance(query.message, Message) else None
        saved = context.chat_data.get("replies", {}).get(str(message.message_id)) if message else None
        if saved is None or query.data not in (MORE, CONTEXT):
            await query.answer(STALE_BUTTON_TEXT)
            return
        await query.answer()
        quotes = [quote_from_dict(q) for q in saved["quotes"]]
        if query.data == MORE:
            await self._show_all(message, quotes)
        else:
            await self._show_context(message, quotes[0])

    async def _show_all(self, message: Message, quotes: list[Quote]) -> None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Show context", callback_data=CONTEXT)]])
        parts = split_html(quotes_html(quotes))
        try:
            await message.edit_text(parts[0], parse_mode=ParseMode.HTML,
                                    reply_markup=markup if len(parts) == 1 else None)
        except BadRequest as error:
            if "not modified" not in error.message.lower():  # a second press changes nothing
                raise
            return
        for i, part in enumerate(parts[1:], start=2):
            await message.chat.send_message(part, parse_mode=ParseMode.HTML,
                                            reply_markup=markup if i == len(parts) else None)

    async def _show_context(self, message: Message, quote: Quote) -> None:
        engine = self.engine
        if quote.sentence >= engine.stats["sentences"] or engine.sentence(quote.sentence).text != quote.text:
            await self._send(message, DOCUMENTS_CHANGED_TEXT)  # reloaded since the answer; plain text, no markup
            return
        sentences = engine.context(quote.sentence)
        quoted = sentences.index(engine.sentence(quote.sentence))
        await self._send(message, context_html(sentences, quoted, quote.title, quote.source,
                                               quote.paragraph))

    # -- sending and errors

    async def _send(self, message: Message, markup: str,
                    buttons: InlineKeyboardMarkup | None = None) -> list[Message]:
        """Reply with `markup`, split to fit Telegram's limit; buttons go under the last part."""
        parts = split_html(markup)
        sent = []
        for i, part in enumerate(parts):
            sent.append(await message.reply_text(
                part, parse_mode=ParseMode.HTML, do_quote=(i == 0),
                reply_markup=buttons if i == len(parts) - 1 else None))
        return sent

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log every failure with its traceback; tell the person their question failed."""
        logger.error("Error while handling an update", exc_info=context.error)
        if not isinstance(update, Update):
            return
        if update.callback_query:
            with contextlib.suppress(TelegramError):  # it may have been answered already
                await update.callback_query.answer()
        if update.effective_message:
            try:
                await update.effective_message.reply_text(ERROR_TEXT)
            except TelegramError as error:
                logger.warning("Could not send the apology: %s", error)


def telegram_rate_limiter() -> AIORateLimiter:
    """Telegram allows about 30 messages a second overall and 20 a minute in a group.

    aiolimiter's buckets start full, so PTB's default (30 per second) lets up to 60 through in
    one second. One request per 1/25 s overall and per 3.2 s in a group keeps every one-second
    (one-minute) window within the limits, with room for the jitter a busy machine adds between pacing and arrival.
    RetryAfter is waited out, pausing all sends.
    """
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 25,
                          group_max_rate=1, group_time_period=3.2, max_retries=3)


def build_application(settings: Settings, engine: Engine | LiveEngine, *, persistence_interval: float = 5.0) -> Application:
    """The PTB Application for `settings`, talking to settings.telegram_api_url."""
    bot = QuoteBot(settings, engine)
    # Everything else, then getUpdates: settings.http_client picks PTB's httpx or aiohttp.
    requests = (make_request(settings.http_client, CONNECTIONS), make_request(settings.http_client, 1))

    async def close_requests(app: Application) -> None:
        """Also when start-up failed (PTB skips shutting down a bot that never initialised)."""
        for request in requests:
            await request.shutdown()

    root = settings.telegram_api_url.rstrip("/")
    limiter = telegram_rate_limiter() if settings.rate_limiter else None
    app = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .rate_limiter(RetryingLimiter(limiter, in_flight=CONNECTIONS))
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
        .request(requests[0])
        .get_updates_request(requests[1])
        .post_shutdown(close_requests)
        .persistence(JsonFilePersistence(state_file(settings), update_interval=persistence_interval))
        .post_init(bot.post_init)
        .job_queue(None)
        .build()
    )
    bot.register(app)
    return app


# ---- the `quoteqa telegram` subcommand ------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--webhook", metavar="URL",
                        help="receive updates at this public HTTPS URL instead of long polling")
    parser.add_argument("--listen", metavar="HOST", default="0.0.0.0",
                        help="address the webhook server binds (default 0.0.0.0)")
    parser.add_argument("--port", metavar="N", type=int, default=8443,
                        help="port the webhook server binds (default 8443)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot until SIGINT/SIGTERM; 0 on a clean stop."""
    if not settings.telegram_token:
        raise MissingTokenError("no Telegram bot token: set TELEGRAM_BOT_TOKEN "
                                "(create a bot with @BotFather to get one)")
    for noisy in ("httpx", "httpcore"):  # httpx logs every URL, and the URL holds the token
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("telegram.ext").addFilter(_STARTUP_ABORT_FILTER)  # a second add of it is a no-op
    live = LiveEngine(settings, interval=settings.reload_interval or 5.0)
    if settings.reload_interval > 0:
        live.start()  # a changed folder is re-indexed in the background and swapped in
    logger.info("Serving %d documents from %s", live.engine.stats["documents"], settings.docs_dir)
    app = build_application(settings, live)
    try:
        if getattr(args, "webhook", None):
            path = urlsplit(args.webhook).path.strip("/")
            app.run_webhook(listen=args.listen, port=args.port, url_path=path,
                            webhook_url=args.webhook,
                            secret_token=settings.webhook_secret or secrets.token_urlsafe(32),
                            allowed_updates=Update.ALL_TYPES)
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        raise TelegramSetupError("Telegram rejected the bot token; check TELEGRAM_BOT_TOKEN") from None
    except NetworkError as error:
        raise TelegramSetupError(f"cannot reach the Telegram Bot API at {settings.telegram_api_url}: "
                                 f"{error.message}") from None
    finally:
        live.stop()
    return 0
