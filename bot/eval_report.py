"""Rendering an eval report (plain data from bot.evaluation or bot.squad): terminal, JSON, HTML."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bot import metrics

# (key, heading) of the overall figures and of the per-tag columns, for each kind of report.
_OVERALL = {
    "fixtures": [("cases", "cases"), ("answerable", "answerable"), ("unanswerable", "unanswerable"),
                 ("passed", "passed"), ("quote_at_1", "quote@1"), ("quote_at_3", "quote@3"), ("mrr", "MRR"),
                 ("answer_em", "short answer EM"), ("answer_f1", "short answer F1"),
                 ("abstain_accuracy", "abstention accuracy"), ("abstain_precision", "abstention precision"),
                 ("abstain_recall", "abstention recall"), ("false_abstain_rate", "false-abstain rate"),
                 ("wrong_answer_rate", "wrong-answer rate"), ("fidelity_errors", "non-verbatim quotes"), ("unchecked_quotes", "quotes not checked (not .txt)")],
    "squad": [("questions", "questions"), ("documents", "documents"), ("hit_at_1", "hit@1"),
              ("hit_at_3", "hit@3"), ("hit_at_5", "hit@5"), ("mrr", "MRR"), ("answer_em", "short answer EM"),
              ("answer_f1", "short answer F1"), ("abstained", "abstained (all are answerable)"),
              ("fidelity_errors", "non-verbatim quotes"), ("index_seconds", "engine open s (index)"),
              ("run_seconds", "whole run s")],
}
_TAG_COLUMNS = {
    "fixtures": [("cases", "cases"), ("passed", "passed"), ("quote_at_1", "quote@1"),
                 ("answer_em", "answer EM"), ("abstain_accuracy", "abstention acc.")],
    "squad": [("questions", "questions"), ("hit_at_1", "hit@1"), ("hit_at_3", "hit@3"), ("answer_f1", "answer F1")],
}
_CHART = {"fixtures": ("passed", "cases passed, by tag"), "squad": ("hit_at_1", "hit@1, by article")}
_LATENCY = [("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("mean_ms", "mean ms"), ("max_ms", "max ms"),
            ("total_s", "total s")]


def _shown(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def to_json(report: dict[str, Any]) -> str:
    """The report as one JSON document, floats rounded to 4 places."""
    return json.dumps(metrics.round_floats(report), indent=2, ensure_ascii=False)


def missed_cases(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The cases that did not pass, in fixture order (SQuAD: its sample of misses)."""
    if report.get("kind") == "squad":
        return list(report.get("missed", []))
    return [case for case in report.get("cases", []) if not case["passed"]]


def _expected(case: dict[str, Any]) -> str:
    expect = case["expect"]
    if expect.get("abstain"):
        return "decline (not in the documents)"
    text = "quote with: " + " | ".join(expect["quote_contains"])
    if expect.get("answer"):
        text += "\nanswer: " + " | ".join(expect["answer"])
    return text


def _why(case: dict[str, Any]) -> str:
    """In a few words, why a case did not pass."""
    if case["expect"].get("abstain"):
        return "answered, but the documents do not say"
    if not case["answered"]:
        return "declined, but the documents answer it"
    if case.get("fidelity_errors"):
        return "a quote or short answer is not verbatim"
    if case.get("rank") is None:
        return "no expected quote among those given"
    if case["rank"] > 1:
        return f"expected quote only at rank {case['rank']}"
    return "right quote, wrong or missing short answer"


def _got(case: dict[str, Any]) -> str:
    if not case["answered"]:
        return f"declined ({case.get('reason') or 'no reason given'})"
    quotes = case.get("quotes") or []
    text = f"quote 1: {quotes[0]['text']}" if quotes else "no quote"
    if case["expect"].get("answer") or case.get("answer") is not None:
        text += f"\nanswer: {case.get('answer')!s}"
    for error in case.get("fidelity_errors", []):
        text += f"\nFIDELITY: {error}"
    return text


def _title(report: dict[str, Any]) -> str:
    if report.get("kind") == "squad":
        limit = f", first {report['limit']} questions" if report.get("limit") else ""
        return f"SQuAD open setting: {Path(report.get('dataset', '')).name}{limit}"
    return f"quoteqa eval: {Path(report.get('fixtures', '')).name} on {report.get('docs', '')}"


def print_report(report: dict[str, Any], console: Console | None = None) -> None:
    """Figures, per-tag table and missed cases for a person at a terminal."""
    console = console or Console()
    kind = report.get("kind", "fixtures")
    overall = Table(title=_title(report), show_header=True)
    overall.add_column("measure")
    overall.add_column("value", justify="right")
    for key, heading in _OVERALL[kind]:
        overall.add_row(heading, _shown(report["overall"].get(key)))
    for key, heading in _LATENCY:
        overall.add_row(f"latency {heading}", _shown(report["latency"].get(key)))
    console.print(overall)

    tags = Table(title="by tag" if kind == "fixtures" else "by article")
    tags.add_column("tag" if kind == "fixtures" else "article")
    for _, heading in _TAG_COLUMNS[kind]:
        tags.add_column(heading, justify="right")
    for tag, scores in report.get("by_tag", {}).items():
        tags.add_row(tag, *(_shown(scores.get(key)) for key, _ in _TAG_COLUMNS[kind]))
    console.print(tags)

    missed = missed_cases(report)
    if kind == "fixtures":
        console.print(f"[bold]{len(missed)} missed case(s)[/bold]")
        for case in missed:
            console.print(f"[bold red]✗ {case['id']}[/bold red]: {case['question']}  [dim]({_why(case)})[/dim]",
                          highlight=False)
            if case.get("before"):
                console.print(f"  after: {' / '.join(case['before'])}", highlight=False, markup=False)
            console.print("  expected " + _expected(case).replace("\n", "\n  "), highlight=False, markup=False)
            console.print("  got      " + _got(case).replace("\n", "\n  "), highlight=False, markup=False)
    for failure in report.get("failures", []):
        console.print(f"[bold red]FAIL[/bold red] {failure}", highlight=False)


# --- HTML ----------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3}
.fail{color:#b00}
pre{white-space:pre-wrap;margin:0;font-family:inherit}
"""


def _table(headings: list[str], rows: list[list[Any]], css_class: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headings)
    body = []
    for row in rows:
        cells = []
        for value in row:
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            cell = html.escape(_shown(value))
            cells.append(f'<td class="num">{cell}</td>' if numeric else f"<td><pre>{cell}</pre></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def bar_chart_svg(values: dict[str, float | None], title: str) -> str:
    """A horizontal bar chart of shares (0..1), one <rect class="bar"> per label, as inline SVG."""
    row, label_width, bar_width = 22, 190, 360
    height = row * len(values) + 40
    width = label_width + bar_width + 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
             f'role="img" aria-label="{html.escape(title)}">',
             f'<text x="0" y="16" font-weight="bold">{html.escape(title)}</text>']
    for i, (label, value) in enumerate(values.items()):
        y = 28 + i * row
        share = 0.0 if value is None else max(0.0, min(1.0, value))
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{html.escape(label)}</text>')
        parts.append(f'<rect class="bar" data-label="{html.escape(label)}" x="{label_width}" y="{y}" '
                     f'width="{share * bar_width:.1f}" height="{row - 6}" fill="#4a7bd0"/>')
        parts.append(f'<text x="{label_width + share * bar_width + 4:.1f}" y="{y + 14}">{_shown(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: dict[str, Any]) -> str:
    """A self-contained HTML page (no external files or scripts): figures, per-tag table, chart, misses."""
    kind = report.get("kind", "fixtures")
    overall_rows = [[heading, report["overall"].get(key)] for key, heading in _OVERALL[kind]]
    overall_rows += [[f"latency {heading}", report["latency"].get(key)] for key, heading in _LATENCY]
    by_tag = report.get("by_tag", {})
    tag_rows = [[tag, *(scores.get(key) for key, _ in _TAG_COLUMNS[kind])] for tag, scores in by_tag.items()]
    chart_key, chart_title = _CHART[kind]
    sections = [
        f"<h1>{html.escape(_title(report))}</h1>",
        "<h2>Figures</h2>", _table(["measure", "value"], overall_rows, "overall"),
        f"<h2>{'By tag' if kind == 'fixtures' else 'By article'}</h2>",
        bar_chart_svg({tag: scores.get(chart_key) for tag, scores in by_tag.items()}, chart_title),
        _table(["tag" if kind == "fixtures" else "article", *(h for _, h in _TAG_COLUMNS[kind])], tag_rows, "by-tag"),
    ]
    missed = missed_cases(report)
    if kind == "fixtures":
        sections.append(f"<h2>Missed cases ({len(missed)})</h2>")
        rows = [[c["id"], c["question"] + (f"\n(after: {' / '.join(c['before'])})" if c.get("before") else ""),
                 _why(c), _expected(c), _got(c)] for c in missed]
        sections.append(_table(["case", "question", "why", "expected", "got"], rows, "missed"))
    elif missed:
        sections.append(f"<h2>Some missed questions ({len(missed)} shown)</h2>")
        rows = [[m["question"], " | ".join(m["gold"]), m.get("top_quote") or "(declined)", m.get("answer")]
                for m in missed]
        sections.append(_table(["question", "gold answers", "quote 1", "short answer"], rows, "missed"))
    for failure in report.get("failures", []):
        sections.append(f'<p class="fail">FAIL: {html.escape(failure)}</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(_title(report))}</title><style>{_CSS}</style></head>"
            f"<body>{''.join(sections)}</body></html>\n")


def write_html(report: dict[str, Any], path: Path) -> None:
    """Write the HTML report; a folder that does not exist yet is created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_html(report), encoding="utf-8")
