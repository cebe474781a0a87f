"""The timeline's shortcuts change no result.

Two kinds: answers remembered (``lru_cache`` on what a clause, a mention or an
expression is asked again) and patterns tried only where a match may open (a
lookahead on its first character: ``dating.at_word_starts``, the clause
boundaries), their word lists shaped as tries (``dating.word_trie``). Each is checked against the plain form on real news
text: the caches bypassed and the plain patterns put back, the event clauses of
every article must come out the same.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from support.paths import REPO, SHARED

from summarizer.dates import resolve, roles, tagger
from summarizer.grounding import REPORTING
from summarizer.segment import sentences
from summarizer.timeline import dating, events

WIKINEWS = REPO / "eval" / "datasets" / "wikinews.jsonl"
FRANK = SHARED / "data" / "frank" / "frank_docs.jsonl"
FRANK_ALL = 10_000  # more than FRANK holds: every article (medial attributions are rare)


def _alternation(words: tuple[str, ...], *, space: str = r"\s+", more: str = "") -> re.Pattern[str]:
    """The plain form of a dating.word_trie: the words one after another, tried everywhere."""
    alternatives = [re.escape(word).replace(r"\ ", space) for word in words]
    if more:
        alternatives.append(more)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# the patterns at_word_starts (and word_trie) speed up, each beside its plain form
FILTERED = [
    (dating.REPORTED, REPORTING),
    (events._FUTURE, _alternation(events.FUTURE_WORDS, space=" ")),
    (events._PAST, _alternation(events.PAST_WORDS, more=events.REGULAR_PAST)),
    (events._PRESENT, _alternation(events.PRESENT_WORDS)),
    (events._BOUNDARY, re.compile(events._BOUNDARY.pattern[len(r"(?=[;:,\s])") :], re.I)),
]
FIRST_CHARACTERS = {events._BOUNDARY: r"[;:,\s]"}  # the others: r"[\w']"
# the patterns tagger.led_by_first_characters speeds up (read only where, or whether, they match)
LED = {
    (module, name): getattr(module, f"{name}_PLAIN")
    for module, name in [
        (events, "_HYPOTHETICAL"),
        (events, "_NEGATED"),
        (events, "_STATIVE"),
        (dating, "_PERFECT"),
        (dating, "_PAST_PERFECT"),
        (dating, "_PROGRESSIVE"),
    ]
}


def _news(frank_articles: int = 40) -> list[tuple[str, dt.date | None]]:
    rows = [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]
    out = [
        (r["text"], dt.date.fromisoformat(r["date"][:10]) if r.get("date") else None) for r in rows
    ]
    if FRANK.exists():
        with FRANK.open(encoding="utf-8") as fh:
            for line in list(fh)[:frank_articles]:
                row = json.loads(line)
                out.append((row["article"], dt.date.fromisoformat(row["wayback_crawl_date"][:10])))
    return out


def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every shortcut undone: caches bypassed, the plain patterns back."""
    for module, name in [
        (events, "tense"),
        (events, "_main_clause"),
        (events, "written"),
        (dating, "written"),
        (dating, "day"),
        (dating, "_clause_feature_names"),
        (roles, "_role"),
        (resolve, "normalise"),
        (tagger, "normalise"),
        (tagger, "_clause_bounds"),
        (tagger, "_tokens"),
        (tagger, "_clause_stops"),
        (events, "found_at"),
        (dating, "found_at"),
        (dating, "carried"),
        (dating, "_chain_names"),
        (dating, "_story_names"),
        (dating, "_recent_names"),
        (dating, "_publication_names"),
    ]:
        monkeypatch.setattr(module, name, getattr(module, name).__wrapped__)
    monkeypatch.setattr(dating, "REPORTED", REPORTING)
    monkeypatch.setattr(events, "REPORTED", REPORTING)
    for name in ("_FUTURE", "_PAST", "_PRESENT", "_BOUNDARY"):
        rx = getattr(events, name)
        monkeypatch.setattr(events, name, dict((f, p) for f, p in FILTERED)[rx])
    for (module, name), plain in LED.items():
        monkeypatch.setattr(module, name, plain)


def _clauses(texts: list[tuple[str, dt.date | None]]) -> list[Any]:
    tagger._find_dates.cache_clear()
    return [events.dated_clauses(text, sentences(text), anchor) for text, anchor in texts]


def test_plain_patterns_open_only_where_the_lookahead_lets_them() -> None:
    """What makes each lookahead exact: no match of the plain pattern opens elsewhere."""
    for filtered, plain in FILTERED:
        opening = re.compile(FIRST_CHARACTERS.get(filtered, r"[\w']"))
        parsed = tagger.sre_parse.parse(plain.pattern, plain.flags)
        chars, may_be_empty = tagger._first_characters(parsed)
        assert not may_be_empty
        assert all(opening.fullmatch(c) for c in chars), plain.pattern[:40]


def test_word_start_patterns_find_what_the_plain_ones_find() -> None:
    found = 0
    for text, _ in _news():
        for sentence in sentences(text):
            for filtered, plain in FILTERED:
                expected = [m.span() for m in plain.finditer(sentence.text)]
                assert [m.span() for m in filtered.finditer(sentence.text)] == expected
                found += len(expected)
    assert found > 1000


def _start(found: re.Match[str] | None) -> int:
    return -1 if found is None else found.start()


def test_led_patterns_start_where_the_plain_ones_do() -> None:
    """Where the first match starts, in every sentence and in every clause cut from it
    (from each comma or space on), and whether there is one."""
    found = 0
    for text, _ in _news():
        for sentence in sentences(text):
            cuts = [0, *(m.end() for m in re.finditer(r"[,\s]+", sentence.text))]
            for piece in {sentence.text[at:] for at in cuts[:12]}:
                for (module, name), plain in LED.items():
                    expected = _start(plain.search(piece))
                    assert _start(getattr(module, name).search(piece)) == expected, (name, piece)
                    found += expected >= 0
    assert found > 1000


def test_event_clauses_as_without_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _news()
    fast = _clauses(texts)
    _plain(monkeypatch)
    plain = _clauses(texts)
    assert sum(len(c) for c in plain) > 200  # the articles hold events: something was compared
    assert fast == plain


def test_attribution_searched_from_the_last_comma_as_from_the_start() -> None:
    """No trailing attribution holds a comma or semicolon, so searching from the last one
    (and only in a sentence with a reporting word) finds what a search of the whole
    sentence finds."""
    found = 0
    for text, _ in _news():
        for sentence in sentences(text):
            whole = events._ATTRIBUTION.search(sentence.text)
            expected = None
            if whole is not None and len(whole["att"].split()) <= events.ATTRIBUTION_MAX_WORDS:
                expected = (sentence.start + whole.start("att"), sentence.start + whole.end("att"))
                found += 1
            assert events._attribution(text, sentence) == expected
    assert found >= 40  # enough attributions for the comparison to mean something


def _medial_attribution_searched(text: str, sentence: Any) -> tuple[int, int, int] | None:
    """``events._medial_attribution`` without its shortcut: the pattern searched in every
    sentence, whether or not it holds a reporting word."""
    m = events._MEDIAL_ATTRIBUTION.search(text, sentence.start, sentence.end)
    if m is None or len(m["att"].split()) > events.ATTRIBUTION_MAX_WORDS:
        return None
    if events._has_verb(text[sentence.start : m.start()]):
        return None
    if not events._has_verb(text[m.end() : sentence.end]):
        return None
    return m.start("att"), m.end("att"), m.end()


def test_attributions_skipped_only_where_no_reporting_word_stands() -> None:
    """Both attributions hold a reporting word: a sentence without one (dating.REPORTED)
    is not searched, and what the others give is what searching every sentence gives."""
    found = skipped = 0
    for text, _ in _news(FRANK_ALL):
        for sentence in sentences(text):
            expected = _medial_attribution_searched(text, sentence)
            assert events._medial_attribution(text, sentence) == expected
            found += expected is not None
            skipped += dating.REPORTED.search(sentence.text) is None
    assert found >= 10 and skipped >= 500
