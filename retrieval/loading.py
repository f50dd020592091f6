"""Reading document files: the only module that touches them. Bad files are skipped with a warning."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

logger = logging.getLogger(__name__)

SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf"})
_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass(frozen=True)
class RawDocument:
    """A file's text as read, before splitting; `title` set when the format names one (<title>)."""

    source: str  # path relative to the documents folder, '/'-separated
    text: str
    title: str | None = None


@dataclass(frozen=True)
class FileStamp:
    source: str
    size: int
    mtime_ns: int


def scan(folder: Path) -> list[FileStamp]:
    """Every supported file under `folder`, recursively, in a stable order. Hidden files are left out."""
    stamps = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or path.suffix.lower() not in SUFFIXES:
            continue
        try:
            if not path.is_file():
                continue
            st = path.stat()
        except OSError as e:
            logger.warning("skipping %s: %s", rel.as_posix(), e.strerror or e)
            continue
        stamps.append(FileStamp(rel.as_posix(), st.st_size, st.st_mtime_ns))
    return stamps


def read_document(folder: Path, source: str) -> RawDocument | None:
    """The document's text, or None (with a warning naming the file) when it cannot be used."""
    path = folder / source
    try:
        data = path.read_bytes()
    except OSError as e:
        logger.warning("skipping %s: cannot read it (%s)", source, e.strerror or e)
        return None
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            raw = _read_pdf(source, data)
        else:
            if b"\x00" in data[:8192]:
                logger.warning("skipping %s: it looks like a binary file, not text", source)
                return None
            text = _decode(data)
            raw = _read_html(source, text) if suffix in (".html", ".htm") else RawDocument(source, _read_markdown(text) if suffix in (".md", ".markdown") else text)
    except Exception as e:  # a broken file must never stop the others from loading
        logger.warning("skipping %s: cannot parse it (%s)", source, e)
        return None
    if raw is None or not raw.text.strip():
        logger.warning("skipping %s: it holds no text", source)
        return None
    return raw


def _decode(data: bytes) -> str:
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")  # latin-1 never fails; kept for clarity


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)


def _read_markdown(text: str) -> str:
    """Heading marks are layout, not words; the rest is kept as written."""
    return _MD_HEADING.sub("", text)


class _HTMLText(HTMLParser):
    _BLOCKS = frozenset("p div br li h1 h2 h3 h4 h5 h6 tr blockquote section article header footer pre td th dd dt".split())
    _SKIP = frozenset("script style noscript nav template svg head".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: str | None = None
        self._skipping = 0
        self._in_title = False
        self._heading: list[str] | None = None
        self.first_heading: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skipping += 1
        if tag in self._BLOCKS:
            self.parts.append("\n\n")
        if tag == "h1" and self.first_heading is None:
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP and self._skipping:
            self._skipping -= 1
        if tag in self._BLOCKS:
            self.parts.append("\n\n")
        if tag == "h1" and self._heading is not None:
            self.first_heading = " ".join("".join(self._heading).split()) or None
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = ((self.title or "") + data).strip() or None
        elif not self._skipping:
            self.parts.append(data.replace("\n", " "))
            if self._heading is not None:
                self._heading.append(data)


def _read_html(source: str, text: str) -> RawDocument:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    body = re.sub(r"\n\s*\n(\s*\n)*", "\n\n", "".join(parser.parts)).strip()
    title = parser.title or parser.first_heading
    if title and not body.startswith(title):
        body = f"{title}\n\n{body}"
    return RawDocument(source, body, title)


def _read_pdf(source: str, data: bytes) -> RawDocument:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = [(page.extract_text() or "") for page in reader.pages]
    title = None
    if reader.metadata is not None and reader.metadata.title:
        title = str(reader.metadata.title).strip() or None
    return RawDocument(source, "\n\n".join(pages), title)
