"""Shared fixtures: small corpora written to tmp_path, settings pointing at them, the seed article."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_d6364650917e31b6.txt"


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def make_docs(tmp_path: Path) -> Callable[..., Path]:
    """Write {relative name: text or bytes} into a fresh folder and return it."""
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes]) -> Path:
        folder = tmp_path / f"docs{next(counter)}"
        folder.mkdir()
        for name, content in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    return make


@pytest.fixture
def settings_for(cache_dir: Path) -> Callable[..., Settings]:
    def make(docs: Path, **overrides) -> Settings:
        base = load_settings(env={"QUOTEQA_CACHE_DIR": str(cache_dir)})
        return base.with_overrides(docs_dir=docs, **overrides)

    return make


@pytest.fixture
def cli_env(cache_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUOTEQA_", "TELEGRAM_"))}
    env.update(QUOTEQA_CACHE_DIR=str(cache_dir), NO_PROXY="127.0.0.1,localhost", PYTHONIOENCODING="utf-8")
    return env


@pytest.fixture
def run_cli(cli_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    """Run `python -m bot ...` as a subprocess, the way a user runs quoteqa."""

    def run(*args: str, input: str | None = None, cwd: Path = ROOT, env: dict | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot", *args], input=input, capture_output=True,
                              text=True, cwd=cwd, env=env or cli_env, timeout=timeout)

    return run
