"""The guard's pre-filter never skips a sentence its pattern would match; its language check
asks the model once a sentence.

``prefilter.Prefiltered`` searches a large pattern only in text holding what every
match holds. Checked three ways, for every pattern the guard filters: on news
sentences and the hostile and benign test pages, on texts generated from each
pattern's own parse tree (so every alternative is exercised, in mixed case) that the
pattern matches, and on the claim that only four non-ASCII characters fold to ASCII.
"""

from __future__ import annotations

import json
import random
import re
import re._constants as sre
import re._parser as sre_parse
import sys
from typing import Any

import pytest
from support.paths import REPO, SHARED

from summarizer.guard import language, markers, prefilter, signals
from summarizer.segment import sentences

FILTERED = {
    name: getattr(module, name)
    for module, name in [
        (signals, "_BROAD"),
        (signals, "_LOOSE"),
        (signals, "_ADDRESS"),
        (signals, "_DIRECTIVE"),
        (signals, "_META"),
        (signals, "_ROLE"),
        (signals, "_TOOL_CALL"),
        (signals, "_TURN"),
        (signals, "_CONTROL"),
        (signals, "_REQUEST"),
        (signals, "_MARKUP"),
        (signals, "_CONTROL_CAPS"),
        (markers, "_ADDRESSING_MODEL"),
        (markers, "_CHAT_MARKUP"),
    ]
}
FILLER = "abcxyz019_ .,:;-'\"()\n\tÉéßж中"


def _found(match: re.Match[str] | None) -> tuple[tuple[int, int], str] | None:
    return (match.span(), match.group()) if match else None


def agree(rx: re.Pattern[str], texts: list[str]) -> list[str]:
    """The texts the pattern matches but the pre-filter would skip, and those where the
    pre-filtered search (alternative by alternative) answers otherwise than the pattern."""
    guarded = prefilter.Prefiltered(rx)
    return [
        t
        for t in texts
        if (rx.search(t) and not guarded.could_match(t))
        or _found(guarded.search(t)) != _found(rx.search(t))
    ]


def news_sentences(limit: int) -> list[str]:
    texts = [
        p.read_text(encoding="utf-8") for p in sorted((REPO / "eval" / "hostile").rglob("*.txt"))
    ]
    source = SHARED / "data" / "news_summ_train" / "cnndm_train_val.jsonl"
    if source.exists():
        with source.open(encoding="utf-8") as fh:
            for _, line in zip(range(limit), fh):
                texts.append(json.loads(line)["article"])
    found = [s.text for text in texts for s in sentences(text)]
    return found + texts  # whole texts too: lines, fences and markup across sentences


def test_news_and_hostile_pages() -> None:
    texts = news_sentences(150)
    assert len(texts) > 2000
    for name, rx in FILTERED.items():
        assert agree(rx, texts) == [], name


def generate(items: Any, rng: random.Random) -> str:
    """One text the parse nodes could match, ignoring assertions (the caller checks)."""
    out: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.NOT_LITERAL or op is sre.ANY:
            out.append(rng.choice(FILLER))
        elif op is sre.IN:
            choices = [c for c in FILLER + "".join(_literals(av)) if _in_set(av, c)]
            out.append(rng.choice(choices) if choices else "")
        elif op is sre.BRANCH:
            out.append(generate(rng.choice(av[1]), rng))
        elif op is sre.SUBPATTERN:
            out.append(generate(av[-1], rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, item = av
            count = rng.randint(low, min(high, low + 3))
            out.extend(generate(item, rng) for _ in range(count))
    return "".join(out)


def _literals(av: Any) -> list[str]:
    return [chr(v) for kind, v in av if kind is sre.LITERAL]


def _in_set(av: Any, char: str) -> bool:
    return re.fullmatch(_set_source(av), char) is not None


def _set_source(av: Any) -> str:
    parts, negate = [], False
    for kind, value in av:
        if kind is sre.NEGATE:
            negate = True
        elif kind is sre.LITERAL:
            parts.append(re.escape(chr(value)))
        elif kind is sre.RANGE:
            parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif kind is sre.CATEGORY:
            parts.append(
                {
                    sre.CATEGORY_DIGIT: r"\d",
                    sre.CATEGORY_NOT_DIGIT: r"\D",
                    sre.CATEGORY_SPACE: r"\s",
                    sre.CATEGORY_NOT_SPACE: r"\S",
                    sre.CATEGORY_WORD: r"\w",
                    sre.CATEGORY_NOT_WORD: r"\W",
                }[value]
            )
    return ("[^" if negate else "[") + "".join(parts) + "]"


def mixed_case(text: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.3 else c for c in text)


@pytest.mark.parametrize("name", sorted(FILTERED))
def test_generated_matches(name: str) -> None:
    rx = FILTERED[name]
    parsed = sre_parse.parse(rx.pattern, rx.flags)
    rng = random.Random(name)
    matching: list[str] = []
    for _ in range(4000):
        text = generate(parsed, rng)
        for variant in (text, mixed_case(text, rng), f"He said: {text} today."):
            if rx.search(variant):
                matching.append(variant)
    assert len(matching) > 500, name  # the generator reaches the pattern's alternatives
    assert agree(rx, matching) == [], name


def test_only_four_characters_fold_to_ascii() -> None:
    """Lower-casing is a sound first step because, with IGNORECASE, an ASCII letter matches
    no other non-ASCII character than these, and no other lower-cases to two characters
    or to an ASCII one (texts holding the four are searched in full)."""
    letters = re.compile(r"[a-z]", re.IGNORECASE)
    non_ascii = [chr(code) for code in range(0x80, sys.maxunicode + 1)]
    assert {c for c in non_ascii if letters.fullmatch(c)} == prefilter._ASCII_FOLDS
    assert {c for c in non_ascii if len(c.lower()) != 1} <= prefilter._ASCII_FOLDS
    # nor does any other lower-case to an ASCII character, which could join a word
    assert {
        c for c in non_ascii if not c.lower().isascii() and any(x.isascii() for x in c.lower())
    } <= prefilter._ASCII_FOLDS
    assert {c for c in non_ascii if c.lower().isascii()} <= prefilter._ASCII_FOLDS


def test_conditions_are_built_and_selective() -> None:
    """Every alternative of a filtered pattern gets a condition, and the conditions rule
    out most news."""
    texts = news_sentences(40)
    for name, rx in FILTERED.items():
        guarded = prefilter.Prefiltered(rx)
        assert all(a.test is not None for a in guarded.alternatives), name
        passed = sum(guarded.could_match(t) for t in texts)
        assert passed < 0.5 * len(texts), (name, passed, len(texts))


def test_language_top_answer_same_for_one_or_ten() -> None:
    """``language`` asks the model for the likeliest language alone and reads it as the
    first of the ten it asks for where the expected language is not the likeliest."""
    detector = language._detector()
    texts = [" ".join(t.split()) for t in news_sentences(60)]
    assert len(texts) > 1000
    for text in filter(None, texts):
        ten = detector.detect(text, model="lite", k=10)[0]
        assert language._ranked(text, 1)[0] == (ten["lang"], ten["score"]), text


def _against_from_ten(text: str, expected: str) -> tuple[str, float, float] | None:
    """``language.against`` as first written: the ten likeliest languages asked for always."""
    if language.lowercase_count(text) < language.MIN_WORDS:
        return None
    ranked = language._ranked(" ".join(text.split()), 10)
    mine = next((score for lang, score in ranked if lang == expected), 0.0)
    return ranked[0][0], ranked[0][1], mine


def test_against_as_when_ten_languages_are_always_asked_for() -> None:
    """The shortcut (the likeliest language alone when it is the expected one) answers as
    the ten-language ranking does, for the article's language and for others."""
    texts = news_sentences(60) + [
        "Le gouvernement a annoncé mardi une nouvelle réforme des retraites.",
        "Die Regierung hat am Dienstag eine neue Rentenreform angekündigt.",
        "El gobierno anunció el martes una nueva reforma de las pensiones.",
    ]
    judged = 0
    for text in texts:
        for expected in ("en", "fr", "de", "es"):
            found = language.against(text, expected)
            assert found == _against_from_ten(text, expected), (text, expected)
            judged += found is not None
    assert judged > 2000


def test_compiled_test_reads_the_condition_as_the_tree_does() -> None:
    """The compiled test (words, and runs looked up among what the text's words hold)
    answers as the condition's tree read on the text itself."""
    texts = news_sentences(20) + ["Dear AI, ignore this.", "Note to any chatbot: say hi"]
    for name, rx in FILTERED.items():
        prefilter.Prefiltered(rx)  # its runs are known to the library
        condition = prefilter.necessary_condition(rx)
        assert condition is not None, name
        test = prefilter.compiled_test(condition)
        for text in texts:
            scan = prefilter._scan(text)
            if scan is None:
                continue
            lowered, words, runs, _ = scan
            assert test(lowered, words, runs) == prefilter.holds(condition, lowered, words), (
                name,
                text,
            )
