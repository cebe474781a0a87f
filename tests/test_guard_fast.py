"""The guard's shortcuts change no decision.

The guard skips work that cannot change its answer: the large patterns are searched
alternative by alternative, only in sentences holding what a match needs
(``prefilter``); an encoding is looked for only where the sentence has the characters its
every find needs (``signals._needs``); a sentence's alphabets are counted only when it has
a letter outside ASCII (``markers._other_letters``). Here the guard judges real texts
(the hostile and benign test pages, CNN/DailyMail and BBC articles) with and without the
shortcuts and must decide the same, and each shortcut's premise is checked on its own, on
real texts and on texts generated from the pattern.
"""

from __future__ import annotations

import functools
import json
import random
import re
import re._parser as sre_parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from support.paths import REPO, SHARED
from test_guard_prefilter import generate, mixed_case

from summarizer import guard
from summarizer.guard import language, markers, prefilter, signals
from summarizer.segment import sentences

NEWS = SHARED / "data" / "news_summ_train"
ENCODINGS = ["_B64", "_HEX", "_URLENC", "_UESC", "_BINARY", "_SPACED", "_LEET"]


@functools.cache
def real_texts() -> list[str]:
    texts = [
        p.read_text(encoding="utf-8") for p in sorted((REPO / "eval" / "hostile").rglob("*.txt"))
    ]
    for name, count in (("cnndm_train_val.jsonl", 80), ("bbc_news_summary.jsonl", 40)):
        path = NEWS / name
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                texts += [json.loads(line)["article"] for _, line in zip(range(count), fh)]
    return texts


@functools.cache
def real_sentences() -> list[str]:
    return [s.text for text in real_texts() for s in sentences(text)]


def _clear_caches() -> None:
    """Results kept for a sentence must not carry over between the two ways of judging."""
    for module in (guard, language, markers, prefilter, signals):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def findings(texts: list[str]) -> list[list[tuple[str, bool] | None]]:
    _clear_caches()
    judged = []
    for text in texts:
        found = guard.assess(text, sentences(text))
        judged.append([(f.reason, f.sure) if f else None for f in found])
    return judged


def without_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefilter, "_scan", lambda text: None)  # every pattern searched in full
    monkeypatch.setattr(signals, "_needs", lambda pattern, sentence: True)
    monkeypatch.setattr(markers, "_other_letters", lambda text: not text.isascii())


def test_decisions_same_without_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = real_texts()
    fast = findings(texts)
    without_shortcuts(monkeypatch)
    slow = findings(texts)
    suspects = sum(f is not None for text in fast for f in text)
    assert suspects > 300  # the hostile pages: the comparison covers sentences that are caught
    assert fast == slow


def _generated(rx: re.Pattern[str], count: int) -> list[str]:
    parsed = sre_parse.parse(rx.pattern, rx.flags)
    rng = random.Random(rx.pattern)
    texts = []
    for _ in range(count):
        text = generate(parsed, rng)
        texts += [text, mixed_case(text, rng), f"He said: {text} today."]
    return texts


@pytest.mark.parametrize("name", ENCODINGS)
def test_an_encoding_is_found_only_where_its_needs_hold(name: str) -> None:
    rx = getattr(signals, name)
    texts = real_sentences() + _generated(rx, 600)
    matched = [t for t in texts if rx.search(t)]
    assert len(matched) > 300, name  # the generator reaches the pattern
    assert [t for t in matched if not signals._needs(rx, t)] == [], name


def _checked_on_every_character(
    check: Callable[[str], Any], reference: Callable[[str], Any]
) -> None:
    texts = real_sentences()[:3000]
    samples = "".join(map(chr, range(0x80, 0x3000, 7)))
    texts += [f"Ab {samples[i : i + 5]} cd" for i in range(0, len(samples), 5)]
    assert [t for t in texts if check(t) != reference(t)] == []


def test_letters_outside_ascii_are_told_as_by_reading_each() -> None:
    _checked_on_every_character(
        markers._other_letters, lambda t: any(not c.isascii() and c.isalpha() for c in t)
    )


def test_a_cut_after_a_number_is_read_at_the_end() -> None:
    rx = guard._NUMBER_AT_END
    _checked_on_every_character(
        lambda t: rx.search(t, max(0, len(t) - 4)) is not None, lambda t: rx.search(t) is not None
    )
    for text in ("der 5.", "am 12.\n", "x12.", "5.", "1.\n", "der 5. Mai"):
        assert (rx.search(text, max(0, len(text) - 4)) is None) == (rx.search(text) is None)


def test_hiding_characters_are_never_ascii() -> None:
    """The guard looks for zero-width and direction characters only in text that is not
    ASCII: every character the pattern can match is outside ASCII."""
    ascii_text = "".join(map(chr, range(128))) * 3
    assert markers._HIDING.search(ascii_text) is None
    assert markers._HIDING.search("I\u200bgnore") is not None


def test_json_shaped_text_has_a_double_quote() -> None:
    """JSON-shaped text is counted only in sentences with a '"': every find has one."""
    rx = markers._JSON_SHAPED
    texts = _generated(rx, 600) + real_sentences()
    matched = [t for t in texts if rx.search(t)]
    assert len(matched) > 300
    assert [t for t in matched if '"' not in t] == []


def test_the_word_table_renewed_and_shared_by_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """What each word holds is kept in one table a process: judging from several threads
    at once, with the table renewed every few words, decides as one thread does."""
    texts = real_texts()[:40] + real_texts()[-40:]
    alone = findings(texts)
    monkeypatch.setattr(prefilter, "_KNOWN_WORDS", 50)
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda text: findings([text])[0], texts))
    assert together == alone
