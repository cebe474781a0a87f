"""Issue 27: the model's own words say only what the article says.

A scripted OpenAI-compatible server (``scripted_server``) answers ``--strategy single`` on the
sample article as the 0.5B model behind llama.cpp's server once did: a headline the article
does not support ("Russia Declares Peace Talks Amid Ukrainian Expansion": the article has
Russia *ready* to resume talks, and nothing Ukrainian expanding) and a key point that turns
the Kremlin's claim about a British back channel into a fact. The claim check must replace
both with the article's words and say so; a faithful paraphrase must be kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from scripted_server import Reply, ScriptedServer
from support.cli import summarise_cli, summarise_process
from support.paths import SAMPLE

from summarizer import Result
from summarizer.summary.faithfulness import citing, unsupported_claims

UNTRUE_HEADLINE = "Russia Declares Peace Talks Amid Ukrainian Expansion"
CHANGED_POINT = "The United Kingdom set up a back channel for peace talks with Moscow"
SUPPORTED_POINTS = [
    "Moscow's Defense Ministry announced Russian troops had taken control of Sukhyi Yar",
    "Turkish officials have repeatedly called for a renewal of the talks",
]
GIST = "Russia has declared its readiness to resume peace negotiations with Ukraine."


def answering(headline: str, points: list[str]) -> Callable[[dict[str, Any]], Reply]:
    """A server that writes this summary for every summary question and lists no events."""

    def respond(request: dict[str, Any]) -> Reply:
        schema = json.dumps(request.get("response_format") or {}) + json.dumps(request["messages"])
        if "key_points" in schema:
            return Reply(
                json.dumps(
                    {
                        "headline": headline,
                        "gist": GIST,
                        "abstract": GIST + " Fighting around Pokrovsk has intensified.",
                        "key_points": points,
                    }
                )
            )
        return Reply(json.dumps({"events": []}))

    return respond


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


def summarise_sample(server: ScriptedServer, strategy: str = "single") -> Result:
    """The sample summarised by ``strategy`` against the scripted server."""
    run = summarise_cli(
        str(SAMPLE),
        "--base-url",
        server.base_url,
        "--model",
        "scripted",
        "--strategy",
        strategy,
        "--no-cache",
        "--format",
        "json",
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert server.requests, "the summary came from the server"
    return Result.model_validate(json.loads(run.stdout))


def test_the_untrue_headline_and_the_changed_key_point_are_replaced_with_a_warning(
    server: ScriptedServer,
) -> None:
    server.responder = answering(UNTRUE_HEADLINE, [CHANGED_POINT, *SUPPORTED_POINTS])
    result = summarise_sample(server)
    text = SAMPLE.read_text(encoding="utf-8")
    summary = result.summary
    assert summary is not None
    assert summary.headline != UNTRUE_HEADLINE
    # the stand-in is the article's own words (the title's or the lede's opening)
    assert len(summary.headline.split()) >= 3 and summary.headline.rstrip(" …") in text
    points = [p.text for p in summary.key_points]
    assert CHANGED_POINT not in points
    assert all(p in points for p in SUPPORTED_POINTS)
    dropped = [w for w in result.warnings if w.field == "summary.headline"]
    assert len(dropped) == 1 and UNTRUE_HEADLINE in dropped[0].message
    flagged = [w.message for w in result.warnings if w.code == "key-point-unsupported"]
    assert len(flagged) == 1 and CHANGED_POINT in flagged[0]


def test_a_supported_paraphrase_is_kept(server: ScriptedServer) -> None:
    paraphrase = "Russia ready to resume peace talks with Ukraine"
    server.responder = answering(paraphrase, SUPPORTED_POINTS + [GIST.rstrip(".")])
    result = summarise_sample(server)
    assert result.summary is not None
    assert result.summary.headline == paraphrase
    assert result.summary.gist == GIST
    assert [p.text for p in result.summary.key_points] == SUPPORTED_POINTS + [GIST.rstrip(".")]
    assert not [
        w.message
        for w in result.warnings
        if w.field in ("summary.headline", "summary.key_points") or w.message.startswith("gist")
    ]


def test_no_usable_summary_from_the_server_leaves_the_articles_own(
    server: ScriptedServer,
) -> None:
    """The 0.5B model behind a server can fail the summary's schema every time (seen on the
    sample: no valid answer after 3 attempts); the summary is then the article's own words."""

    def respond(request: dict[str, Any]) -> Reply:
        if "key_points" in json.dumps(request.get("response_format") or {}):
            return Reply('{"headline": "Russia Declares Peace Talks", "gist": ')  # cut short
        return Reply(json.dumps({"events": []}))

    server.responder = respond
    result = summarise_sample(server)
    text = SAMPLE.read_text(encoding="utf-8")
    assert result.summary is not None
    assert result.summary.headline.rstrip(" …") in text
    assert result.summary.gist.rstrip(" …") in text
    assert any(w.message.startswith("summary: the model gave no usable") for w in result.warnings)


def test_decomposed_on_a_server_drops_the_untrue_headline_too(server: ScriptedServer) -> None:
    """decomposed on a server (no grammar: free writing) asks for a headline of the lede."""

    def respond(request: dict[str, Any]) -> Reply:
        asked = request["messages"][1]["content"]  # the question (a re-ask comes after)
        if "headline" in json.dumps(request.get("response_format") or {}) + asked:
            return Reply(json.dumps({"headline": UNTRUE_HEADLINE}))
        sentence = asked.split("<article>")[1].split("</article>")[0].split()
        return Reply(
            json.dumps({"description": " ".join(sentence[:8]), "actors": [], "location": None})
        )

    server.responder = respond
    result = summarise_sample(server, "decomposed")
    assert result.summary is not None and result.summary.headline != UNTRUE_HEADLINE
    assert result.summary.headline.rstrip(" …") in SAMPLE.read_text(encoding="utf-8")
    dropped = [w.message for w in result.warnings if w.field == "summary.headline"]
    assert dropped and UNTRUE_HEADLINE in dropped[0]


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.timeout(1800)  # over 10 minutes on two shared cores: the events answer is long
def test_the_real_server_path_gives_no_unsupported_headline(llama_server: str) -> None:
    """The issue's path for real: the 0.5B model behind llama.cpp's server, ``single``."""
    run = summarise_process(
        str(SAMPLE),
        "--base-url",
        llama_server,
        "--model",
        "qwen-0.5b",
        "--strategy",
        "single",
        "--no-cache",
        "--format",
        "json",
        timeout=1700,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = Result.model_validate(json.loads(run.stdout))
    assert result.summary is not None
    text = SAMPLE.read_text(encoding="utf-8")
    title, *lines = text.splitlines()
    texts = [t for t in [title, *lines] if t.strip()]
    headline = result.summary.headline
    # the model's headline stood the claim check, or the article's own words stand in
    cited = "\n".join(texts[i] for i in citing(headline, texts))
    assert headline.rstrip(" …") in text or unsupported_claims(headline, cited, text) == []
