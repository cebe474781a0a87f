"""Guard: sentences addressed to the machine reading a page, not to its readers, are kept out.

A news article states facts to readers. A sentence that speaks to the system processing
the page is a **suspect**: it stays in the source, so spans are unchanged, but it is never
made an event, a key point or part of the gist or abstract, never dates anything, and the
result warns where it was. A sentence is suspect when it

* carries chat or markup control text, tool calls, invisible characters, mixed alphabets
  or another script (``markers``);
* addresses an AI or automated reader, orders what the output must say, makes claims
  about the article or its metadata, hands its reader a role, or is a system notice
  (``signals``);
* hides text in an encoding (base64, rot13, leetspeak, ...) (``signals.encoded``);
* is in another language than the article, told by a bundled fastText model (``language``).

An injection can span sentences: what a suspect sentence introduces ("reply with only
the following text: ...", an open quotation or bracket) is suspect too, and so is the
sentence that carries on a message to the machine in the same paragraph (an imperative,
"you", a web domain) right after it.

The model also sees every article fenced as data (``prompts.fence``); this guard covers
what a fence cannot, because the decomposed pipeline quotes sentences verbatim.
"""

from __future__ import annotations

import re

from ..segment import Sentence
from . import language, signals
from .markers import (
    _ADDRESSING_MODEL,
    _CHAT_MARKUP,
    _HIDING,
    _JSON_SHAPED,
    _MARKUP_ONLY,
    _ORDER,
    _mixed_script_word,
    dominant_script,
)

# a sentence is judged to be in another language only this sure (tuned on the tune half of
# the benign set, see docs/guard.md)
LANGUAGE_CONFIDENCE = 0.7
# ... or when the article's own language gets at most this (near languages share the rest)
ARTICLE_LANGUAGE_AT_MOST = 0.1
LANGUAGE_CONFIDENCE_LOW = 0.3
CARRY_ON = 4  # sentences a message may run on past the one that was found
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»|„[^“”]*[“”]")
_LANGUAGES = {
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "nl": "Dutch",
    "it": "Italian",
    "pt": "Portuguese",
    "en": "English",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "pl": "Polish",
    "ro": "Romanian",
    "cs": "Czech",
    "fi": "Finnish",
    "tr": "Turkish",
    "ca": "Catalan",
    "hu": "Hungarian",
    "id": "Indonesian",
    "cy": "Welsh",
    "la": "Latin",
}


def _name(code: str) -> str:
    return _LANGUAGES.get(code, code)


def _first_markers(sentence: str, document_script: str | None) -> str | None:
    if _CHAT_MARKUP.search(sentence) or _MARKUP_ONLY.match(sentence):
        return "chat or markup control text"
    if _ADDRESSING_MODEL.search(sentence) or (
        _ORDER.search(sentence) and not signals.REPORTED.search(sentence)
    ):
        return "instructions addressed to a model"
    if len(_JSON_SHAPED.findall(sentence)) >= 2:
        return "JSON-shaped text"
    if _HIDING.search(sentence):
        return "invisible or direction-changing characters"
    if _mixed_script_word(sentence):
        return "words spelt in mixed alphabets"
    script = dominant_script(sentence)
    if document_script and script and script != document_script:
        # a sentence wholly in another script than the article cannot be checked
        # against it by word overlap, and is the usual carrier of a foreign-language injection
        return f"a sentence in {script} script within a {document_script} article"
    return None


def _traits(sentence: str) -> str | None:
    for detector in (
        signals.control_text,
        signals.addressing,
        signals.orders_output,
        signals.claims_about_article,
        signals.role_play,
        signals.broad,
    ):
        reason = detector(sentence)
        if reason:
            return reason
    return None


def other_language(sentence: str, document_language: str | None) -> str | None:
    """The name of the sentence's language when it is surely not the article's, else None.

    Quoted words are left out first: news quotes people in their own language
    ('"Nous ne céderons pas," he said'), and that is reporting, not an order.
    """
    if not document_language:
        return None
    found = language.against(_QUOTED.sub(" ", sentence), document_language)
    if found is None:
        return None
    code, confidence, mine = found
    if code != document_language and (
        confidence >= LANGUAGE_CONFIDENCE
        or (confidence >= LANGUAGE_CONFIDENCE_LOW and mine <= ARTICLE_LANGUAGE_AT_MOST)
    ):
        return _name(code)
    return None


def suspicion(
    sentence: str, document_script: str | None, document_language: str | None = None
) -> str | None:
    """Why a sentence looks addressed to a model rather than to readers, or None."""
    reason = _first_markers(sentence, document_script) or _traits(sentence)
    if reason:
        return reason
    hidden = signals.encoded(sentence)
    if hidden:
        return f"encoded text ({hidden})"
    for form in signals.decoded_forms(sentence):
        if _traits(form) or _ADDRESSING_MODEL.search(form):
            return "instructions in disguise (decoded)"
    foreign = other_language(sentence, document_language)
    if foreign:
        article = _name(document_language or "")
        return (
            f"a sentence in {foreign} within an {article} article"
            if article[:1] in "AEIOU"
            else f"a sentence in {foreign} within a {article} article"
        )
    return None


def flag(text: str, sents: list[Sentence]) -> list[str | None]:
    """For each sentence, why it is suspect (None when it is not)."""
    document_script = dominant_script(text)
    document_language = (
        language.majority([s.text for s in sents]) if document_script == "Latin" else None
    )
    reasons = [suspicion(s.text, document_script, document_language) for s in sents]
    _spread(sents, reasons)
    _same_language_run(sents, reasons, document_language)
    return reasons


def _same_language_run(
    sents: list[Sentence], reasons: list[str | None], document_language: str | None
) -> None:
    """A short piece next to a sentence in another language, in that language too, is its part.

    A splitter cuts "Das Datum ist der 5. Mai 2014" after "5.": each half alone is too
    short to judge, so the neighbour of a foreign sentence is judged with less evidence."""
    if not document_language:
        return
    foreign = {i: r for i, r in enumerate(reasons) if r and r.startswith("a sentence in ")}
    for i in sorted(foreign):
        for j in (i - 1, i + 1):
            if (
                0 <= j < len(sents)
                and reasons[j] is None
                and sents[j].paragraph == sents[i].paragraph
            ):
                found = language.identify(sents[j].text, min_words=2)
                if found and found[0] != document_language and found[1] >= 0.5:
                    reasons[j] = (
                        f"part of the passage in another language at [{sents[i].start}:{sents[i].end}]"
                    )


def _spread(sents: list[Sentence], reasons: list[str | None]) -> None:
    """What a suspect sentence introduces, or the message it carries on, is suspect too."""
    found = [r is not None for r in reasons]
    for i, origin in enumerate(sents):
        if not found[i]:
            continue
        introduced = signals.introduces(origin.text)
        unclosed = signals.opens_unclosed(origin.text)
        carried = 0
        for j in range(i + 1, len(sents)):
            current = sents[j]
            if not signals.fragment(current.text):
                carried += 1
            if carried > CARRY_ON:
                break
            if found[j]:
                break  # a suspect of its own: it spreads from there
            same_paragraph = current.paragraph == sents[j - 1].paragraph
            if not (
                (j == i + 1 and (introduced or unclosed))
                or (same_paragraph and (unclosed or signals.weak(current.text)))
            ):
                break
            reasons[j] = f"part of the message at [{origin.start}:{origin.end}]"
            unclosed = (unclosed and not _closes(current.text)) or signals.opens_unclosed(
                current.text
            )


def _closes(sentence: str) -> bool:
    return bool(re.search(r"[\"”»\]\)>]\s*[.!?]?\s*$", sentence))


def screen(text: str, sents: list[Sentence]) -> tuple[list[Sentence], list[str]]:
    """The sentences safe to build output from, and one warning per suspect sentence."""
    kept, warnings = [], []
    for sentence, reason in zip(sents, flag(text, sents)):
        if reason is None:
            kept.append(sentence)
        else:
            warnings.append(f"ignored the sentence at [{sentence.start}:{sentence.end}]: {reason}")
    return kept, warnings


def blank(text: str, kept: list[Sentence], sents: list[Sentence]) -> str:
    """``text`` with every suspect sentence blanked out (same length, same offsets).

    For the code that reads dates off the whole text: a date planted in a suspect
    sentence must not anchor or date anything."""
    keep = {s.index for s in kept}
    chars = list(text)
    for s in sents:
        if s.index not in keep:
            chars[s.start : s.end] = re.sub(r"\S", " ", text[s.start : s.end])
    return "".join(chars)


__all__ = ["blank", "dominant_script", "flag", "screen", "suspicion"]
