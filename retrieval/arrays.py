"""Arrays written piece by piece into .npy files, so a large build never holds a whole one in memory.

An `ArrayWriter` appends pieces to a file that np.load reads as one array (memory-mapped); with no
path it keeps the pieces in memory instead (a build that could not write to disk). The .npy header
is written last, padded to a fixed size reserved up front, since the length is known only then.
"""

from __future__ import annotations

import errno
import mmap
import os
from pathlib import Path

import numpy as np

_MAGIC = b"\x93NUMPY\x01\x00"
_HEADER_BYTES = 128  # magic + length + dict, padded: room for any 1-D or (n, k) shape


def npy_header(dtype: np.dtype, shape: tuple[int, ...]) -> bytes:
    """A version 1.0 .npy header of exactly _HEADER_BYTES bytes (spaces pad the dict, as numpy does)."""
    d = f"{{'descr': {np.lib.format.dtype_to_descr(np.dtype(dtype))!r}, 'fortran_order': False, 'shape': {shape!r}, }}"
    room = _HEADER_BYTES - len(_MAGIC) - 2
    if len(d) + 1 > room:
        raise ValueError(f"shape {shape} does not fit the reserved .npy header")
    text = d.ljust(room - 1).encode("latin1") + b"\n"
    return _MAGIC + len(text).to_bytes(2, "little") + text


class ArrayWriter:
    """One array of `dtype` (rows of shape `row` when given) built by `append`, ended by `finish`."""

    def __init__(self, path: Path | None, dtype: np.dtype | type, row: tuple[int, ...] = ()) -> None:
        self.path = path
        self.dtype = np.dtype(dtype)
        self.row = row
        self.n = 0  # rows so far
        self._pieces: list[np.ndarray] = []
        self._file = None
        if path is not None:
            self._file = open(path, "wb")
            self._file.write(b"\0" * _HEADER_BYTES)

    def append(self, piece: np.ndarray | bytes | memoryview) -> None:
        a = np.frombuffer(piece, dtype=np.uint8) if isinstance(piece, (bytes, memoryview)) else np.asarray(piece)
        a = np.ascontiguousarray(a, dtype=self.dtype)
        if a.shape[1:] != self.row:
            raise ValueError(f"rows of shape {a.shape[1:]} appended to an array of rows {self.row}")
        if not len(a):
            return
        if self._file is not None:
            self._file.write(a.data.cast("B"))
        else:
            self._pieces.append(a.copy() if not a.flags.owndata else a)
        self.n += len(a)

    def append_slice(self, array: np.ndarray, lo: int, hi: int) -> None:
        """array[lo:hi] appended. From a memory-mapped array of the same type the bytes are copied
        file to file by the kernel, so they are never mapped into (or counted in) this process."""
        span = _file_span(array, lo, hi)
        if span is None or self._file is None or array.dtype != self.dtype or self.row:
            self.append(read_range(array, lo, hi))
            return
        path, offset, size = span
        self._file.flush()
        kernel = hasattr(os, "copy_file_range")
        with open(path, "rb") as src:
            while size:
                done = 0
                if kernel:
                    try:
                        done = os.copy_file_range(src.fileno(), self._file.fileno(), size, offset)
                    except OSError as e:  # not between these files here: copy through memory
                        if e.errno not in (errno.ENOSYS, errno.EXDEV, errno.EINVAL, errno.EOPNOTSUPP):
                            raise
                        kernel = False
                if not kernel:
                    src.seek(offset)
                    done = self._file.write(src.read(min(size, 1 << 24)))
                    self._file.flush()
                if done <= 0:
                    raise OSError(f"{path} ended before its header says")
                offset, size = offset + done, size - done
        self._file.seek(0, os.SEEK_END)
        self.n += hi - lo

    def finish(self) -> np.ndarray:
        """The whole array: memory-mapped from the file (written and closed), or joined in memory."""
        shape = (self.n, *self.row)
        if self._file is None:
            if not self._pieces:
                return np.zeros(shape, dtype=self.dtype)
            return np.concatenate(self._pieces) if len(self._pieces) > 1 else self._pieces[0]
        f, self._file = self._file, None
        try:
            f.seek(0)
            f.write(npy_header(self.dtype, shape))
        finally:
            f.close()
        if self.n == 0:  # a zero-length file cannot be memory-mapped
            return np.load(self.path, allow_pickle=False)
        return np.load(self.path, mmap_mode="r", allow_pickle=False)

    def abort(self) -> None:
        """Close and remove a file that will not be finished."""
        if self._file is not None:
            self._file.close()
            self._file = None
            if self.path is not None:
                Path(self.path).unlink(missing_ok=True)


def write_array(path: Path | None, array: np.ndarray) -> np.ndarray:
    """A whole array at once (the same result as one ArrayWriter with one piece)."""
    array = np.asarray(array)
    w = ArrayWriter(path, array.dtype, array.shape[1:])
    try:
        w.append(array)
    except BaseException:
        w.abort()
        raise
    return w.finish()


def _file_span(array: np.ndarray, lo: int, hi: int) -> tuple[str, int, int] | None:
    """(file, byte offset, byte count) of array[lo:hi] when array is a whole 1-D memory-mapped
    .npy array (as np.load gives), else None."""
    if not (isinstance(array, np.memmap) and isinstance(array.base, mmap.mmap) and array.ndim == 1):
        return None
    if not 0 <= lo <= hi <= len(array):
        raise IndexError(f"range {lo}:{hi} outside an array of {len(array)}")
    size = array.dtype.itemsize
    return array.filename, array.offset + lo * size, (hi - lo) * size


def read_range(array: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """array[lo:hi] as a copy in this process's memory. For a memory map the bytes are read from
    its file, so reading a large array in pieces never maps it all into this process (RSS)."""
    span = _file_span(array, lo, hi)
    if span is None:
        return np.array(array[lo:hi])
    path, offset, size = span
    with open(path, "rb") as f:
        f.seek(offset)
        out = np.fromfile(f, dtype=array.dtype, count=hi - lo)
    if len(out) != hi - lo:
        raise OSError(f"{path} is shorter than its header says")
    return out
