"""Fixtures for the import/export tests: the real export files and command runners."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

DATA = Path(__file__).resolve().parents[1] / "data" / "interchange"
THEME_FILE = DATA / "themeunittestdata.wordpress.xml"
DISQUS_FILE = DATA / "disqus-sample.xml"


@pytest.fixture
def theme_file() -> Path:
    return THEME_FILE


@pytest.fixture
def disqus_file() -> Path:
    return DISQUS_FILE


@pytest.fixture
def run():
    """Run a management command; return what it printed (stdout + stderr)."""

    def run_command(name: str, *args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        call_command(name, *[str(a) for a in args], stdout=out, stderr=err)
        return out.getvalue() + err.getvalue()

    return run_command


@pytest.fixture
def theme_variant(tmp_path):
    """A copy of the Theme Unit Test file with some text replaced."""

    def make(*replacements: tuple[str, str], name: str = "variant.xml") -> Path:
        text = THEME_FILE.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make
