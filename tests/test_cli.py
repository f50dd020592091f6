"""The command line as users run it: a subprocess, its stdout, stderr and exit code."""

import json
import subprocess
import sys

import pytest

QUESTION = "how many were extradited in February?"


def test_every_command_has_help(run_cli) -> None:
    for command in ["console", "ask", "index", "telegram", "eval"]:
        result = run_cli(command, "--help")
        assert result.returncode == 0, result.stderr
        assert "--docs" in result.stdout


def test_piped_console_prints_the_february_quote_with_its_source(run_cli) -> None:
    result = run_cli("console", input=QUESTION + "\n")
    assert result.returncode == 0, result.stderr
    assert "sent 29 cartel leaders to the United States in February" in result.stdout
    assert "000_d6364650917e31b6.txt, paragraph 2" in result.stdout


def test_piped_console_commands(run_cli) -> None:
    result = run_cli("console", input="/help\n/sources\n/reset\n/quit\nnever asked\n")
    assert result.returncode == 0
    assert "/reset" in result.stdout and "000_d6364650917e31b6.txt" in result.stdout
    assert "Conversation cleared" in result.stdout and "never asked" not in result.stdout


def test_ask_and_console_do_not_load_the_telegram_front_end(cli_env) -> None:
    """Only the command that runs has its module imported: python-telegram-bot alone took a quarter
    of a second of every `quoteqa ask` and `make chat` start."""
    code = ("import sys; from bot.cli import main; main(['ask', '--json', 'how many were extradited?']); "
            "print('telegram loaded' if 'telegram' in sys.modules else 'telegram not loaded')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "telegram not loaded"


def test_ask_over_a_saved_index_does_not_load_what_only_a_build_needs(cli_env) -> None:
    """scipy.sparse (0.1 s to import) counts postings while an index is built; answering over the
    saved index needs none of it."""
    code = ("import sys; from bot.cli import main; main(['ask', '--json', 'how many were extradited?']); "
            "print('scipy loaded' if 'scipy.sparse' in sys.modules else 'scipy not loaded')")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env, timeout=120)
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env, timeout=120)
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert first.stdout.splitlines()[-1] == "scipy loaded"  # (the first run built the index)
    assert again.stdout.splitlines()[-1] == "scipy not loaded"


def test_python_dash_m_bot_is_the_same_program(run_cli) -> None:
    assert run_cli("--help").returncode == 0


def test_ask_json_prints_one_object_per_line_with_the_contract_fields(run_cli) -> None:
    result = run_cli("ask", "--json", input=f"{QUESTION}\n\n/reset\nWhat is the capital of France?\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # the blank input line gives nothing
    first, command, unanswered = (json.loads(line) for line in lines)
    assert set(first) == {"question", "answered", "answer", "quotes", "reply"}
    assert first["question"] == QUESTION and first["answered"] is True
    assert set(first["quotes"][0]) == {"text", "source", "paragraph", "score"}
    assert "29 cartel leaders" in first["quotes"][0]["text"]
    assert isinstance(first["quotes"][0]["paragraph"], int) and isinstance(first["quotes"][0]["score"], float)
    assert first["quotes"][0]["text"] in first["reply"]
    assert command == {"command": "reset", "reply": "Conversation cleared. Ask me anything about the documents."}
    assert unanswered["answered"] is False and unanswered["quotes"] == []
    assert "not in the documents" in unanswered["reply"]


def test_ask_answers_each_argument(run_cli) -> None:
    result = run_cli("ask", "--json", QUESTION, "Who is Claudia Sheinbaum?")
    assert [json.loads(line)["question"] for line in result.stdout.splitlines()] == [QUESTION, "Who is Claudia Sheinbaum?"]


def test_ask_plain_prints_the_reply(run_cli) -> None:
    result = run_cli("ask", QUESTION)
    assert "29 cartel leaders" in result.stdout and not result.stdout.startswith("{")


def test_docs_option_and_environment_pick_the_folder(run_cli, make_docs, cli_env) -> None:
    folder = make_docs({"lake.txt": "Lake notes\n\nThe lake froze over in the first week of January.\n"})
    by_flag = run_cli("ask", "--json", "--docs", str(folder), "when did the lake freeze?")
    assert json.loads(by_flag.stdout)["quotes"][0]["source"] == "lake.txt"
    by_env = run_cli("ask", "--json", "when did the lake freeze?", env={**cli_env, "QUOTEQA_DOCS": str(folder)})
    assert json.loads(by_env.stdout)["quotes"][0]["source"] == "lake.txt"


def test_index_reports_what_it_holds_then_reuses_it(run_cli) -> None:
    first = run_cli("index")
    assert first.returncode == 0, first.stderr
    assert "built the index" in first.stdout and "1 documents, 16 passages, 32 sentences" in first.stdout
    assert "reused the saved index" in run_cli("index").stdout


def test_broken_file_is_skipped_with_a_warning_and_the_rest_answers(run_cli, make_docs) -> None:
    folder = make_docs({"good.txt": "Notes\n\nThe orchard gave three tonnes of apples this autumn.\n",
                        "bad.txt": b"\x00\x01binary\x00"})
    result = run_cli("ask", "--json", "--docs", str(folder), "how many apples?")
    assert result.returncode == 0
    assert "bad.txt" in result.stderr and "warning" in result.stderr
    assert json.loads(result.stdout)["answered"] is True


@pytest.mark.parametrize("files", [{}, {"empty.txt": ""}, {"image.txt": b"\x89PNG\x00\x00"}])
def test_no_usable_document_is_one_error_line_and_exit_2(run_cli, make_docs, files) -> None:
    result = run_cli("ask", "--docs", str(make_docs(files)), "anything?")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr


def test_missing_folder_and_bad_usage_exit_2(run_cli, tmp_path) -> None:
    assert run_cli("ask", "--docs", str(tmp_path / "nope"), "x").returncode == 2
    assert run_cli("frobnicate").returncode == 2
    assert run_cli("ask", "--no-such-flag").returncode == 2


def test_bad_config_file_exits_2_with_its_name(run_cli, tmp_path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[documents\nlanguage=")
    result = run_cli("ask", "--config", str(config), "x")
    assert result.returncode == 2 and "bad.toml" in result.stderr


def test_corrupt_cache_is_rebuilt_with_a_warning(run_cli, cache_dir) -> None:
    run_cli("index")
    for manifest in cache_dir.rglob("manifest.json"):
        manifest.write_text("\x00garbage")
    result = run_cli("ask", "--json", QUESTION)
    assert result.returncode == 0
    assert "rebuilding" in result.stderr
    assert json.loads(result.stdout)["answered"] is True
