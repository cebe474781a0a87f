"""The OpenAI-compatible path against a real llama.cpp server on 127.0.0.1, through the CLI."""

from __future__ import annotations

import json

import pytest
from support.cli import summarise_cli
from support.paths import SAMPLE
from support.sample import check_sample_result

from summarizer import Result

pytestmark = pytest.mark.model


def test_cli_against_real_llama_server(llama_server: str) -> None:
    proc = summarise_cli(
        str(SAMPLE), "--base-url", llama_server, "--model", "qwen-0.5b", "--format", "json"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = Result.model_validate(json.loads(proc.stdout))
    assert result.provenance.backend == "openai"
    text = SAMPLE.read_text(encoding="utf-8").split("\n", 1)[1].lstrip("\r\n")
    check_sample_result(result, text)
