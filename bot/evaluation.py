"""`quoteqa eval`: ask every fixture case through Engine.ask, as the console and Telegram do, and score it.

A fixture file is a YAML list of cases (or JSONL, one case per line):

    - id: february-count
      question: How many were extradited in February?
      before: []                 # earlier questions in the same chat, asked first
      expect:
        quote_contains: ["sent 29 cartel leaders"]   # any of; the top quote must hold one
        answer: ["29"]           # any of; the short answer (optional)
        abstain: false           # true: the documents do not answer this
      tags: [count]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import yaml

from bot import metrics
from config.settings import Settings
from retrieval.errors import QuoteqaError
from retrieval.models import Answer, ChatState

logger = logging.getLogger(__name__)

PROGRESS_MIN_CASES = 30
_CASE_KEYS = {"id", "question", "before", "expect", "tags"}
_EXPECT_KEYS = {"quote_contains", "answer", "abstain"}
_SPACE = re.compile(r"\s+")


class FixtureError(QuoteqaError):
    """A fixture file cannot be read or a case in it is malformed; the message names file, case and field."""

    exit_code = 2


class EvalUsageError(QuoteqaError):
    """The eval command was given options that do not fit together."""

    exit_code = 2


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    before: tuple[str, ...] = ()
    quote_contains: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    abstain: bool = False
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseResult:
    """What came back for one case, and how it scored."""

    case: Case
    answered: bool
    quotes: tuple[dict[str, Any], ...]  # {"text", "source", "paragraph", "score"}
    answer: str | None
    reason: str
    resolved_question: str
    seconds: float  # the case's own question, not its `before` questions
    rank: int | None  # 1-based rank of the first expected quote; None on a miss or an abstention
    answer_em: float | None  # None when the case expects no short answer
    answer_f1: float | None
    fidelity_errors: tuple[str, ...]
    unchecked_quotes: int = 0

    @property
    def passed(self) -> bool:
        """Answerable: the top quote is right (and the short answer, when one is expected); else it declined."""
        if self.case.abstain:
            return not self.answered
        return self.rank == 1 and self.answer_em != 0.0 and not self.fidelity_errors


# --- loading -------------------------------------------------------------------------------------

def _strings(value: Any, where: str, *, required: bool) -> tuple[str, ...]:
    if value is None:
        if required:
            raise FixtureError(f"{where} is missing")
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise FixtureError(f"{where} must be a string or a list of strings, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, str):
            raise FixtureError(f"{where} must hold strings only, got {item!r} (quote numbers: \"29\")")
        if not item.strip():
            raise FixtureError(f"{where} holds an empty string")
    if required and not value:
        raise FixtureError(f"{where} is empty")
    return tuple(value)


def parse_case(raw: Any, *, file: str, number: int) -> Case:
    """One validated case; `number` is its 1-based position, named when the id itself is at fault."""
    label = f"{file}: case #{number}"
    if not isinstance(raw, dict):
        raise FixtureError(f"{label}: must be a mapping with id, question and expect, got {type(raw).__name__}")
    case_id = raw.get("id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise FixtureError(f"{label}: field 'id' must be a non-empty string")
    label = f"{file}: case '{case_id}'"
    unknown = sorted(set(raw) - _CASE_KEYS)
    if unknown:
        raise FixtureError(f"{label}: unknown field '{unknown[0]}' (fields: {', '.join(sorted(_CASE_KEYS))})")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise FixtureError(f"{label}: field 'question' must be a non-empty string")
    before = _strings(raw.get("before"), f"{label}: field 'before'", required=False)
    tags = _strings(raw.get("tags"), f"{label}: field 'tags'", required=False)
    expect = raw.get("expect")
    if not isinstance(expect, dict):
        raise FixtureError(f"{label}: field 'expect' must be a mapping (quote_contains, answer, abstain)")
    unknown = sorted(set(expect) - _EXPECT_KEYS)
    if unknown:
        raise FixtureError(f"{label}: unknown field 'expect.{unknown[0]}' (fields: {', '.join(sorted(_EXPECT_KEYS))})")
    abstain = expect.get("abstain", False)
    if not isinstance(abstain, bool):
        raise FixtureError(f"{label}: field 'expect.abstain' must be true or false, got {abstain!r}")
    if abstain:
        for key in ("quote_contains", "answer"):
            if expect.get(key):
                raise FixtureError(f"{label}: field 'expect.{key}' cannot be given with abstain: true")
        return Case(id=case_id, question=question, before=before, abstain=True, tags=tags)
    quote_contains = _strings(expect.get("quote_contains"), f"{label}: field 'expect.quote_contains'", required=True)
    answers = _strings(expect.get("answer"), f"{label}: field 'expect.answer'", required=False)
    return Case(id=case_id, question=question, before=before, quote_contains=quote_contains,
                answers=answers, abstain=False, tags=tags)


def _read_raw_cases(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise FixtureError(f"{path}: cannot read fixture file: {e.strerror}") from None
    except UnicodeDecodeError:
        raise FixtureError(f"{path}: fixture file is not UTF-8 text") from None
    if path.suffix.lower() == ".jsonl":
        raw = []
        for line_number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise FixtureError(f"{path}: line {line_number} is not valid JSON: {e.msg}") from None
        return raw
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise FixtureError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(raw, list):
        raise FixtureError(f"{path}: must hold a list of cases, got {type(raw).__name__}")
    return raw


def load_cases(path: Path) -> list[Case]:
    """All cases of a YAML or JSONL fixture file, validated; ids must be unique."""
    raw = _read_raw_cases(path)
    if not raw:
        raise FixtureError(f"{path}: holds no cases")
    cases, seen = [], set()
    for number, item in enumerate(raw, start=1):
        case = parse_case(item, file=str(path), number=number)
        if case.id in seen:
            raise FixtureError(f"{path}: case '{case.id}': field 'id' repeats an earlier case's id")
        seen.add(case.id)
        cases.append(case)
    return cases


# --- running -------------------------------------------------------------------------------------

def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


class SourceTexts:
    """The documents' own plain-text files, whitespace collapsed, to check that every quote is verbatim.

    Only plain text is checked: a quote from Markdown, HTML or PDF is of the loader's extracted text,
    which the raw file does not hold verbatim; such quotes are counted as unchecked.
    """

    CHECKED_SUFFIXES = (".txt",)
    ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")

    def __init__(self, docs_dir: Path):
        self._docs_dir = docs_dir
        self._texts: dict[str, str | None] = {}

    def text(self, source: str) -> str | None:
        """The source's collapsed text, or None when it is not a plain-text file this check reads."""
        if source not in self._texts:
            self._texts[source] = self._read(self._docs_dir / source)
        return self._texts[source]

    def _read(self, path: Path) -> str | None:
        if path.suffix.lower() not in self.CHECKED_SUFFIXES:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return ""  # a quote from a file that is gone cannot be verified: it fails
        for encoding in self.ENCODINGS:
            try:
                return _collapse(data.decode(encoding))
            except UnicodeDecodeError:
                continue
        return ""


def fidelity_check(answer: Answer, sources: SourceTexts) -> tuple[tuple[str, ...], int]:
    """Every quote must occur verbatim (whitespace collapsed) in its source, the short answer in the top quote.

    Returns the errors and how many quotes could not be checked (not plain text).
    """
    errors, unchecked = [], 0
    for quote in answer.quotes:
        text = sources.text(quote.source)
        if text is None:
            unchecked += 1
        elif not quote.text.strip() or _collapse(quote.text) not in text:
            errors.append(f"quote not verbatim in {quote.source}: {quote.text!r}")
    if answer.answer is not None:
        if not answer.quotes:
            errors.append(f"short answer {answer.answer!r} given without a quote")
        elif not answer.answer.strip() or answer.answer not in answer.quotes[0].text:
            errors.append(f"short answer {answer.answer!r} is not in the top quote")
    return tuple(errors), unchecked


def _quote_views(answer: Answer) -> tuple[dict[str, Any], ...]:
    return tuple(quote.to_json() for quote in answer.quotes)


def run_case(engine: Any, case: Case, sources: SourceTexts) -> tuple[CaseResult, list[float]]:
    """Ask the case's `before` questions, then its question, in one chat; return its result and all timings."""
    state = ChatState()
    timings, errors, unchecked = [], [], 0
    for earlier in case.before:
        started = time.perf_counter()
        earlier_answer = engine.ask(earlier, state=state)
        timings.append(time.perf_counter() - started)
        state = earlier_answer.state
        found, skipped = fidelity_check(earlier_answer, sources)
        errors += found
        unchecked += skipped
    started = time.perf_counter()
    answer = engine.ask(case.question, state=state)
    seconds = time.perf_counter() - started
    timings.append(seconds)
    found, skipped = fidelity_check(answer, sources)
    errors += found
    unchecked += skipped
    rank = answer_em = answer_f1 = None
    if not case.abstain:
        shown = [quote.text for quote in answer.quotes] if answer.answered else []
        rank = metrics.first_match_rank(shown, case.quote_contains)
        if case.answers:
            given = answer.answer if answer.answered else None
            answer_em = metrics.exact_match(given, case.answers)
            answer_f1 = metrics.token_f1(given, case.answers)
    result = CaseResult(
        case=case, answered=answer.answered, quotes=_quote_views(answer),
        answer=answer.answer, reason=answer.reason, resolved_question=answer.resolved_question,
        seconds=seconds, rank=rank, answer_em=answer_em, answer_f1=answer_f1,
        fidelity_errors=tuple(errors), unchecked_quotes=unchecked,
    )
    return result, timings


def run_cases(engine: Any, cases: Sequence[Case], docs_dir: Path,
              on_case: Callable[[], None] | None = None) -> tuple[list[CaseResult], list[float]]:
    """Every case in order, each in a fresh chat; also every ask's time (before-questions included)."""
    sources = SourceTexts(docs_dir)
    results, timings = [], []
    for case in cases:
        result, case_timings = run_case(engine, case, sources)
        results.append(result)
        timings.extend(case_timings)
        if on_case is not None:
            on_case()
    return results, timings


# --- scoring -------------------------------------------------------------------------------------

def _scores(results: Sequence[CaseResult]) -> dict[str, Any]:
    answerable = [r for r in results if not r.case.abstain]
    ranks = [r.rank for r in answerable]
    with_answer = [r for r in answerable if r.answer_em is not None]
    abstention = metrics.abstention_scores([not r.answered for r in results], [r.case.abstain for r in results])
    return {
        "cases": len(results),
        "answerable": len(answerable),
        "unanswerable": len(results) - len(answerable),
        "with_short_answer": len(with_answer),
        "passed": metrics.share(r.passed for r in results),
        "quote_at_1": metrics.hit_at_k(ranks, 1),
        "quote_at_3": metrics.hit_at_k(ranks, 3),
        "mrr": metrics.mean_reciprocal_rank(ranks),
        "answer_em": metrics.mean_or_none(r.answer_em for r in with_answer),
        "answer_f1": metrics.mean_or_none(r.answer_f1 for r in with_answer),
        "abstain_accuracy": abstention["accuracy"],
        "abstain_precision": abstention["precision"],
        "abstain_recall": abstention["recall"],
        "false_abstain_rate": abstention["false_abstain_rate"],
        "wrong_answer_rate": metrics.share(r.answered and (r.case.abstain or r.rank != 1) for r in results),
        "fidelity_errors": sum(len(r.fidelity_errors) for r in results),
        "unchecked_quotes": sum(r.unchecked_quotes for r in results),
    }


def _case_json(result: CaseResult) -> dict[str, Any]:
    case = result.case
    return {
        "id": case.id, "question": case.question, "before": list(case.before), "tags": list(case.tags),
        "expect": {"quote_contains": list(case.quote_contains), "answer": list(case.answers), "abstain": case.abstain},
        "answered": result.answered, "answer": result.answer, "reason": result.reason,
        "resolved_question": result.resolved_question, "quotes": list(result.quotes),
        "rank": result.rank, "answer_em": result.answer_em, "answer_f1": result.answer_f1,
        "ms": result.seconds * 1000, "passed": result.passed, "fidelity_errors": list(result.fidelity_errors),
    }


def build_report(results: Sequence[CaseResult], timings: Sequence[float], *, fixtures: str,
                 docs_dir: str, engine_stats: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole run as plain JSON-ready data: overall scores, scores per tag, latency, and every case."""
    by_tag = {tag: _scores([results[i] for i in indices])
              for tag, indices in metrics.group_by_tag([r.case.tags for r in results]).items()}
    return {
        "kind": "fixtures",
        "fixtures": fixtures,
        "docs": docs_dir,
        "overall": _scores(results),
        "latency": metrics.latency_summary(timings),
        "questions_asked": len(timings),
        "by_tag": by_tag,
        "engine": dict(engine_stats or {}),
        "cases": [_case_json(r) for r in results],
    }


THRESHOLDS = (("min_quote1", "quote_at_1", "quote@1"),
              ("min_answer", "answer_em", "answer exact match"),
              ("min_abstain", "abstain_accuracy", "abstention accuracy"))


def gate_failures(report: dict[str, Any], args: argparse.Namespace,
                  thresholds: Iterable[tuple[str, str, str]] = THRESHOLDS) -> list[str]:
    """Why the run fails: a --min-* threshold not met, or any quote that is not verbatim."""
    overall = report["overall"]
    failures = []
    for option, key, label in thresholds:
        minimum = getattr(args, option, None)
        if not metrics.compare_threshold(overall.get(key), minimum):
            value = overall.get(key)
            shown = "n/a" if value is None else f"{value:.3f}"
            failures.append(f"{label} {shown} is below --{option.replace('_', '-')} {minimum}")
    ceiling = getattr(args, "max_wrong", None)
    if ceiling is not None and overall.get("wrong_answer_rate") is not None and overall["wrong_answer_rate"] > ceiling:
        failures.append(f"wrong-answer rate {overall['wrong_answer_rate']:.3f} is above --max-wrong {ceiling}")
    if overall.get("fidelity_errors"):
        failures.append(f"{overall['fidelity_errors']} quote(s) or short answer(s) not verbatim in their source")
    return failures


# --- command -------------------------------------------------------------------------------------

def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `quoteqa eval`."""
    parser.add_argument("fixtures", nargs="?", type=Path, metavar="FIXTURES",
                        help="YAML (or .jsonl) file of questions and what their answers must hold")
    parser.add_argument("--json", action="store_true", help="print one machine-readable JSON report")
    parser.add_argument("--report", type=Path, metavar="FILE", help="also write a self-contained HTML report")
    parser.add_argument("--min-quote1", type=_fraction, metavar="F",
                        help="exit 1 when quote@1 (SQuAD: hit@1) is below F")
    parser.add_argument("--min-answer", type=_fraction, metavar="F",
                        help="exit 1 when short-answer exact match is below F")
    parser.add_argument("--min-abstain", type=_fraction, metavar="F",
                        help="exit 1 when abstention accuracy is below F (fixtures only)")
    parser.add_argument("--max-wrong", type=_fraction, metavar="F",
                        help="exit 1 when the share of questions answered wrongly (a wrong first quote, or any "
                             "answer to an unanswerable question) is above F (fixtures only)")
    parser.add_argument("--squad", type=Path, metavar="FILE",
                        help="run the SQuAD v1.1 open-setting benchmark on FILE instead of a fixture file")
    parser.add_argument("--limit", type=_positive, metavar="N", help="with --squad: ask only the first N questions")


def _open_engine(settings: Settings):
    from retrieval import Engine  # imported here so `quoteqa --help` stays fast

    return Engine.open(settings)


def progress_bar(total: int) -> tuple[Any, Callable[[], None] | None]:
    """A rich progress bar on stderr for runs of more than PROGRESS_MIN_CASES questions, else a no-op.

    Returns (context manager to run inside, advance callable or None).
    """
    if total <= PROGRESS_MIN_CASES:
        return nullcontext(), None
    from rich.console import Console
    from rich.progress import Progress

    progress = Progress(console=Console(stderr=True), transient=True)
    task = progress.add_task("asking", total=total)
    return progress, lambda: progress.advance(task)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the fixture set (or SQuAD), print the report, write HTML if asked; exit 1 when a gate fails."""
    from bot import eval_report

    if args.squad is not None:
        if args.fixtures is not None:
            raise EvalUsageError("give either a FIXTURES file or --squad FILE, not both")
        if args.min_abstain is not None or args.max_wrong is not None:
            raise EvalUsageError("--min-abstain and --max-wrong do not apply to SQuAD (every question is answerable)")
        from bot import squad

        report = squad.run_squad(args.squad, settings, limit=args.limit, progress=progress_bar)
        thresholds = (("min_quote1", "hit_at_1", "hit@1"), ("min_answer", "answer_em", "answer exact match"))
    else:
        if args.fixtures is None:
            raise EvalUsageError("give a FIXTURES file (YAML or JSONL) or --squad FILE")
        if args.limit is not None:
            raise EvalUsageError("--limit applies only with --squad")
        cases = load_cases(args.fixtures)
        engine = _open_engine(settings)
        context, advance = progress_bar(len(cases))
        with context:
            results, timings = run_cases(engine, cases, settings.docs_dir, on_case=advance)
        report = build_report(results, timings, fixtures=str(args.fixtures), docs_dir=str(settings.docs_dir),
                              engine_stats=getattr(engine, "stats", None))
        thresholds = THRESHOLDS
    failures = gate_failures(report, args, thresholds)
    report["failures"] = failures
    if args.report is not None:
        eval_report.write_html(report, args.report)
    if args.json:
        print(eval_report.to_json(report))
    else:
        eval_report.print_report(report)
    return 1 if failures else 0
