"""Chunking long documents: whole paragraphs, within budget, overlapping, spans into the whole text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.paths import REPO

from summarizer.chunking import chunk, estimate_tokens
from summarizer.segment import sentences


def long_report(min_chars: int) -> str:
    """A long report made of the shipped Wikinews articles (CC BY), paragraphs separated."""
    texts = [
        json.loads(line)["text"]
        for line in (REPO / "eval" / "datasets" / "wikinews.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    parts, size, i = [], 0, 0
    while size < min_chars:
        paragraph = " ".join(texts[i % len(texts)].split("\n"))
        parts.append(paragraph)
        size += len(paragraph) + 2
        i += 1
    return "\n\n".join(parts)


def check_chunks(text: str, budget: int, overlap: int, count) -> list:  # type: ignore[no-untyped-def]
    sents = sentences(text)
    pieces = chunk(text, sents, budget=budget, overlap=overlap, count=count)
    covered = {s.index for p in pieces for s in p.sentences}
    assert covered == {s.index for s in sents}, "every sentence lands in a chunk"
    for p in pieces:
        assert p.start == p.sentences[0].start and p.end == p.sentences[-1].end
        if len(p.sentences) > 1:
            assert count(text[p.start : p.end]) <= budget
    starts = [p.start for p in pieces]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), "chunks advance"
    return pieces


def test_chunks_respect_budget_and_overlap() -> None:
    text = long_report(60_000)
    pieces = check_chunks(text, budget=1000, overlap=150, count=estimate_tokens)
    assert len(pieces) > 10
    overlapping = sum(1 for a, b in zip(pieces, pieces[1:]) if b.start < a.end)
    assert overlapping >= len(pieces) // 2


def test_chunks_prefer_paragraph_boundaries() -> None:
    text = long_report(20_000)
    sents = sentences(text)
    pieces = chunk(text, sents, budget=1500, overlap=0)
    paragraph_starts = {
        s.start for s in sents if s.index == 0 or sents[s.index - 1].paragraph != s.paragraph
    }
    # with no overlap every chunk starts a paragraph unless that paragraph alone overflowed
    assert sum(p.start in paragraph_starts for p in pieces) >= len(pieces) - 1


def test_oversized_sentence_is_its_own_chunk() -> None:
    text = "Short one here. " + "word " * 3000 + "end.\n\nAnother paragraph follows here."
    sents = sentences(text)
    pieces = chunk(text, sents, budget=200)
    assert any(
        len(p.sentences) == 1 and estimate_tokens(text[p.start : p.end]) > 200 for p in pieces
    )
    assert {s.index for p in pieces for s in p.sentences} == {s.index for s in sents}


@pytest.mark.model
def test_100k_token_report_chunks_with_the_models_own_tokenizer(model_path: Path) -> None:
    from llama_cpp import Llama

    vocab = Llama(model_path=str(model_path), vocab_only=True, verbose=False)

    def count(text: str) -> int:
        return len(vocab.tokenize(text.encode("utf-8"), add_bos=False))

    text = long_report(480_000)
    assert count(text) >= 100_000
    pieces = check_chunks(text, budget=2596, overlap=259, count=count)
    assert len(pieces) >= 40


def test_sentences_are_the_same_from_many_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [
        json.loads(line)["text"]
        for line in (REPO / "eval" / "datasets" / "wikinews.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    expected = [sentences(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            assert list(pool.map(sentences, texts)) == expected
