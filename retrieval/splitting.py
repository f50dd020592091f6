"""Splitting a document's text into header lines, paragraphs and sentences (pure functions).

Sentences are verbatim slices of the paragraph text (only whitespace runs are collapsed), so a
quote can always be found again in its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations after which a period does not end a sentence (lower-cased, without the dot).
_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st mt ft gen col lt capt cmdr sgt maj adm gov sen rep pres supt insp det
rev fr hon messrs mmes mme mlle sra sr srta dra inc ltd co corp bros llc plc dept univ assn est
vs etc al approx ca cf ed eds fig figs no nos vol vols pp op ch sec art para ibid viz resp
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
ave blvd rd hwy sq mtn ste
""".split())
# After an acronym such as "U.S." a sentence ends only when an ordinary sentence opener follows.
_OPENERS = frozenset("""
the a an it he she they we i but and in on this that there these those his her its their our my
mr mrs ms dr if when while as after before then so yet however meanwhile still also
""".split())

_WS = re.compile(r"\s+")
_TERMINAL = ".?!"
_CLOSERS = "\"'\u201d\u2019)]\u00bb"
_OPENERS_PUNCT = "\"'\u201c\u2018([\u00ab\u00bf\u00a1"
# A candidate boundary: terminal punctuation, closing quotes/brackets, whitespace, then a sentence start.
_BOUNDARY = re.compile(
    r"[.?!\u2026]+[" + re.escape(_CLOSERS) + r"]*(?=\s+[" + re.escape(_OPENERS_PUNCT) + r"]*[^\W_])"
)
_WORD_BEFORE = re.compile(r"([^\s" + re.escape(_OPENERS_PUNCT) + r"]+)$")
_NEXT_WORD = re.compile(r"\s+[" + re.escape(_OPENERS_PUNCT) + r"]*([^\s]+)")
_BYLINE = re.compile(r"^(?:by|por|von|par|di|door)\s+\S", re.IGNORECASE)
_BULLET = re.compile(r"^[-\u2013\u2014\u2022*\u00b7]\s+")


def collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences; abbreviations, initials, acronyms and decimals don't split."""
    text = collapse(paragraph)
    if not text:
        return []
    sentences, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if _is_boundary(text, m.start(), m.end()):
            sentences.append(text[start:m.end()].strip())
            start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _is_boundary(text: str, punct_start: int, end: int) -> bool:
    if text[punct_start] != ".":
        return True  # ? ! and ellipses end sentences
    before = _WORD_BEFORE.search(text, max(0, punct_start - 64), punct_start)  # a window, not the whole prefix
    word = before.group(1) if before else ""
    after = _NEXT_WORD.match(text, end)
    next_word = after.group(1) if after else ""
    bare = word.rstrip(".").lower()
    if end - punct_start > 1 and text[punct_start:end].startswith(".."):
        return True  # an ellipsis "..." followed by a capital
    if bare in _ABBREVIATIONS:
        return False
    if len(bare) == 1 and bare.isalpha():
        return False  # an initial: "J. R. R. Tolkien"
    if "." in word:  # a dotted acronym: "U.S.", "a.m."
        return next_word.strip(_OPENERS_PUNCT).lower().rstrip(",") in _OPENERS
    return True


@dataclass(frozen=True)
class Layout:
    """A document's text cut into the parts the loader keeps."""

    header: tuple[str, ...]  # lines before the body (title, byline, date, publication, furniture)
    paragraphs: tuple[str, ...]  # body paragraphs, whitespace collapsed


def _is_prose(line: str) -> bool:
    """A body line: several words ending like a sentence (or a long line)."""
    n_words = len(line.split())
    ends = line.rstrip(_CLOSERS)[-1:] in _TERMINAL + ":;" if line else False
    return (n_words >= 6 and ends) or n_words >= 20


def _blocks(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _paragraphs_of(block: list[str]) -> list[str]:
    """Lines of a block are one paragraph when hard-wrapped, else a paragraph each."""
    if len(block) > 1:
        wrapped = sum(
            1 for ln, nxt in zip(block, block[1:])
            if len(ln) >= 40 and ln.rstrip(_CLOSERS)[-1:] not in _TERMINAL and not _BULLET.match(nxt)
        )
        if wrapped >= max(1, (len(block) - 1 + 1) // 2):
            return [collapse(" ".join(block))]
    return [collapse(ln) for ln in block]


def layout(text: str) -> Layout:
    """Header lines until the first prose paragraph; short trailing furniture ('Comments') dropped."""
    paragraphs = [p for block in _blocks(text) for p in _paragraphs_of(block)]
    first_body = next((i for i, p in enumerate(paragraphs) if i > 0 and _is_prose(p)), None)
    if first_body is None:  # no prose at all: everything after the title is body
        first_body = min(1, len(paragraphs))
    header, body = paragraphs[:first_body], paragraphs[first_body:]
    while body and not _is_prose(body[-1]) and len(body[-1].split()) <= 3:
        body.pop()
    return Layout(header=tuple(header), paragraphs=tuple(body))


def header_fields(header: tuple[str, ...]) -> dict[str, str | None]:
    """Title, byline, date line and publication from the header lines, verbatim where they exist."""
    title = _BULLET.sub("", header[0]) if header else ""
    byline = next((ln for ln in header[1:] if _BYLINE.match(ln)), None)
    lines = [_BULLET.sub("", ln) for ln in header[1:]]
    date = next((ln for ln in lines if _looks_like_date(ln)), None)
    publication = next(
        (_BULLET.sub("", ln) for ln in header[1:] if _BULLET.match(ln) and _has_name(ln)), None
    )
    return {"title": title, "byline": byline, "date": date, "publication": publication}


_MONTHS = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\b",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})\b")


def _looks_like_date(line: str) -> bool:
    if _NUMERIC_DATE.search(line):
        return True
    return bool(_MONTHS.search(line)) and bool(re.search(r"\d", line)) and len(line.split()) <= 6


def _has_name(line: str) -> bool:
    words = _BULLET.sub("", line).split()
    return len(words) >= 2 and sum(w[:1].isupper() for w in words) >= 2 and not re.search(r"\d", line)
