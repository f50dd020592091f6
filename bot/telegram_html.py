"""Telegram HTML for answers: quotes in blockquotes, the short answer in bold, a source line.

Every piece of document or user text goes through `html.escape`, so nothing a document or a
question contains can break the markup. Telegram allows 4,096 UTF-16 code units per message,
counted after entities are parsed; `split_html` cuts longer replies at sentence boundaries and
closes and reopens tags around each cut, so no part is ever split inside a tag.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence

from retrieval.models import Answer, Document, Quote, Sentence

MAX_MESSAGE = 4096

_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")
_EMPTY_ELEMENT = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^>]*)?>(\s*)</\1>")
# A break after a sentence end (possibly followed by an escaped or typographic closing quote),
# or at a newline. Cuts go right after the whitespace, so every part but the last ends a sentence.
_SENTENCE_BREAK = re.compile(
    r"(?:(?<=[.!?…])|(?<=[.!?…]&quot;)|(?<=[.!?…]&#x27;)|(?<=[.!?…][”’»)\]]))\s+|\n\s*")
_ATOM = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);|.", re.S)  # an escaped entity or a character


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def visible_length(markup: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text after tags and entities."""
    text = html.unescape(_TAG.sub("", markup))
    return len(text.encode("utf-16-le")) // 2


def quote_html(quote: Quote) -> str:
    """One quote in a blockquote, its short answer in bold, then where it comes from."""
    text = quote.text
    span = quote.answer_span
    if span and 0 <= span[0] < span[1] <= len(text):
        start, end = span
        body = f"{esc(text[:start])}<b>{esc(text[start:end])}</b>{esc(text[end:])}"
    else:
        body = esc(text)
    return f"<blockquote>{body}</blockquote>\n{source_line(quote.title, quote.source, quote.paragraph)}"


def source_line(title: str, source: str, paragraph: int) -> str:
    """Worded as the console's source line (bot.formatting), the title in italics."""
    where = f"paragraph {paragraph}" if paragraph > 0 else "header"
    return f"— <i>{esc(title)}</i> ({esc(source)}, {where})"


def answer_html(answer: Answer, not_found: str, shown: int | None = None) -> str:
    """The reply to a question: the first `shown` quotes (all when None), or the not-found text."""
    if not answer.answered or not answer.quotes:
        return esc(not_found)
    return quotes_html(answer.quotes[:shown] if shown else answer.quotes)


def quotes_html(quotes: Sequence[Quote]) -> str:
    return "\n\n".join(quote_html(q) for q in quotes)


def context_html(sentences: Sequence[Sentence], quoted: int, title: str, source: str,
                 paragraph: int) -> str:
    """The sentences around a quote (`quoted` is its place in `sentences`, underlined)."""
    parts = [f"<u>{esc(s.text)}</u>" if i == quoted else esc(s.text) for i, s in enumerate(sentences)]
    return f"<blockquote>{' '.join(parts)}</blockquote>\n{source_line(title, source, paragraph)}"


def sources_html(documents: Iterable[Document]) -> str:
    lines = [f"• <b>{esc(d.title)}</b> — {esc(d.source)} ({d.n_passages} paragraphs)" for d in documents]
    return "\n".join(lines) if lines else "No documents are loaded."


def split_html(markup: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut `markup` into messages of at most `limit` visible UTF-16 units each.

    Cuts fall at sentence ends or newlines; only a sentence longer than a whole message is cut
    between words (or, failing that, between characters). Tags open at a cut are closed at the
    end of one part and reopened at the start of the next.
    """
    if len(markup.encode("utf-16-le")) // 2 <= limit:
        # Short enough as written (tags and entities only shrink it), so nothing would be cut:
        # the one part `_split` would make, without measuring it sentence by sentence.
        open_tags: list[tuple[str, str]] = []
        for token in _TAG.split(markup):
            if token.startswith("<"):
                _follow(open_tags, token)
        part = _closed(markup, open_tags)
        return [part] if visible_length(part) > 0 else []
    return _split(markup, limit)


def _split(markup: str, limit: int) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    used = 0
    open_tags: list[tuple[str, str]] = []  # (name, the opening tag as written)

    def cut() -> None:
        nonlocal current, used
        part = _closed("".join(current), open_tags)
        if visible_length(part) > 0:
            parts.append(part)
        current = [tag for _, tag in open_tags]
        used = 0

    for token in _TAG.split(markup):
        if not token:
            continue
        if token.startswith("<"):
            _follow(open_tags, token)
            current.append(token)
            continue
        for piece in _pieces(token, limit):
            size = visible_length(piece)
            if used + size > limit and used > 0:
                cut()
                piece = piece.lstrip()
                size = visible_length(piece)
            current.append(piece)
            used += size
    cut()
    return parts


def _follow(open_tags: list[tuple[str, str]], tag: str) -> None:
    """Update the stack of open tags (name, opening tag as written) past `tag`."""
    match = _TAG_NAME.match(tag)
    name = match.group(1).lower() if match else ""
    if tag.startswith("</"):
        if open_tags and open_tags[-1][0] == name:
            open_tags.pop()
    else:
        open_tags.append((name, tag))


def _closed(markup: str, open_tags: list[tuple[str, str]]) -> str:
    """One part: `markup` with the tags still open closed, and empty elements dropped."""
    closing = "".join(f"</{name}>" for name, _ in reversed(open_tags))
    return _drop_empty_elements(markup.rstrip() + closing).strip()


def _pieces(text: str, limit: int) -> Iterator[str]:
    """Escaped text as sentences (or newline-ended lines), each within `limit`."""
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        yield from _fit(text[start:match.end()], limit)
        start = match.end()
    if start < len(text):
        yield from _fit(text[start:], limit)


def _fit(sentence: str, limit: int) -> Iterator[str]:
    """A sentence longer than a message, cut between words, else between characters."""
    if visible_length(sentence) <= limit:
        yield sentence
        return
    chunk, size = "", 0
    for word in re.findall(r"\S+\s*|\s+", sentence):
        word_size = visible_length(word)
        if word_size > limit:  # one "word" longer than a message: cut between characters
            for atom in _ATOM.findall(word):
                atom_size = visible_length(atom)
                if size + atom_size > limit:
                    yield chunk
                    chunk, size = "", 0
                chunk, size = chunk + atom, size + atom_size
            continue
        if size + word_size > limit:
            yield chunk
            chunk, size = "", 0
        chunk, size = chunk + word, size + word_size
    if chunk:
        yield chunk


def _drop_empty_elements(markup: str) -> str:
    while True:
        reduced = _EMPTY_ELEMENT.sub(r"\2", markup)
        if reduced == markup:
            return markup
        markup = reduced
