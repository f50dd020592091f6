"""The `quoteqa` command line: console, ask, index, telegram, eval.

User-facing errors are QuoteqaError (or ConfigError) values raised below; they become one
"Error: ..." line on stderr and a non-zero exit code here, and nowhere else.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from config import ConfigError, Settings, load_settings
from retrieval import QuoteqaError

logger = logging.getLogger("quoteqa")

# Subcommands owned by other front-end modules: (module, help); each has add_arguments() and run().
_PLUGGED = {
    "telegram": ("bot.telegram_app", "run the Telegram bot (long polling, or --webhook)"),
    "eval": ("bot.evaluation", "score answers against a fixture set or SQuAD"),
}
_PACKAGE_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docs", metavar="DIR", type=Path,
                        help="documents folder (default: seeds/, or $QUOTEQA_DOCS)")
    parser.add_argument("--config", metavar="FILE", type=Path,
                        help="a TOML config file (default: $QUOTEQA_CONFIG, then built-in defaults)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (to stderr)")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand. Given the `command` about to run, the other front ends'
    modules are not imported (the Telegram one alone takes a quarter of a second): their
    subcommands are still listed, with their own options left out."""
    parser = argparse.ArgumentParser(
        prog="quoteqa",
        description="Ask questions about a folder of documents; answers are sentences quoted verbatim.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("console", help="chat with the documents in the terminal",
                       description="Interactive chat with line editing and history. "
                                   "When stdin is not a terminal, reads one question per line.")
    _add_common(p)
    p.set_defaults(handler=_lazy("bot.console", "run"))

    p = sub.add_parser("ask", help="answer questions given as arguments or stdin lines",
                       description="Answers each QUESTION, or each line of stdin when none is given "
                                   "(stdin lines are one conversation).")
    _add_common(p)
    p.add_argument("--json", action="store_true", help="one JSON object per question, line by line")
    p.add_argument("questions", nargs="*", metavar="QUESTION")
    p.set_defaults(handler=_lazy("bot.console", "run_ask"))

    p = sub.add_parser("index", help="build or refresh the saved index and say what it holds")
    _add_common(p)
    p.add_argument("--rebuild", action="store_true", help="rebuild from scratch even if unchanged")
    p.set_defaults(handler=_lazy("bot.console", "run_index"))

    for name, (module, help_text) in _PLUGGED.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_common(p)
        if command is not None and command != name:
            p.set_defaults(handler=_lazy(module, "run"))
            continue
        try:
            importlib.import_module(module).add_arguments(p)
        except ImportError as e:  # a front end whose optional parts are missing stays listed
            p.set_defaults(handler=_missing(name, e))
            continue
        p.set_defaults(handler=_lazy(module, "run"))
    return parser


def _lazy(module: str, func: str) -> Callable[[argparse.Namespace, Settings], int]:
    def call(args: argparse.Namespace, settings: Settings) -> int:
        run = getattr(importlib.import_module(module), func)
        _settle_gc()
        return run(args, settings)
    return call


YOUNG_OBJECTS = 10_000  # new objects between two collections of the youngest generation (Python's default: 700)


def _settle_gc() -> None:
    """Once every module is imported: what exists now lives as long as the process, so the garbage
    collector stops walking it (gc.freeze), and it collects after YOUNG_OBJECTS new objects, not
    700: one answer makes thousands of short-lived ones. Together 2.0% fewer instructions a SQuAD
    question (callgrind, 600 questions: 13.38 -> 13.11 M)."""
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])


def _missing(name: str, error: ImportError) -> Callable[[argparse.Namespace, Settings], int]:
    def call(args: argparse.Namespace, settings: Settings) -> int:
        raise QuoteqaError(f"the {name} command is not available: {error}")
    return call


def resolve_settings(args: argparse.Namespace, env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    settings = load_settings(getattr(args, "config", None), env)
    if getattr(args, "docs", None) is not None:
        settings = settings.with_overrides(docs_dir=args.docs)
    elif not env.get("QUOTEQA_DOCS") and not settings.docs_dir.is_absolute() \
            and not settings.docs_dir.exists() and settings.docs_dir == Path("seeds") and _PACKAGE_SEEDS.is_dir():
        settings = settings.with_overrides(docs_dir=_PACKAGE_SEEDS)  # run from outside the checkout
    return settings


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # polling would flood the log (and URLs hold the token)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken PDF gets our one warning, not pypdf's many


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(next((a for a in argv if not a.startswith("-")), None))
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        settings = resolve_settings(args)
        return int(args.handler(args, settings) or 0)
    except ConfigError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2
    except QuoteqaError as e:
        print(f"Error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `quoteqa ask ... | head` closed the pipe: not an error
        sys.stderr.close()
        return 0
    except Exception as e:  # the last line of defence: one line, not a traceback
        logger.debug("unexpected failure", exc_info=True)
        print(f"Error: {type(e).__name__}: {e} (run with -v for details)", file=sys.stderr)
        if args.verbose:
            raise
        return 1


if __name__ == "__main__":
    sys.exit(main())
