"""One settings object and one pipeline per run; shared options declared once.

The checks on what options add up to (bad values, unknown strategy, ``--no-model``
with a model strategy) live in ``pipeline.run_settings`` alone, so the library,
``summarise run`` and ``summarise eval`` refuse the same things in the same words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer

from summarizer import cli
from summarizer.errors import ConfigError
from summarizer.pipeline import Pipeline, run_settings, summarise

ARTICLE = (
    "date 2025-11-13 Talks\nOfficials met in Paris on Monday. They agreed to meet again on Friday."
)
SHARED = {"base_url", "model", "model_path", "strategy", "prompts", "max_reasks", "strict"}
SHARED |= {"cache_dir", "date", "debug"}


def test_the_run_path_builds_one_pipeline_for_all_its_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    built: list[Pipeline] = []

    class Counted(Pipeline):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(cli, "Pipeline", Counted)
    src = tmp_path / "news.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": f"d{i}", "text": ARTICLE.split("\n", 1)[1]}) + "\n" for i in range(3)
        ),
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as info:
        cli.main([str(src), "--no-model", "-f", "jsonl", "--date", "2025-11-13"])
    assert info.value.code == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["document_id"] for r in results] == ["d0", "d1", "d2"]
    assert {r["publication_date"] for r in results} == {"2025-11-13"}
    assert len(built) == 1


def test_no_model_with_a_model_strategy_is_refused_alike_by_library_and_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = "--no-model runs the rules strategy, not --strategy single"
    with pytest.raises(ConfigError, match=message):
        summarise(ARTICLE, no_model=True, strategy="single")
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        cli.main([str(path), "--no-model", "--strategy", "single"])
    assert info.value.code == 2 and message in capsys.readouterr().err
    assert run_settings(no_model=True, strategy="rules").strategy == "rules"


def test_settings_over_a_settings_object_keep_what_is_not_given() -> None:
    base = run_settings(model="m", max_reasks=1)
    assert run_settings(base, max_reasks=None, strict=True).model_dump() == {
        **base.model_dump(),
        "strict": True,
    }
    with pytest.raises(ConfigError, match="--max-reasks"):
        run_settings(base, max_reasks=-1)


def test_shared_options_have_one_help_text_in_every_command() -> None:
    group: Any = typer.main.get_command(cli.app)  # typer's own click: read it by its attributes
    batch = group.commands["batch"]
    commands = [group.commands["run"], group.commands["eval"]]
    commands += [batch.commands["export"], batch.commands["import"]]
    texts: dict[str, set[str | None]] = {}
    for command in commands:
        for param in command.params:
            if param.name in SHARED:
                texts.setdefault(param.name, set()).add(getattr(param, "help", None))
    assert set(texts) == SHARED
    assert {name: helps for name, helps in texts.items() if len(helps) > 1} == {}
