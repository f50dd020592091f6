"""The terminal front ends: `quoteqa console` (interactive or piped), `quoteqa ask` and `quoteqa index`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from typing import Iterable, Iterator, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.formatting import HELP_TEXT, RESET_TEXT, reply_markup, reply_text, sources_text
from config import Settings
from retrieval import Answer, ChatState, Engine

COMMANDS = ("help", "reset", "sources", "quit")


@dataclass(frozen=True)
class CommandResult:
    command: str
    reply: str
    state: ChatState
    quit: bool = False


def run_command(line: str, engine: Engine, state: ChatState) -> CommandResult:
    """A line starting with '/' is a command; it never reaches the engine as a question."""
    name = line.strip()[1:].split(maxsplit=1)[0].lower() if line.strip() != "/" else ""
    if name in ("help", "start", "?"):
        return CommandResult("help", HELP_TEXT, state)
    if name == "reset":
        return CommandResult("reset", RESET_TEXT, ChatState())
    if name == "sources":
        return CommandResult("sources", sources_text(engine.documents), state)
    if name in ("quit", "exit", "q"):
        return CommandResult("quit", "Bye.", state, quit=True)
    return CommandResult(name or "unknown", f"Unknown command /{name}. Commands: "
                         + ", ".join(f"/{c}" for c in COMMANDS) + ".", state)


def _open(settings: Settings, err: TextIO | None = None) -> Engine:
    """Open the engine, with a progress bar on the terminal when it has to build the index."""
    console = Console(file=err or sys.stderr)
    if not console.is_terminal:
        return Engine.open(settings)
    with _progress(console) as bar:
        return Engine.open(settings, progress=_progress_callback(bar))


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


def _progress_callback(bar: Progress):
    tasks: dict[str, int] = {}
    started = time.perf_counter()

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:  # a bar only when the work is long enough to watch
            if time.perf_counter() - started < 0.5 and done >= total:
                return
            tasks[stage] = bar.add_task(f"indexing {stage}", total=total)
        bar.update(tasks[stage], completed=done, total=total)
    return report


def _lines(stream: TextIO) -> Iterator[str]:
    for raw in stream:
        line = raw.strip()
        if line:
            yield line


# ---------------------------------------------------------------- console

def run(args: argparse.Namespace, settings: Settings) -> int:
    engine = _open(settings)
    if sys.stdin.isatty() and sys.stdout.isatty():
        return _interactive(engine, settings)
    return _piped(engine, _lines(sys.stdin), sys.stdout)


def _piped(engine: Engine, lines: Iterable[str], out: TextIO) -> int:
    """Same answers as the interactive console, as plain text: one block per question."""
    state = ChatState()
    for line in lines:
        if line.startswith("/"):
            result = run_command(line, engine, state)
            state = result.state
            print(result.reply, file=out, flush=True)
            if result.quit:
                break
        else:
            answer = engine.ask(line, state)
            state = answer.state
            print(f"> {line}\n{reply_text(answer)}\n", file=out, flush=True)
    return 0


def _interactive(engine: Engine, settings: Settings) -> int:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    console = Console()
    try:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        history = FileHistory(str(settings.cache_dir / "console_history"))
    except OSError:
        history = InMemoryHistory()
    session: PromptSession = PromptSession(history=history)
    n = engine.stats["documents"]
    console.print(f"[bold]quoteqa[/bold] — {n} document{'s' if n != 1 else ''}, "
                  f"{engine.stats['sentences']} sentences. Ask a question, or /help.")
    state = ChatState()
    while True:
        try:
            line = session.prompt("? ").strip()
        except KeyboardInterrupt:
            continue  # Ctrl-C clears the line, as in a shell
        except EOFError:
            return 0
        if not line:
            continue
        if line.startswith("/"):
            result = run_command(line, engine, state)
            state = result.state
            console.print(result.reply, markup=False, highlight=False)
            if result.quit:
                return 0
            continue
        answer = engine.ask(line, state)
        state = answer.state
        for part in reply_markup(answer):
            console.print(part, highlight=False)
        console.print()


# ---------------------------------------------------------------- ask

def answer_json(answer: Answer) -> dict:
    return {
        "question": answer.question,
        "answered": answer.answered,
        "answer": answer.answer,
        "quotes": [q.to_json() for q in answer.quotes],
        "reply": reply_text(answer),
    }


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    engine = _open(settings)
    lines = args.questions if args.questions else _lines(sys.stdin)
    state = ChatState()
    out = sys.stdout
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if line.startswith("/"):
            result = run_command(line, engine, state)
            state = result.state
            if args.json:
                out.write(json.dumps({"command": result.command, "reply": result.reply}, ensure_ascii=False) + "\n")
            else:
                out.write(result.reply + "\n\n")
            out.flush()
            if result.quit:
                break
            continue
        answer = engine.ask(line, state)
        state = answer.state
        if args.json:
            out.write(json.dumps(answer_json(answer), ensure_ascii=False) + "\n")
        else:
            out.write(reply_text(answer) + "\n\n")
        out.flush()
    return 0


# ---------------------------------------------------------------- index

def run_index(args: argparse.Namespace, settings: Settings) -> int:
    start = time.perf_counter()
    err = Console(file=sys.stderr)
    if err.is_terminal:
        with _progress(err) as bar:
            engine = Engine.open(settings, progress=_progress_callback(bar), rebuild=args.rebuild)
    else:
        engine = Engine.open(settings, rebuild=args.rebuild)
    s = engine.stats
    how = "reused the saved index" if s["cached"] else "built the index"
    print(f"{how} for {settings.docs_dir}: {s['documents']} documents, {s['passages']} passages, "
          f"{s['sentences']} sentences, {s['terms']} terms in {time.perf_counter() - start:.2f} s "
          f"(saved in {s['index_dir']})")
    return 0
