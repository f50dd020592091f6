"""The saved index: round trip, memory-mapped lazy corpus, atomic replacement, unusable caches."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from retrieval import store
from retrieval.errors import IndexCacheError
from retrieval.indexing import fingerprint, open_index
from retrieval import loading
from retrieval.models import Sentence

DOCS = {
    "one.txt": "Rivers\n\nThe river rose two metres overnight. Boats were moved inland.\n\n"
               "Engineers checked the old dam at dawn. It held, they said, but only just.\n",
    "two.txt": "Schools\n\nSchools stayed closed on Thursday because of the flood. Parents were told by text message.\n",
}


def test_saved_index_round_trips_sentences_passages_and_documents(make_docs, settings_for):
    settings = settings_for(make_docs(DOCS))
    built, _ = open_index(settings)
    loaded, cached = open_index(settings)
    assert cached
    assert [s.text for s in loaded.corpus.sentences] == [s.text for s in built.corpus.sentences]
    assert loaded.corpus.sentences[2] == Sentence("Engineers checked the old dam at dawn.", 0, 1, 0)
    assert loaded.corpus.passages[1].n_sentences == 2 and loaded.corpus.passages[2].doc == 1
    assert [d.source for d in loaded.corpus.documents] == ["one.txt", "two.txt"]
    assert loaded.corpus.passage_text(1) == "Engineers checked the old dam at dawn. It held, they said, but only just."


def test_saved_index_is_memory_mapped(make_docs, settings_for):
    settings = settings_for(make_docs(DOCS))
    open_index(settings)
    index, _ = open_index(settings)
    for array in (index.sentence_terms, index.passages.weights, index.sentences.indices,
                  index.corpus.sentences.blob, index.corpus.passages.table):
        assert isinstance(array, np.memmap)


@pytest.mark.parametrize("key", [0, -1, slice(1, 3), slice(None)])
def test_sentence_table_indexes_like_a_tuple(make_docs, settings_for, key):
    index, _ = open_index(settings_for(make_docs(DOCS)))
    sentences = index.corpus.sentences
    as_tuple = tuple(sentences[i] for i in range(len(sentences)))
    assert sentences[key] == as_tuple[key]


def test_sentence_index_out_of_range_raises_index_error(make_docs, settings_for):
    index, _ = open_index(settings_for(make_docs(DOCS)))
    with pytest.raises(IndexError):
        index.corpus.sentences[len(index.corpus.sentences)]


def test_failed_write_leaves_the_previous_index_current(make_docs, settings_for, monkeypatch):
    """The disk fills up while the new build is written: the build is made in memory instead."""
    from retrieval.arrays import ArrayWriter

    docs = make_docs(DOCS)
    settings = settings_for(docs)
    old, _ = open_index(settings)
    old_fp = old.manifest["fingerprint"]
    real_append = ArrayWriter.append

    def disk_full(self, piece):
        if self.path is not None:
            raise OSError(28, "No space left on device")
        return real_append(self, piece)

    def save_fails(*args, **kwargs):
        raise OSError(28, "No space left on device")

    (docs / "three.txt").write_text("Roads\n\nThe coast road reopened after the water receded on Friday.\n")
    monkeypatch.setattr(ArrayWriter, "append", disk_full)
    monkeypatch.setattr(np, "save", save_fails)
    new, cached = open_index(settings)  # builds, fails to save, still answers from memory
    monkeypatch.undo()
    assert not cached and len(new.corpus.documents) == 3
    assert "The coast road reopened after the water receded on Friday." in [s.text for s in new.corpus.sentences]
    assert store.current_manifest(settings.index_dir)["fingerprint"] == old_fp
    assert store.load(settings.index_dir, old_fp) is not None
    assert [p.name for p in settings.index_dir.glob("build-*")] == [(settings.index_dir / "CURRENT").read_text()]


def test_crash_just_before_the_switch_leaves_the_previous_index(make_docs, settings_for, tmp_path):
    """A real process dies (os._exit) after writing every file of the new build but before CURRENT moves."""
    docs = make_docs(DOCS)
    settings = settings_for(docs)
    old, _ = open_index(settings)
    (docs / "three.txt").write_text("Roads\n\nThe coast road reopened after the water receded on Friday.\n")
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from config import load_settings
        from retrieval import indexing, store
        settings = load_settings(env={{"QUOTEQA_CACHE_DIR": {str(settings.cache_dir)!r}}}).with_overrides(
            docs_dir=Path({str(docs)!r}))
        real_replace = os.replace
        def crash(src, dst):
            if str(dst).endswith("CURRENT"):
                os._exit(9)
            real_replace(src, dst)
        store.os.replace = crash
        indexing.open_index(settings)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=str(store.__file__).rsplit("/retrieval/", 1)[0])
    assert result.returncode == 9
    builds = list(settings.index_dir.glob("build-*"))
    assert len(builds) == 2  # the finished-but-never-switched build is there, and ignored
    assert store.current_manifest(settings.index_dir)["fingerprint"] == old.manifest["fingerprint"]
    old_build = settings.index_dir / (settings.index_dir / "CURRENT").read_text()
    index, cached = open_index(settings)  # the next open builds again and switches
    assert not cached and len(index.corpus.documents) == 3
    assert not old_build.exists()  # the replaced build goes; the orphan waits until it is stale


def test_leftover_build_is_removed_once_abandoned(make_docs, settings_for):
    import os
    import time
    settings = settings_for(make_docs(DOCS))
    open_index(settings)
    abandoned = settings.index_dir / "build-abandoned"
    abandoned.mkdir()
    (abandoned / "passages.indptr.npy").write_bytes(b"partial")
    recent = settings.index_dir / "build-inprogress"
    recent.mkdir()
    old = time.time() - 2 * store.STALE_BUILD_SECONDS
    os.utime(abandoned, (old, old))
    open_index(settings, rebuild=True)
    assert not abandoned.exists() and recent.exists()


def test_unknown_format_is_rebuilt_with_a_warning(make_docs, settings_for, caplog):
    settings = settings_for(make_docs(DOCS))
    open_index(settings)
    manifest = settings.index_dir / (settings.index_dir / "CURRENT").read_text() / "manifest.json"
    manifest.write_text('{"format": "quoteqa-index/0"}')
    index, cached = open_index(settings)
    assert not cached and len(index.corpus.documents) == 2
    assert "unknown format" in caplog.text


def test_truncated_array_raises_index_cache_error(make_docs, settings_for):
    settings = settings_for(make_docs(DOCS))
    index, _ = open_index(settings)
    build = settings.index_dir / (settings.index_dir / "CURRENT").read_text()
    np.save(build / "sentence_text.npy", np.zeros(3, dtype=np.uint8))
    with pytest.raises(IndexCacheError):
        store.load(settings.index_dir, index.manifest["fingerprint"])


def test_other_fingerprint_is_not_loaded(make_docs, settings_for):
    settings = settings_for(make_docs(DOCS))
    open_index(settings)
    other = fingerprint(settings.with_overrides(k1=2.0), loading.scan(settings.docs_dir))
    assert store.load(settings.index_dir, other) is None


@pytest.mark.parametrize("dtype,row", [(np.uint8, ()), (np.int64, ()), (np.int32, (4,)), (np.float64, ())])
def test_array_written_in_pieces_loads_as_one_memory_mapped_array(tmp_path, dtype, row):
    from retrieval.arrays import ArrayWriter

    pieces = [np.arange(n * int(np.prod(row, dtype=int)), dtype=dtype).reshape((n, *row)) for n in (3, 0, 5)]
    writer = ArrayWriter(tmp_path / "a.npy", dtype, row)
    for piece in pieces:
        writer.append(piece)
    written = writer.finish()
    assert isinstance(written, np.memmap)
    assert np.array_equal(np.load(tmp_path / "a.npy"), np.concatenate(pieces))
    assert np.array_equal(written, np.concatenate(pieces))


def test_npy_header_has_room_for_the_largest_shapes():
    from retrieval.arrays import npy_header

    assert len(npy_header(np.dtype(np.float64), (2**62,))) == len(npy_header(np.dtype(np.uint8), (0, 4))) == 128


def test_reading_a_range_of_a_memory_map_equals_slicing_it(tmp_path):
    from retrieval.arrays import read_range, write_array

    mapped = write_array(tmp_path / "a.npy", np.arange(1000, dtype=np.int32))
    part = read_range(mapped, 17, 600)
    assert not isinstance(part, np.memmap) and np.array_equal(part, np.arange(17, 600))
    assert np.array_equal(read_range(mapped[100:], 5, 9), np.arange(105, 109))  # a view: sliced, not read


@pytest.mark.parametrize("to_file,kernel_copy", [(True, True), (True, False), (False, True)])
def test_slice_of_a_memory_mapped_array_appends_like_the_slice(tmp_path, monkeypatch, to_file, kernel_copy):
    import errno
    import os

    from retrieval.arrays import ArrayWriter, write_array

    if not kernel_copy:
        def unsupported(*args):
            raise OSError(errno.EXDEV, "cross-device link")
        monkeypatch.setattr(os, "copy_file_range", unsupported)

    source = write_array(tmp_path / "source.npy", np.arange(500, dtype=np.int32))
    writer = ArrayWriter(tmp_path / "out.npy" if to_file else None, np.int32)
    writer.append(np.array([-1, -2], dtype=np.int32))
    writer.append_slice(source, 100, 350)  # copied file to file by the kernel
    writer.append_slice(source, 7, 7)
    writer.append(np.array([-3], dtype=np.int32))
    assert writer.finish().tolist() == [-1, -2, *range(100, 350), -3]
