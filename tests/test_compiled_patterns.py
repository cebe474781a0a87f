"""Patterns are compiled once, at import: a run asks ``re`` to compile nothing.

``re`` keeps 512 compiled patterns; a pattern built per call, or more distinct ones
than that, is compiled again and again. Module functions such as ``re.search(p, s)``
go through that cache on every call, so the modules listed here use compiled
patterns only. ``summary`` still has one per-call pattern (``pruning``) and is
counted and printed for the record, not checked here.
"""

from __future__ import annotations

import json
import os
import re
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from support.paths import REPO

from summarizer import render
from summarizer.evaluation import metrics
from summarizer.pipeline import Pipeline
from summarizer.schemas import Document
from summarizer.settings import Settings

WIKINEWS = REPO / "eval" / "datasets" / "wikinews.jsonl"
CHECKED = (
    "summarizer/grounding.py",
    "summarizer/render.py",
    "summarizer/chunking.py",
    "summarizer/strategies/",
    "summarizer/backends/",
    "summarizer/evaluation/",
    "summarizer/segment.py",
    "summarizer/guard/",
    "summarizer/timeline/",
    "summarizer/dates/",
)
RE_PACKAGE = str(Path(re.__file__).parent)


def documents(n: int) -> list[Document]:
    rows = [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines()[:n]]
    return [Document(id=row["id"], text=row["text"], date=row.get("date")) for row in rows]


def work(pipeline: Pipeline, document: Document) -> None:
    """One document as a user meets it: summarised, shown, scored."""
    result = pipeline.run(document)
    with open(os.devnull, "w", encoding="utf-8") as nowhere:
        render.show(Console(file=nowhere, width=100), result)
    render.markdown(result)
    metrics.sentence_spans(document.text)
    metrics.rouge(result.summary.abstract, document.text)


def test_no_pattern_is_compiled_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = documents(25)
    pipeline = Pipeline(Settings(strategy="rules"))
    for document in docs[:5]:  # warm-up: lazy imports, caches
        work(pipeline, document)
    callers: Counter[str] = Counter()
    compile_pattern = re._compile  # type: ignore[attr-defined]

    def counted(pattern: Any, flags: Any) -> Any:
        for frame in reversed(traceback.extract_stack()[:-1]):
            if not frame.filename.startswith(RE_PACKAGE):  # who asked re
                callers[f"{Path(frame.filename).as_posix()}:{frame.lineno}"] += 1
                break
        return compile_pattern(pattern, flags)

    monkeypatch.setattr(re, "_compile", counted)
    for document in docs[5:]:
        work(pipeline, document)
    ours = {site: n for site, n in callers.items() if any(part in site for part in CHECKED)}
    print(f"re._compile calls over 20 documents: {sum(callers.values())}; by caller:")
    for site, n in callers.most_common(10):
        print(f"  {n:6d}  {site}")
    assert ours == {}
