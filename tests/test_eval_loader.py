"""Loading fixture files: YAML and JSONL accepted; a malformed case named by file, case id and field."""

import json

import pytest

from bot.evaluation import FixtureError, load_cases

GOOD_CASE = {"id": "feb", "question": "How many in February?", "before": ["How many this week?"],
             "expect": {"quote_contains": ["29 cartel leaders"], "answer": ["29"]}, "tags": ["count"]}


def _yaml(tmp_path, text, name="cases.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_cases_load_with_all_fields(tmp_path):
    path = _yaml(tmp_path, """
- id: feb
  question: How many in February?
  before: ['How many this week?']
  expect:
    quote_contains: ["29 cartel leaders"]
    answer: ["29", twenty-nine]
  tags: [count, date]
- id: none-2019
  question: How many in 2019?
  expect: {abstain: true}
""")
    first, second = load_cases(path)
    assert first.id == "feb" and first.before == ("How many this week?",)
    assert first.quote_contains == ("29 cartel leaders",) and first.answers == ("29", "twenty-nine")
    assert first.tags == ("count", "date") and first.abstain is False
    assert second.abstain is True and second.quote_contains == () and second.tags == ()


def test_single_strings_are_accepted_where_lists_are_expected(tmp_path):
    path = _yaml(tmp_path, "- {id: a, question: 'q?', expect: {quote_contains: some text, answer: '29'}}\n")
    (case,) = load_cases(path)
    assert case.quote_contains == ("some text",) and case.answers == ("29",)


def test_jsonl_cases_load(tmp_path):
    path = tmp_path / "cases.jsonl"
    other = dict(GOOD_CASE, id="other")
    path.write_text(json.dumps(GOOD_CASE) + "\n\n" + json.dumps(other) + "\n", encoding="utf-8")
    assert [c.id for c in load_cases(path)] == ["feb", "other"]


@pytest.mark.parametrize("case_yaml, names", [
    ("- {id: a, expect: {quote_contains: [x]}}", ["case 'a'", "'question'"]),
    ("- {id: a, question: '', expect: {quote_contains: [x]}}", ["case 'a'", "'question'"]),
    ("- {question: 'q?', expect: {quote_contains: [x]}}", ["case #1", "'id'"]),
    ("- {id: a, question: 'q?'}", ["case 'a'", "'expect'"]),
    ("- {id: a, question: 'q?', expect: {answer: ['29']}}", ["case 'a'", "'expect.quote_contains'", "missing"]),
    ("- {id: a, question: 'q?', expect: {quote_contains: []}}", ["case 'a'", "'expect.quote_contains'", "empty"]),
    ("- {id: a, question: 'q?', expect: {quote_contains: [x], answer: [29]}}", ["case 'a'", "'expect.answer'", "29"]),
    ("- {id: a, question: 'q?', expect: {quote_contains: [x], abstain: maybe}}", ["case 'a'", "'expect.abstain'"]),
    ("- {id: a, question: 'q?', expect: {abstain: true, quote_contains: [x]}}", ["case 'a'", "'expect.quote_contains'"]),
    ("- {id: a, question: 'q?', expect: {quote_contain: [x]}}", ["case 'a'", "'expect.quote_contain'"]),
    ("- {id: a, question: 'q?', expect: {quote_contains: [x]}, tag: [count]}", ["case 'a'", "'tag'"]),
    ("- {id: a, question: 'q?', before: [1], expect: {quote_contains: [x]}}", ["case 'a'", "'before'"]),
    ("- {id: a, question: 'q?', expect: {quote_contains: ['  ']}}", ["case 'a'", "'expect.quote_contains'", "empty"]),
    ("- {id: ok, question: 'q?', expect: {abstain: true}}\n- just a string", ["case #2", "mapping"]),
    ("- {id: a, question: 'q?', expect: {abstain: true}}\n- {id: a, question: 'r?', expect: {abstain: true}}",
     ["case 'a'", "'id'", "repeats"]),
])
def test_malformed_case_names_file_case_and_field(tmp_path, case_yaml, names):
    path = _yaml(tmp_path, case_yaml + "\n")
    with pytest.raises(FixtureError) as caught:
        load_cases(path)
    message = str(caught.value)
    assert str(path) in message
    for name in names:
        assert name in message


@pytest.mark.parametrize("text, phrase", [
    ("id: a\nquestion: 'q?'\n", "list of cases"),
    ("- [unclosed\n", "not valid YAML"),
    ("", "list of cases"),
    ("[]\n", "no cases"),
])
def test_malformed_file_is_reported_with_its_name(tmp_path, text, phrase):
    path = _yaml(tmp_path, text)
    with pytest.raises(FixtureError, match=phrase) as caught:
        load_cases(path)
    assert str(path) in str(caught.value)


def test_bad_jsonl_line_is_reported_with_its_number(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(GOOD_CASE) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(FixtureError, match="line 2"):
        load_cases(path)


def test_missing_file_is_a_fixture_error(tmp_path):
    with pytest.raises(FixtureError, match="cannot read"):
        load_cases(tmp_path / "nope.yaml")


def test_fixture_errors_exit_with_code_2():
    assert FixtureError("x").exit_code == 2
