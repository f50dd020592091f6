"""The saved index: a folder of NumPy arrays plus JSON (no pickle), written atomically.

Format "quoteqa-index/3" (bump FORMAT on any change; an index of another format is rebuilt):

    <index_dir>/CURRENT                    name of the live build folder, replaced atomically
    <index_dir>/<build>/manifest.json      format, fingerprint of files + settings, analyzer version,
                                           statistics, unused_terms, files: [[source, size, mtime_ns]]
    <index_dir>/<build>/documents.json     [[source, title, byline, date, publication,
                                             first_passage, n_passages], ...]
    <index_dir>/<build>/vocab.json         term list; a term's id is its position
    <index_dir>/<build>/passage_table.npy  int32 (n_passages, 4): doc, number, first_sentence, n_sentences
    <index_dir>/<build>/sentence_passage.npy      int32 per sentence: its passage
    <index_dir>/<build>/sentence_text.npy         uint8: every sentence's UTF-8 text, back to back
    <index_dir>/<build>/sentence_text_offsets.npy int64, n_sentences + 1: byte offsets into it
    <index_dir>/<build>/sentence_terms.npy        int32: every sentence's term ids, back to back
    <index_dir>/<build>/sentence_offsets.npy      int64, n_sentences + 1: offsets into it
    <index_dir>/<build>/{passages,sentences}.*    BM25 over passages and over sentences (bm25.py),
                                           term counts included so a refresh can reweigh them
    <index_dir>/files/<key>.qqf            per-file cache of parsed documents (FileCache)

Every array is memory-mapped on load and sentences are decoded only when asked for, so opening an
index costs about the same at a thousand sentences as at millions. A refresh keeps the previous
build's term ids and appends new terms; terms only removed files used stay in vocab.json with no
postings ("unused_terms") until a full rebuild.

Writing: a new build folder is filled (a build writes its arrays there as it makes them, never
touching an older build's files) and fsynced, then CURRENT is replaced (os.replace) and fsynced.
A reader follows CURRENT, so a crash at any point leaves the previous index in use. The build it
replaced is then removed; any other leftover folder once it is an hour old (until then
another process may still be writing it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from retrieval.bm25 import ARRAYS, BM25Index
from retrieval.corpus import Corpus, ParsedFile, PassageTable, SentenceTable
from retrieval.errors import IndexCacheError
from retrieval.loading import FileStamp
from retrieval.models import Document

logger = logging.getLogger(__name__)

FORMAT = "quoteqa-index/3"
FILE_CACHE_FORMAT = "quoteqa-file/2"
STALE_BUILD_SECONDS = 3600  # an unfinished build folder this old belongs to no live writer


@dataclass(frozen=True)
class StoredIndex:
    corpus: Corpus
    vocab: list[str]
    passages: BM25Index
    sentences: BM25Index
    sentence_terms: np.ndarray  # int32, all sentences' term ids back to back
    sentence_offsets: np.ndarray  # int64, n_sentences + 1
    manifest: dict


def _each(action: Callable[[Path], None], paths: list[Path]) -> None:
    """`action` on every path from a few threads: the disk takes several flushes or file
    deletions at once about twice as fast as one after another."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in pool.map(action, paths):
            pass


def _remove(build: Path) -> None:
    """Remove a build folder (its files in parallel); anything that cannot go is left."""
    try:
        _each(lambda p: p.unlink(missing_ok=True), [p for p in build.iterdir() if not p.is_dir()])
    except OSError:
        pass
    shutil.rmtree(build, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_build(index_dir: Path) -> Path:
    """A fresh, empty build folder (not current until `save` switches to it)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    build = index_dir / f"build-{uuid.uuid4().hex[:12]}"
    build.mkdir()
    return build


def _stored_at(array: np.ndarray, path: Path) -> bool:
    """Whether `array` is already the memory map of `path` (staged), so need not be written."""
    return (isinstance(array, np.memmap) and array.filename is not None
            and Path(array.filename).resolve() == path.resolve())


def save(index_dir: Path, index: StoredIndex, build: Path | None = None) -> Path:
    """Write `index` as a new build and make it current; returns the build folder. `build` is a
    folder from `new_build` where some arrays were already staged; those are not written again."""
    build = build or new_build(index_dir)
    try:
        _write(build, index)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)  # never current: nothing refers to it
        raise
    try:
        replaced = (index_dir / "CURRENT").read_text().strip()
    except OSError:
        replaced = None
    pointer = index_dir / f"CURRENT.{build.name}"
    pointer.write_text(build.name)
    _fsync(pointer)
    os.replace(pointer, index_dir / "CURRENT")
    _fsync(index_dir)
    _remove_old_builds(index_dir, keep=build.name, replaced=replaced)
    return build


def _write(build: Path, index: StoredIndex) -> None:
    """Every file of the build, fsynced (arrays already staged there are kept as they are)."""
    corpus = index.corpus
    sentences = corpus.sentences
    passages = corpus.passages
    if not isinstance(sentences, SentenceTable) or not isinstance(passages, PassageTable):
        raise TypeError("only an assembled corpus (PassageTable, SentenceTable) can be saved")
    written = []
    for name in ("passages", "sentences"):
        bm25 = getattr(index, name)
        if _stored_at(bm25.weights, build / f"{name}.weights.npy"):
            written += [build / f"{name}.{field}.npy" for field in ARRAYS] + [build / f"{name}.json"]
        else:
            written += bm25.save(build, name)
    arrays = {
        "passage_table": passages.table,
        "sentence_passage": sentences.passage,
        "sentence_text": sentences.blob,
        "sentence_text_offsets": sentences.offsets,
        "sentence_terms": index.sentence_terms,
        "sentence_offsets": index.sentence_offsets,
    }
    for name, array in arrays.items():
        path = build / f"{name}.npy"
        if not _stored_at(array, path):
            np.save(path, np.asarray(array), allow_pickle=False)
        written.append(path)
    docs = [[d.source, d.title, d.byline, d.date, d.publication, d.first_passage, d.n_passages]
            for d in corpus.documents]
    texts = {"documents.json": docs, "vocab.json": index.vocab, "manifest.json": index.manifest}
    for name, value in texts.items():
        (build / name).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        written.append(build / name)
    _each(_fsync, written)
    _fsync(build)


def _remove_old_builds(index_dir: Path, keep: str, replaced: str | None) -> None:
    """The build just replaced goes at once; any other only once it is old enough to be abandoned
    (another process may be writing it, or about to make it current). Open memory maps of
    removed files stay valid, so engines still answering from an old build are unaffected."""
    now = time.time()
    for old in index_dir.glob("build-*"):
        if old.name == keep:
            continue
        try:
            if old.name == replaced or now - old.stat().st_mtime > STALE_BUILD_SECONDS:
                _remove(old)
        except OSError:
            continue
    for pointer in index_dir.glob("CURRENT.build-*"):
        if now - pointer.stat().st_mtime > STALE_BUILD_SECONDS:
            pointer.unlink(missing_ok=True)


def current_manifest(index_dir: Path) -> dict | None:
    """The manifest of the current build, or None when there is none or it cannot be read."""
    try:
        build = index_dir / (index_dir / "CURRENT").read_text().strip()
        return json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load(index_dir: Path, fingerprint: str | None) -> StoredIndex | None:
    """The saved index if it was built from the same files and settings (any, for fingerprint
    None); None if there is none.

    Raises IndexCacheError when something is there but cannot be used (corrupt, foreign, partial).
    """
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    try:
        build = index_dir / pointer.read_text().strip()
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise IndexCacheError(f"the index in {index_dir} has an unknown format")
        if fingerprint is not None and manifest.get("fingerprint") != fingerprint:
            return None
        a = {name: np.load(build / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in (
            "passage_table", "sentence_passage", "sentence_text", "sentence_text_offsets",
            "sentence_terms", "sentence_offsets")}
        documents = tuple(Document(*row) for row in json.loads((build / "documents.json").read_text("utf-8")))
        vocab = json.loads((build / "vocab.json").read_text(encoding="utf-8"))
        passages = BM25Index.load(build, "passages")
        sentences = BM25Index.load(build, "sentences")
        table = PassageTable(a["passage_table"].reshape(-1, 4))
        corpus = Corpus(documents, table, SentenceTable(a["sentence_text"], a["sentence_text_offsets"],
                                                        a["sentence_passage"], table))
    except IndexCacheError:
        raise
    except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
        raise IndexCacheError(f"the index in {index_dir} is unreadable ({type(e).__name__}: {e})") from None
    n_sentences = len(a["sentence_passage"])
    if (passages.n_docs != len(table) or sentences.n_docs != n_sentences
            or len(a["sentence_offsets"]) != n_sentences + 1 or len(a["sentence_text_offsets"]) != n_sentences + 1
            or passages.n_terms > len(vocab) or int(a["sentence_offsets"][-1]) != len(a["sentence_terms"])
            or int(a["sentence_text_offsets"][-1]) != len(a["sentence_text"])):
        raise IndexCacheError(f"the index in {index_dir} is inconsistent")
    return StoredIndex(corpus, vocab, passages, sentences, a["sentence_terms"], a["sentence_offsets"], manifest)


class FileCache:
    """Parsed documents kept per file, keyed by path and checked against size, mtime and the
    analyzer, so a refresh re-reads only files that were added or changed.

    One file per document, `<key>.qqf`: a line "quoteqa-file/2", a line of JSON (stamp, analyzer,
    document fields, and the dtype and length of each part), then the parts' raw bytes in order:
    passage_numbers, passage_sizes, text_offsets, tokens, token_offsets, the vocabulary as UTF-8
    lines, the sentence texts as UTF-8. Read with one read() and zero-copy array views.
    """

    _ARRAYS = ("passage_numbers", "passage_sizes", "text_offsets", "tokens", "token_offsets")

    def __init__(self, folder: Path, analyzer_key: str) -> None:
        self.folder = folder
        self.analyzer_key = analyzer_key

    def _path(self, source: str) -> Path:
        return self.folder / f"{hashlib.sha1(source.encode('utf-8')).hexdigest()[:24]}.qqf"

    def _stamp(self, stamp: FileStamp) -> dict:
        return {"analyzer": self.analyzer_key, "source": stamp.source, "size": stamp.size, "mtime_ns": stamp.mtime_ns}

    def has(self, stamp: FileStamp) -> bool:
        """Whether a parse of this exact file version is cached (reads only the entry's header)."""
        try:
            with open(self._path(stamp.source), "rb") as f:
                magic, header = f.readline(), f.readline()
            if magic.rstrip(b"\n").decode() != FILE_CACHE_FORMAT:
                return False
            meta = json.loads(header)
            return {k: meta.get(k) for k in self._stamp(stamp)} == self._stamp(stamp)
        except (OSError, ValueError, AttributeError):
            return False

    def get(self, stamp: FileStamp) -> ParsedFile | None:
        """The cached parse of this exact file version, or None."""
        path = self._path(stamp.source)
        try:
            data = path.read_bytes()
            magic, header, body = data.split(b"\n", 2)
            if magic.decode() != FILE_CACHE_FORMAT:
                return None
            meta = json.loads(header)
            if {k: meta.get(k) for k in self._stamp(stamp)} != self._stamp(stamp):
                return None
            parts, pos = {}, 0
            for name, dtype, n in meta["parts"]:
                size = n if dtype == "bytes" else np.dtype(dtype).itemsize * n
                if pos + size > len(body):
                    raise ValueError("truncated")
                parts[name] = body[pos:pos + n] if dtype == "bytes" else np.frombuffer(body, dtype, n, pos)
                pos += size
            vocab = parts.pop("vocab").decode("utf-8")
            return ParsedFile(document=Document(**meta["document"]), text_blob=parts.pop("text_blob"),
                              vocab=vocab, **parts)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
            logger.warning("ignoring the cached parse of %s (%s)", stamp.source, e)
            return None

    def put(self, stamp: FileStamp, parsed: ParsedFile) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        d = parsed.document
        chunks = [np.ascontiguousarray(getattr(parsed, name)) for name in self._ARRAYS]
        raw = [(parsed.vocab or "").encode("utf-8"), parsed.text_blob]
        parts = [[name, c.dtype.str, len(c)] for name, c in zip(self._ARRAYS, chunks)]
        parts += [["vocab", "bytes", len(raw[0])], ["text_blob", "bytes", len(raw[1])]]
        meta = self._stamp(stamp) | {"parts": parts, "document": {
            "source": d.source, "title": d.title, "byline": d.byline, "date": d.date,
            "publication": d.publication, "first_passage": 0, "n_passages": d.n_passages}}
        path = self._path(stamp.source)
        tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(FILE_CACHE_FORMAT.encode() + b"\n" + json.dumps(meta, ensure_ascii=True).encode() + b"\n")
                for c in chunks:
                    f.write(c.tobytes())
                for r in raw:
                    f.write(r)
            os.replace(tmp, path)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            logger.warning("cannot cache the parse of %s (%s)", stamp.source, e.strerror or e)

    def keep_only(self, stamps: Iterable[FileStamp]) -> None:
        """Forget files that are no longer in the folder."""
        keep = {self._path(s.source).name for s in stamps}
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
