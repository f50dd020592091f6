"""Building and refreshing the index: per-file cache, incremental equals full, progress, fast terms."""

import logging
from pathlib import Path

import numpy as np
import pytest

from retrieval import loading
from retrieval.corpus import TermCache
from retrieval.errors import NoDocumentsError
from retrieval.indexing import open_index
from retrieval.text import Analyzer


def article(title: str, *paragraphs: str) -> str:
    return "\n\n".join([title, *paragraphs]) + "\n"


FILES = {
    "a.txt": article("Harbour news", "The harbour master counted forty ships on Monday morning. Most of them carried grain.",
                     "Fishermen said the catch of herring was the best in years. Prices fell at the market."),
    "b.txt": article("City council", "The council approved a new library budget after a long debate. Critics called it wasteful.",
                     "The mayor said the library would open in the spring of next year."),
    "sub/c.md": article("# Weather", "Heavy rain flooded the valley road for the third time this month. Drivers were stranded."),
}


@pytest.fixture
def reads(monkeypatch):
    """Which files loading.read_document was asked for (a spy around the real function)."""
    calls: list[str] = []
    real = loading.read_document

    def spy(folder, source):
        calls.append(source)
        return real(folder, source)

    monkeypatch.setattr(loading, "read_document", spy)
    return calls


def sentence_texts(index) -> list[str]:
    return [s.text for s in index.corpus.sentences]


def test_second_open_reuses_the_saved_index(make_docs, settings_for, reads):
    settings = settings_for(make_docs(FILES))
    _, cached = open_index(settings)
    index, cached_again = open_index(settings)
    assert (cached, cached_again) == (False, True)
    assert sorted(reads) == sorted(FILES)
    assert "The mayor said the library would open in the spring of next year." in sentence_texts(index)


def test_changed_file_is_the_only_one_read_again(make_docs, settings_for, reads):
    docs = make_docs(FILES)
    settings = settings_for(docs)
    open_index(settings)
    reads.clear()
    (docs / "b.txt").write_text(article("City council", "The council rejected the library budget by seven votes to two."))
    index, cached = open_index(settings)
    assert not cached and reads == ["b.txt"]
    texts = sentence_texts(index)
    assert "The council rejected the library budget by seven votes to two." in texts
    assert not any("approved" in t for t in texts)


def test_added_file_is_the_only_one_read(make_docs, settings_for, reads):
    docs = make_docs(FILES)
    settings = settings_for(docs)
    open_index(settings)
    reads.clear()
    (docs / "d.txt").write_text(article("Zoo", "A zebra escaped from the city zoo and was found grazing in a park."))
    index, _ = open_index(settings)
    assert reads == ["d.txt"]
    assert [d.source for d in index.corpus.documents] == ["a.txt", "b.txt", "d.txt", "sub/c.md"]


def test_removed_file_is_dropped_without_reading_any(make_docs, settings_for, reads):
    docs = make_docs(FILES)
    settings = settings_for(docs)
    open_index(settings)
    reads.clear()
    (docs / "a.txt").unlink()
    index, _ = open_index(settings)
    assert reads == []
    assert [d.source for d in index.corpus.documents] == ["b.txt", "sub/c.md"]
    assert not any("herring" in t for t in sentence_texts(index))


def assert_same_index(a, b):
    """Same documents, texts, tokens and BM25 postings, comparing terms by their text: a refresh
    keeps the previous build's term ids (and unused terms of removed files) where a build would not."""
    assert sentence_texts(a) == sentence_texts(b)
    assert list(a.corpus.passages) == list(b.corpus.passages)
    assert a.corpus.documents == b.corpus.documents
    assert [a.vocab[t] for t in a.sentence_terms] == [b.vocab[t] for t in b.sentence_terms]
    a_ids = {t: i for i, t in enumerate(a.vocab)}
    for name in ("passages", "sentences"):
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(x.doc_len, y.doc_len)
        for term, j in ((t, j) for j, t in enumerate(b.vocab)):
            i = a_ids[term]
            assert np.array_equal(x.indices[x.indptr[i]:x.indptr[i + 1]], y.indices[y.indptr[j]:y.indptr[j + 1]])
            assert np.array_equal(x.weights[x.indptr[i]:x.indptr[i + 1]], y.weights[y.indptr[j]:y.indptr[j + 1]])
        assert x.indptr[-1] == y.indptr[-1]


def test_refreshed_index_equals_a_full_rebuild(make_docs, settings_for, cache_dir, tmp_path):
    docs = make_docs(FILES)
    settings = settings_for(docs)
    open_index(settings)
    (docs / "b.txt").write_text(article("City council", "The harbour council rejected a new herring tax on Friday."))
    (docs / "e.txt").write_text(article("Port", "Forty ships left the harbour before the storm arrived on Friday."))
    (docs / "a.txt").unlink()
    refreshed, _ = open_index(settings)
    fresh, _ = open_index(settings.with_overrides(cache_dir=tmp_path / "other-cache"))
    assert refreshed.manifest["postings"] == "counted"  # new documents hold most tokens: counted afresh
    assert_same_index(refreshed, fresh)
    assert refreshed.manifest["unused_terms"] > 0  # a.txt's words, until a full rebuild


def test_refresh_takes_unchanged_documents_from_the_previous_build(make_docs, settings_for, reads):
    docs = make_docs(FILES)
    settings = settings_for(docs)
    open_index(settings)
    for entry in (settings.index_dir / "files").iterdir():
        entry.unlink()  # no per-file cache: unchanged files can only come from the saved index
    (docs / "d.txt").write_text(article("Zoo", "A zebra escaped from the city zoo and was found grazing in a park."))
    reads.clear()
    index, _ = open_index(settings)
    assert reads == ["d.txt"]
    assert "Fishermen said the catch of herring was the best in years." in sentence_texts(index)


def test_rebuild_reads_every_file_again(make_docs, settings_for, reads):
    settings = settings_for(make_docs(FILES))
    open_index(settings)
    reads.clear()
    _, cached = open_index(settings, rebuild=True)
    assert not cached and sorted(reads) == sorted(FILES)


def test_corrupt_file_cache_entry_is_read_again(make_docs, settings_for, reads, caplog):
    settings = settings_for(make_docs(FILES))
    open_index(settings)
    for entry in (settings.index_dir / "files").iterdir():
        entry.write_bytes(b"not a cache file")
    (settings.index_dir / "CURRENT").unlink()  # no saved index to take documents from
    reads.clear()
    with caplog.at_level(logging.WARNING):
        index, _ = open_index(settings)
    assert sorted(reads) == sorted(FILES)
    assert "herring" in " ".join(sentence_texts(index))


def test_progress_reports_files_and_passages(make_docs, settings_for):
    events = []
    open_index(settings_for(make_docs(FILES)), progress=lambda stage, done, total: events.append((stage, done, total)))
    assert [e for e in events if e[0] == "files"] == [("files", i, 3) for i in (0, 1, 2, 3)]
    passages = [e for e in events if e[0] == "passages"]
    assert passages[-1] == ("passages", 5, 5)
    assert all(a[1] <= b[1] for a, b in zip(passages, passages[1:]))


def test_folder_without_documents_raises(make_docs, settings_for):
    with pytest.raises(NoDocumentsError):
        open_index(settings_for(make_docs({"notes.bin": b"\x00"})))


HOSTILE = [
    "The U.S. and the UK signed it at 10 a.m.; NATO and the UN did not.",
    "THE PRESIDENT OF THE US SAID THE NFL WOULD PAY $1,000,000 TO THE UN.",
    "Méndez met MENDEZ in São Paulo — “quoted” and ‘single’ marks, naïve café.",
    "IBM's CEO, the FBI-led probe and the AFC/NFC split (NFL) in 2016.",
    "US-BASED NFL-TEAMS ARE LOUD",
    "THE NFL AND ESA ab",  # six in seven letters are capitals: shouting
    "THE NFL AND ESA abc",  # exactly four in five: not shouting
    "Ⓐ Ⓑ Ⓒ ⅫⅫ the UN met",
    "mixed CASE And Shouting WORDS like OK, TV and AI in 3.5 hours",
    "Straße ΣΊΣΥΦΟΣ İstanbul ﬁnance ⅻ ①",
    "   ",
    "",
    "no.dots.here but e.g. and i.e. U.N.-backed 1,234.56 12:30 4,5,6",
]


@pytest.mark.parametrize("language", ["english", "german"])
def test_term_cache_equals_the_analyzer(language):
    analyzer = Analyzer(language)
    cache = TermCache(Analyzer(language))
    for text in HOSTILE * 2:  # the second round comes from the cache
        assert cache.terms(text) == analyzer.terms(text), text


def test_saved_index_equals_bm25_over_the_analyzers_terms_of_each_text(make_docs, settings_for):
    """An independent path: analyse every sentence and passage text afresh and build BM25 from lists."""
    from retrieval.bm25 import BM25Index

    open_index(settings_for(make_docs(FILES)))
    index, _ = open_index(settings_for(make_docs(FILES)))
    analyzer = Analyzer("english")
    ids = {t: i for i, t in enumerate(index.vocab)}
    corpus = index.corpus
    per_sentence = [[ids[t] for t in analyzer.terms(s.text)] for s in corpus.sentences]
    per_passage = [sum(per_sentence[p.first_sentence:p.first_sentence + p.n_sentences], []) for p in corpus.passages]
    assert index.sentence_terms.tolist() == sum(per_sentence, [])
    for built, lists in ((index.passages, per_passage), (index.sentences, per_sentence)):
        expected = BM25Index.build(lists, len(ids))
        assert np.array_equal(built.indptr, expected.indptr) and np.array_equal(built.indices, expected.indices)
        assert np.allclose(built.weights, expected.weights, rtol=0, atol=1e-12)


def test_parsing_in_worker_processes_gives_the_same_index(make_docs, settings_for, tmp_path):
    from retrieval import indexing

    many = {f"f{i:03d}.txt": article(f"Note {i}", f"Report {i} says the harbour held {i} ships and {i % 7} barges.",
                                      "The NFL and the UN met the U.S. delegation at 10 a.m. on Friday.")
            for i in range(indexing.PARALLEL_MIN_FILES + 6)}
    docs = make_docs(many)
    parallel, _ = open_index(settings_for(docs), workers=2)
    serial, _ = open_index(settings_for(docs).with_overrides(cache_dir=tmp_path / "serial"), workers=1)
    assert_same_index(parallel, serial)


def _many_small(n_extra: int) -> dict[str, str]:
    from retrieval import indexing

    return {f"f{i:03d}.txt": article(f"Note {i}", f"Report {i} says the harbour held {i} ships.")
            for i in range(indexing.PARALLEL_MIN_FILES + n_extra)}


def _two_large() -> dict[str, str]:
    from retrieval import indexing

    paragraph = "The harbour held many ships. " * (indexing.PARALLEL_MIN_BYTES // 2 // 29 + 1)
    return {f"big{i}.txt": article(f"Note {i}", paragraph) for i in range(2)}


@pytest.mark.parametrize("files", [_many_small(2), _two_large()], ids=["many small files", "two large files"])
def test_failed_worker_processes_fall_back_to_parsing_here(files, make_docs, settings_for, tmp_path):
    """A script read from stdin, with a thread running, cannot be re-imported by a fork server.
    (That the fallback runs also shows the files were sent to worker processes first.)"""
    import subprocess
    import sys
    import textwrap

    from retrieval import indexing

    n = len(files)
    docs = make_docs(files)
    script = textwrap.dedent(f"""
        import threading
        from pathlib import Path
        from config import load_settings
        from retrieval.indexing import open_index
        threading.Thread(target=threading.Event().wait, args=(30,), daemon=True).start()
        settings = load_settings(env={{"QUOTEQA_CACHE_DIR": {str(tmp_path / "c")!r}}}).with_overrides(
            docs_dir=Path({str(docs)!r}))
        index, _ = open_index(settings, workers=2)
        print(len(index.corpus.documents))
    """)
    result = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True,
                            cwd=str(Path(indexing.__file__).parent.parent))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == str(n)
    assert "continuing in this process" in result.stderr


def many_files(n: int) -> dict[str, str]:
    words = ["harbour", "council", "library", "herring", "storm", "bridge", "market", "valley", "school", "grain"]
    return {f"f{i:02d}.txt": article(f"Report {i}", f"The {words[i % 10]} report {i} counted {i} ships and a {words[(i * 3) % 10]}.",
                                     f"Later the {words[(i + 1) % 10]} stayed calm near the {words[(i * 7) % 10]}.")
            for i in range(n)}


def test_refresh_merges_postings_and_equals_a_full_rebuild(make_docs, settings_for, tmp_path):
    docs = make_docs(many_files(12))
    settings = settings_for(docs)
    open_index(settings)
    (docs / "f03b.txt").write_text(article("Inserted", "A zebra crossed the harbour bridge during the storm."))
    (docs / "f07.txt").write_text(article("Changed", "The school closed its library for the winter."))
    (docs / "f10.txt").unlink()
    refreshed, _ = open_index(settings)
    fresh, _ = open_index(settings.with_overrides(cache_dir=tmp_path / "other-cache"))
    assert refreshed.manifest["postings"] == "merged" and fresh.manifest["postings"] == "counted"
    assert_same_index(refreshed, fresh)
    for name in ("passages", "sentences"):  # N and avgdl changed with the new documents
        assert getattr(refreshed, name).n_docs == getattr(fresh, name).n_docs


def test_refresh_leaves_an_index_in_use_unchanged(make_docs, settings_for):
    """An engine still answering from the old build keeps seeing exactly the old arrays."""
    docs = make_docs(many_files(6))
    settings = settings_for(docs)
    old, _ = open_index(settings)
    arrays = {name: np.array(getattr(old, name).weights) for name in ("passages", "sentences")}
    texts = sentence_texts(old)
    (docs / "f02b.txt").write_text(article("Inserted", "A zebra crossed the harbour bridge during the storm."))
    new, _ = open_index(settings)
    assert new.manifest["postings"] == "merged" and len(new.corpus.documents) == 7
    for name, before in arrays.items():
        assert np.array_equal(getattr(old, name).weights, before)
    assert sentence_texts(old) == texts


def test_cache_entry_truncated_after_its_header_is_read_again(make_docs, settings_for, reads):
    settings = settings_for(make_docs(FILES))
    open_index(settings)
    (settings.index_dir / "CURRENT").unlink()  # no saved index: documents come from the per-file cache
    for entry in (settings.index_dir / "files").iterdir():
        data = entry.read_bytes()
        entry.write_bytes(data[:data.index(b"\n", data.index(b"\n") + 1) + 10])  # header intact, body cut
    reads.clear()
    index, _ = open_index(settings)
    assert sorted(reads) == sorted(FILES)
    assert "Fishermen said the catch of herring was the best in years." in sentence_texts(index)
