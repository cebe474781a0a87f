"""The OpenAI-compatible path against a real llama.cpp server on 127.0.0.1, through the CLI."""

from __future__ import annotations

import json

import pytest
from support.cli import summarise_process
from support.paths import SAMPLE
from support.sample import check_sample_result

from summarizer import Result

pytestmark = pytest.mark.model


def test_cli_against_real_llama_server(llama_server: str) -> None:
    # a process of its own: a timeout ends it at once, where an in-process run's worker
    # threads would go on asking the model
    proc = summarise_process(
        str(SAMPLE),
        "--base-url",
        llama_server,
        "--model",
        "qwen-0.5b",
        "--format",
        "json",
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = Result.model_validate(json.loads(proc.stdout))
    assert result.provenance.backend == "openai"
    text = SAMPLE.read_text(encoding="utf-8")  # spans index the file as given, header too
    check_sample_result(result, text)
