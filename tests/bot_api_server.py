"""A local fake of the Telegram Bot API, for tests and the load benchmark.

It behaves like Telegram where the bot depends on it: requests arrive as form-encoded POSTs
(nested values as JSON strings, numbers as strings) at /bot{token}/{method}; returned objects are
complete enough for python-telegram-bot to parse; errors come back as Telegram sends them
(`{"ok": false, "error_code": 400, "description": "Bad Request: ..."}`); `getUpdates` is a real
long poll that honours offset, limit and timeout, and is released when the server stops.

Tests drive it from the other side: inject updates (messages, edits, photos, stickers, button
presses, group messages), read what the bot sent, and make a method answer with RetryAfter.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import ClientSession, ClientTimeout, web

MAX_TEXT = 4096
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice",
                "upload_voice", "upload_document", "choose_sticker", "find_location",
                "record_video_note", "upload_video_note"}
ENTITY_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
               "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
               "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler",
               "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
               "tg-emoji": "custom_emoji"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")
_MENTION = re.compile(r"@[A-Za-z0-9_]{5,32}")


class ApiError(Exception):
    """An error response, shaped as Telegram shapes it."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: plain text and entities, or ApiError as Telegram words it."""
    out: list[str] = []
    length = 0  # UTF-16 length of out
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    i = 0

    def fail(message: str) -> ApiError:
        return bad_request(f"can't parse entities: {message} at byte offset {len(source[:i].encode())}")

    while i < len(source):
        char = source[i]
        if char == "<":
            end = source.find(">", i)
            if source.startswith("</", i):
                if end < 0:
                    raise fail("Unclosed end tag")
                name = source[i + 2:end].strip().lower()
                if not stack:
                    raise fail("Unexpected end tag")
                open_name, start, attrs = stack[-1]
                if name and name != open_name:
                    raise bad_request(
                        f"can't parse entities: Can't find end tag corresponding to start tag \"{open_name}\"")
                stack.pop()
                if length > start:
                    entity: dict[str, Any] = {"type": ENTITY_TAGS[open_name], "offset": start,
                                              "length": length - start}
                    if open_name == "a":
                        entity["url"] = attrs.get("href", "")
                    if open_name == "blockquote" and "expandable" in attrs:
                        entity["type"] = "expandable_blockquote"
                    entities.append(entity)
            else:
                if end < 0:
                    raise fail("Unclosed start tag")
                match = _TAG_NAME.match(source, i + 1)
                name = match.group(0).lower() if match else ""
                if name not in ENTITY_TAGS:
                    raise fail(f'Unsupported start tag "{name}"')
                attrs = _attributes(source[i + 1 + len(name):end])
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise fail('Tag "span" must have class "tg-spoiler"')
                stack.append((name, length, attrs))
            i = end + 1
            continue
        if char == "&":
            match = _ENTITY.match(source, i)
            decoded = _decode_entity(match.group(1)) if match else None
            if decoded is not None:
                out.append(decoded)
                length += utf16_len(decoded)
                i = match.end()
                continue
        out.append(char)
        length += utf16_len(char)
        i += 1
    if stack:
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1][0]}\"")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _decode_entity(name: str) -> str | None:
    if name.startswith("#"):
        try:
            code = int(name[2:], 16) if name[1:2] in "xX" and len(name) > 2 else int(name[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return None
    return NAMED_ENTITIES.get(name)


def _attributes(text: str) -> dict[str, str]:
    attrs = {}
    for match in re.finditer(r'([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\']+)))?', text):
        value = next((g for g in match.groups()[1:] if g is not None), "")
        attrs[match.group(1).lower()] = html.unescape(value)
    return attrs


def _auto_entities(text: str) -> list[dict[str, Any]]:
    """The entities a Telegram client attaches to typed text: a leading command, @mentions."""
    entities = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))})
    for match in _MENTION.finditer(text):
        if command and match.start() < command.end():
            continue
        entities.append({"type": "mention", "offset": utf16_len(text[:match.start()]),
                         "length": utf16_len(match.group(0))})
    return entities


@dataclass
class Call:
    """One request the bot made, as it arrived."""

    method: str
    params: dict[str, str]
    content_type: str
    at: float = field(default_factory=time.monotonic)
    status: int = 0  # the HTTP status it was answered with


class BotApiServer:
    """The fake server. Use as `async with BotApiServer() as server:`; `server.url` is the API root."""

    def __init__(self, token: str = "123456:TEST-token-abcdefghijklmnop",
                 bot_username: str = "quoteqa_test_bot", host: str = "127.0.0.1", port: int = 0):
        self.token = token
        self.host, self.port = host, port
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "QuoteQA",
                         "username": bot_username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.commands: list[dict[str, str]] = []
        self.callback_answers: dict[str, dict[str, str]] = {}
        self.webhook: dict[str, Any] = {"url": "", "secret_token": ""}
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._message_ids: dict[int, itertools.count] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._queries: set[str] = set()
        self._failures: dict[str, list[int]] = {}
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> "BotApiServer":
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Release every waiting long poll, then close the listening socket."""
        self._closing = True
        await self._notify()
        if self._webhook_task:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> "BotApiServer":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ---- the test's side: people and chats -------------------------------------------------

    def user(self, user_id: int, first_name: str = "Ann", username: str | None = None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        return user

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self.chats[chat["id"]] = chat
        return chat

    def group_chat(self, chat_id: int, title: str = "Team") -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup" if chat_id < -10**12 else "group", "title": title}
        self.chats[chat_id] = chat
        return chat

    def send_text(self, chat: dict[str, Any], user: dict[str, Any], text: str,
                  reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        """A person types `text` in `chat`; the update reaches the bot on its next poll."""
        content: dict[str, Any] = {"text": text}
        entities = _auto_entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(chat, user, content, reply_to)

    def send_photo(self, chat: dict[str, Any], user: dict[str, Any], caption: str | None = None) -> dict[str, Any]:
        photo = [{"file_id": f"photo-{size}", "file_unique_id": f"u-photo-{size}", "width": size,
                  "height": size, "file_size": size * 40} for size in (90, 320, 800)]
        content: dict[str, Any] = {"photo": photo}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(chat, user, content)

    def send_sticker(self, chat: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
        sticker = {"file_id": "sticker-1", "file_unique_id": "u-sticker-1", "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False}
        return self._user_message(chat, user, {"sticker": sticker})

    def edit_text(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """The person edits one of their messages; the bot gets an `edited_message` update."""
        edited = dict(message, text=text, edit_date=int(time.time()))
        edited.pop("entities", None)
        if entities := _auto_entities(text):
            edited["entities"] = entities
        self.messages[(message["chat"]["id"], message["message_id"])] = edited
        self._push({"edited_message": _public(edited)})
        return edited

    def press_button(self, message: dict[str, Any], data: str, user: dict[str, Any]) -> str:
        """The person presses an inline button under one of the bot's messages; returns the query id."""
        query_id = str(next(self._query_ids))
        self._queries.add(query_id)
        current = self.messages[(message["chat"]["id"], message["message_id"])]
        self._push({"callback_query": {"id": query_id, "from": user, "data": data,
                                       "chat_instance": f"ci{current['chat']['id']}",
                                       "message": _public(current)}})
        return query_id

    def fail(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` get 429 Too Many Requests with retry_after."""
        self._failures.setdefault(method.lower(), []).extend([retry_after] * times)

    # ---- the test's side: what the bot did -------------------------------------------------

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat, oldest first, as they stand now (edits applied)."""
        return [m for (c, _), m in sorted(self.messages.items())
                if c == chat_id and m["from"]["id"] == self.bot_user["id"]]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method.lower()]

    def failed_calls(self) -> list[Call]:
        """Requests answered with an error (a bot that escapes and splits correctly makes none)."""
        return [c for c in self.calls if c.status >= 400]

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until predicate() is truthy (checked after every request); return its value."""
        async with self._changed:
            try:
                return await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
            except TimeoutError:
                raise AssertionError(f"timed out after {timeout}s waiting for the bot") from None

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        await self.wait_until(lambda: len(self.bot_messages(chat_id)) >= count, timeout)
        return self.bot_messages(chat_id)

    # ---- internals -------------------------------------------------------------------------

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _user_message(self, chat: dict[str, Any], user: dict[str, Any], content: dict[str, Any],
                      reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        self.chats[chat["id"]] = chat
        message = {"message_id": self._next_message_id(chat["id"]), "date": int(time.time()),
                   "chat": chat, "from": user, **content}
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.messages[(chat["id"], message["message_id"])] = message
        self._push({"message": _public(message)})
        return message

    def _push(self, update: dict[str, Any]) -> None:
        self._updates.append({"update_id": next(self._update_ids), **update})
        asyncio.get_running_loop().create_task(self._notify())
        if self.webhook["url"] and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"},
                                     status=401)
        params: dict[str, str] = dict(request.query)
        if request.content_type == "application/json":
            params.update({k: v if isinstance(v, str) else json.dumps(v)
                           for k, v in (await request.json()).items()})
        elif request.method == "POST":
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        call = Call(method, params, request.content_type)
        self.calls.append(call)
        await self._notify()  # a test may be waiting for this call to arrive (e.g. a long poll)
        try:
            failures = self._failures.get(method)
            if failures:
                retry_after = failures.pop(0)
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}",
                               {"retry_after": retry_after})
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as error:
            response = web.json_response(error.body(), status=error.code)
        else:
            response = web.json_response({"ok": True, "result": result})
        call.status = response.status
        await self._notify()
        return response

    # ---- Bot API methods -------------------------------------------------------------------

    async def _api_getme(self, params: dict[str, str]) -> dict[str, Any]:
        return self.bot_user

    async def _api_logout(self, params: dict[str, str]) -> bool:
        return True

    async def _api_close(self, params: dict[str, str]) -> bool:
        return True

    async def _api_getupdates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit = _int(params, "offset", 0), max(1, min(100, _int(params, "limit", 100)))
        timeout = max(0, _int(params, "timeout", 0))
        allowed = json.loads(params["allowed_updates"]) if params.get("allowed_updates") else []
        if offset > 0:  # confirms every update before offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

        def ready() -> list[dict[str, Any]]:
            found = [u for u in self._updates if not allowed or any(k in u for k in allowed)]
            return found[:limit]

        if not ready() and timeout and not self._closing:
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: ready() or self._closing), timeout)
                except TimeoutError:
                    pass
        return [] if self._closing else ready()

    async def _api_setwebhook(self, params: dict[str, str]) -> bool:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token", "")}
        if params.get("drop_pending_updates") in ("true", "True", "1"):
            self._updates.clear()
        return True

    async def _api_deletewebhook(self, params: dict[str, str]) -> bool:
        self.webhook = {"url": "", "secret_token": ""}
        if params.get("drop_pending_updates") in ("true", "True", "1"):
            self._updates.clear()
        return True

    async def _api_getwebhookinfo(self, params: dict[str, str]) -> dict[str, Any]:
        return {"url": self.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    async def _api_setmycommands(self, params: dict[str, str]) -> bool:
        try:
            commands = json.loads(params["commands"])
        except (KeyError, ValueError):
            raise bad_request("can't parse commands JSON object") from None
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")) \
                    or not 1 <= len(command.get("description", "")) <= 256:
                raise bad_request("BOT_COMMAND_INVALID")
        self.commands = commands
        return True

    async def _api_getmycommands(self, params: dict[str, str]) -> list[dict[str, str]]:
        return self.commands

    async def _api_deletemycommands(self, params: dict[str, str]) -> bool:
        self.commands = []
        return True

    async def _api_sendchataction(self, params: dict[str, str]) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _api_sendmessage(self, params: dict[str, str]) -> dict[str, Any]:
        chat = self._chat(params)
        message = {"message_id": 0, "date": int(time.time()), "chat": chat, "from": self.bot_user,
                   **self._content(params)}
        reply_to = None
        if params.get("reply_parameters"):
            reply_to = json.loads(params["reply_parameters"]).get("message_id")
        elif params.get("reply_to_message_id"):
            reply_to = _int(params, "reply_to_message_id", 0)
        if reply_to:
            original = self.messages.get((chat["id"], int(reply_to)))
            if original is None:
                raise bad_request("message to be replied not found")
            message["reply_to_message"] = _public(original, nested=False)
        message["message_id"] = self._next_message_id(chat["id"])
        self.messages[(chat["id"], message["message_id"])] = message
        return _public(message)

    async def _api_editmessagetext(self, params: dict[str, str]) -> dict[str, Any]:
        current = self._message(params)
        content = self._content(params)
        old = {k: current.get(k) for k in ("text", "entities", "reply_markup")}
        new = {k: content.get(k) for k in ("text", "entities", "reply_markup")}
        if old == new:
            raise bad_request("message is not modified: specified new message content and reply "
                              "markup are exactly the same as a current content and reply markup "
                              "of the message")
        edited = {k: v for k, v in current.items() if k not in ("text", "entities", "reply_markup")}
        edited.update(content, edit_date=int(time.time()))
        self.messages[(edited["chat"]["id"], edited["message_id"])] = edited
        return _public(edited)

    async def _api_editmessagereplymarkup(self, params: dict[str, str]) -> dict[str, Any]:
        current = self._message(params)
        markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
        if markup == current.get("reply_markup"):
            raise bad_request("message is not modified: specified new message content and reply "
                              "markup are exactly the same as a current content and reply markup "
                              "of the message")
        edited = {k: v for k, v in current.items() if k != "reply_markup"}
        if markup and markup.get("inline_keyboard"):
            edited["reply_markup"] = markup
        edited["edit_date"] = int(time.time())
        self.messages[(edited["chat"]["id"], edited["message_id"])] = edited
        return _public(edited)

    async def _api_answercallbackquery(self, params: dict[str, str]) -> bool:
        query_id = params.get("callback_query_id", "")
        if query_id not in self._queries or query_id in self.callback_answers:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self.callback_answers[query_id] = params
        return True

    # ---- helpers ---------------------------------------------------------------------------

    def _chat(self, params: dict[str, str]) -> dict[str, Any]:
        try:
            chat = self.chats.get(int(params.get("chat_id", "")))
        except ValueError:
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _message(self, params: dict[str, str]) -> dict[str, Any]:
        chat = self._chat(params)
        message = self.messages.get((chat["id"], _int(params, "message_id", 0)))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        return message

    def _content(self, params: dict[str, str]) -> dict[str, Any]:
        """Text, entities and markup of a send/edit, validated as Telegram validates them."""
        raw = params.get("text", "")
        parse_mode = params.get("parse_mode", "").lower()
        if parse_mode == "html":
            text, entities = parse_html(raw)
        elif parse_mode:
            raise bad_request(f"unsupported parse_mode {params['parse_mode']!r} in this fake")
        else:
            text, entities = raw, []
        if not text.strip():
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        if params.get("reply_markup"):
            markup = json.loads(params["reply_markup"])
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if len(button.get("callback_data", "").encode()) > 64:
                        raise bad_request("BUTTON_DATA_INVALID")
            if markup.get("inline_keyboard"):
                content["reply_markup"] = markup
        content["html"] = raw if parse_mode == "html" else html.escape(raw)
        return content

    async def _deliver_webhook(self) -> None:
        """Push pending updates to the webhook, as Telegram does, until none are left."""
        async with ClientSession(timeout=ClientTimeout(total=5)) as session:
            while self._updates and self.webhook["url"] and not self._closing:
                update = self._updates[0]
                headers = {}
                if self.webhook["secret_token"]:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                try:
                    async with session.post(self.webhook["url"], json=update, headers=headers) as resp:
                        delivered = resp.status == 200
                except OSError:
                    delivered = False
                if delivered:
                    self._updates.remove(update)
                else:
                    await asyncio.sleep(0.05)


def _public(message: dict[str, Any], nested: bool = True) -> dict[str, Any]:
    """The message as Telegram returns it: without the raw HTML this fake keeps for tests."""
    return {k: v for k, v in message.items() if k != "html" and (nested or k != "reply_to_message")}


def _int(params: dict[str, str], name: str, default: int) -> int:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"invalid {name} specified") from None
