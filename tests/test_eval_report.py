"""The eval report: HTML that a parser can read (tables, one chart bar per tag), JSON, terminal text."""

import json
from html.parser import HTMLParser

import pytest
from rich.console import Console

from bot import eval_report
from bot.evaluation import Case, CaseResult, build_report


def _result(case: Case, *, answered=True, top="", answer=None, rank=None, em=None) -> CaseResult:
    quotes = ({"text": top, "source": "a.txt", "paragraph": 1, "score": 1.0},) if answered else ()
    return CaseResult(case=case, answered=answered, quotes=quotes, answer=answer, reason="" if answered else "weak",
                      resolved_question=case.question, seconds=0.002, rank=rank, answer_em=em,
                      answer_f1=em, fidelity_errors=())


@pytest.fixture
def report():
    feb = Case(id="feb", question="How many in February?", quote_contains=("29 cartel",), answers=("29",),
               tags=("count", "date"))
    week = Case(id="week", question="How many this week?", quote_contains=("26 people",), tags=("count",))
    none = Case(id="none-2019", question="How many in 2019?", abstain=True, tags=("unanswerable",))
    results = [
        _result(feb, top="sent 29 cartel leaders", answer="29", rank=1, em=1.0),
        _result(week, top="sent 29 cartel leaders", rank=None),
        _result(none, top="sent 29 cartel leaders"),
    ]
    return build_report(results, [0.001, 0.002, 0.003], fixtures="cases.yaml", docs_dir="docs")


class _Collector(HTMLParser):
    """Tags seen, with the table each <tr> and <rect> sits in."""

    def __init__(self):
        super().__init__()
        self.stack, self.tables, self.svgs, self.bars, self.rows = [], [], 0, [], {}
        self.table = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = attrs.get("class")
            self.tables.append(self.table)
            self.rows[self.table] = 0
        elif tag == "tr" and self.table:
            self.rows[self.table] += 1
        elif tag == "svg":
            self.svgs += 1
        elif tag == "rect" and attrs.get("class") == "bar":
            self.bars.append(attrs["data-label"])

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None


def _parse(text: str) -> _Collector:
    collector = _Collector()
    collector.feed(text)
    return collector


def test_report_scores_match_the_results(report):
    overall = report["overall"]
    assert overall["quote_at_1"] == 0.5  # feb right, week missed
    assert overall["answer_em"] == 1.0  # only feb expects a short answer
    assert overall["abstain_accuracy"] == pytest.approx(2 / 3)  # feb, week answered rightly; none-2019 should decline
    assert report["by_tag"]["count"]["cases"] == 2 and report["by_tag"]["count"]["quote_at_1"] == 0.5


def test_html_report_is_written_and_holds_the_tables(report, tmp_path):
    path = tmp_path / "out" / "report.html"
    eval_report.write_html(report, path)
    parsed = _parse(path.read_text(encoding="utf-8"))
    assert parsed.tables == ["overall", "by-tag", "missed"]
    assert parsed.rows["by-tag"] == 1 + 3  # header + count, date, unanswerable
    assert parsed.rows["missed"] == 1 + 2  # header + week, none-2019


def test_html_chart_has_one_bar_per_tag(report):
    parsed = _parse(eval_report.to_html(report))
    assert parsed.svgs == 1
    assert parsed.bars == ["count", "date", "unanswerable"]


def test_html_report_is_self_contained_and_escapes_text(report):
    report["cases"][1]["question"] = "<script>alert(1)</script>"
    text = eval_report.to_html(report)
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_bar_width_follows_the_share():
    svg = eval_report.bar_chart_svg({"full": 1.0, "half": 0.5, "none": None}, "t")
    assert 'data-label="full" x="190" y="28" width="360.0"' in svg
    assert 'data-label="half" x="190" y="50" width="180.0"' in svg
    assert 'data-label="none" x="190" y="72" width="0.0"' in svg


def test_json_report_round_trips_with_rounded_floats(report):
    data = json.loads(eval_report.to_json(report))
    assert data["overall"]["abstain_accuracy"] == 0.6667
    assert [c["id"] for c in data["cases"]] == ["feb", "week", "none-2019"]


def test_terminal_report_lists_the_missed_cases_with_why(report):
    console = Console(record=True, width=200)
    eval_report.print_report(report, console)
    text = console.export_text()
    assert "quote@1" in text and "0.500" in text
    assert "2 missed case(s)" in text
    assert "✗ week" in text and "no expected quote among those given" in text
    assert "✗ none-2019" in text and "answered, but the documents do not say" in text
    assert "✗ feb" not in text
