"""LiveEngine: follows the documents folder, swaps in a new engine, keeps answering meanwhile."""

import threading
import time

from retrieval.live import LiveEngine

DOCS = {
    "harbour.txt": "Harbour\n\nThe harbour master counted forty ships on Monday morning. Most of them carried grain.\n",
    "council.txt": "Council\n\nThe council approved a new library budget after a long debate. Critics called it wasteful.\n",
}
ZOO = "Zoo\n\nA zebra escaped from the city zoo on Tuesday and was found grazing in a public park.\n"


def sources(engine) -> list[str]:
    return [d.source for d in engine.documents]


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_refresh_now_swaps_in_an_engine_with_the_added_file(make_docs, settings_for):
    docs = make_docs(DOCS)
    live = LiveEngine(settings_for(docs))
    before = live.engine
    (docs / "zoo.txt").write_text(ZOO)
    assert live.refresh_now()
    assert sources(live.engine) == ["council.txt", "harbour.txt", "zoo.txt"]
    assert sources(before) == ["council.txt", "harbour.txt"]  # an engine in use is never changed
    answer = live.engine.ask("Where was the escaped zebra found?")
    assert answer.quotes and answer.quotes[0].source == "zoo.txt"


def test_refresh_now_without_changes_keeps_the_engine(make_docs, settings_for):
    live = LiveEngine(settings_for(make_docs(DOCS)))
    before = live.engine
    assert not live.refresh_now()
    assert live.engine is before


def test_background_watcher_picks_up_a_removed_file(make_docs, settings_for):
    docs = make_docs(DOCS)
    with LiveEngine(settings_for(docs), interval=0.05) as live:
        (docs / "council.txt").unlink()
        assert wait_for(lambda: sources(live.engine) == ["harbour.txt"])
    assert live.refreshes == 1


def test_emptied_folder_keeps_the_last_good_engine(make_docs, settings_for, caplog):
    docs = make_docs(DOCS)
    live = LiveEngine(settings_for(docs))
    for name in DOCS:
        (docs / name).unlink()
    assert not live.refresh_now()
    assert sources(live.engine) == ["council.txt", "harbour.txt"]
    assert "keeping the current index" in caplog.text


def test_questions_are_answered_throughout_a_refresh(make_docs, settings_for):
    docs = make_docs(DOCS)
    live = LiveEngine(settings_for(docs), interval=0.01).start()
    errors, answered = [], []
    stop = threading.Event()

    def ask_repeatedly():
        while not stop.is_set():
            try:
                answered.append(bool(live.engine.ask("How many ships did the harbour master count?").quotes))
            except Exception as e:  # any failure during the swap is what this test looks for
                errors.append(e)

    asker = threading.Thread(target=ask_repeatedly)
    asker.start()
    try:
        for i in range(3):
            (docs / f"extra{i}.txt").write_text(ZOO.replace("Tuesday", f"day {i}"))
            assert wait_for(lambda: live.refreshes >= i + 1)
        assert wait_for(lambda: len(live.engine.documents) == 5)
    finally:
        stop.set()
        asker.join()
        live.stop()
    assert not errors
    assert answered and all(answered)


def test_stop_ends_the_watcher_thread(make_docs, settings_for):
    live = LiveEngine(settings_for(make_docs(DOCS)), interval=0.05).start()
    thread = live._thread
    live.stop()
    assert thread is not None and not thread.is_alive()
