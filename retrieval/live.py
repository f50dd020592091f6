"""An engine that follows its documents folder: a background thread polls the files' stamps and,
when they change, builds a new Engine (re-reading only the changed files) and swaps it in.

    live = LiveEngine(settings, interval=5.0)   # opens the engine now, like Engine.open
    live.start()                                # begin watching
    live.engine.ask(question, state)            # always a complete engine, old or new
    live.refresh_now()                          # check at once (e.g. from a /reload command)
    live.stop()

Questions keep being answered by the old engine while the new one builds; the swap is one
attribute assignment, so a caller that took `live.engine` keeps a consistent engine for its whole
question. A failed refresh (a folder emptied, a disk error) is logged and the old engine stays.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from config import Settings
from retrieval import loading
from retrieval.engine import Engine
from retrieval.errors import QuoteqaError
from retrieval.indexing import Progress

logger = logging.getLogger(__name__)


class LiveEngine:
    """Holds the current Engine for settings.docs_dir and replaces it when the folder changes."""

    def __init__(self, settings: Settings, interval: float = 5.0, progress: Progress | None = None,
                 on_swap: Callable[[Engine], None] | None = None) -> None:
        self.settings = settings
        self.interval = interval
        self._on_swap = on_swap
        self._stamps = self._scan()
        self._engine = Engine.open(settings, progress=progress)
        self._refresh_lock = threading.Lock()  # one rebuild at a time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refreshes = 0  # engines swapped in since opening

    @property
    def engine(self) -> Engine:
        """The engine to use for the next question."""
        return self._engine

    def start(self) -> "LiveEngine":
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._watch, name="quoteqa-live-reload", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> "LiveEngine":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def refresh_now(self) -> bool:
        """Rebuild now if the folder changed since the current engine was opened; True if swapped."""
        with self._refresh_lock:
            stamps = self._scan()
            if stamps == self._stamps:
                return False
            try:
                engine = Engine.open(self.settings)
            except QuoteqaError as e:
                logger.warning("keeping the current index: %s", e)
                return False
            self._engine = engine
            self._stamps = stamps
            self.refreshes += 1
        logger.info("index refreshed: %s", engine.stats)
        if self._on_swap is not None:
            self._on_swap(engine)
        return True

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh_now()
            except Exception:  # the watcher must outlive any one failed refresh
                logger.exception("refreshing the index failed; keeping the current one")

    def _scan(self) -> list[loading.FileStamp]:
        try:
            return loading.scan(self.settings.docs_dir)
        except OSError as e:
            logger.warning("cannot scan %s: %s", self.settings.docs_dir, e)
            return []
