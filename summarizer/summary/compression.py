"""Deletion-only compression: a sentence shortened by deleting words, never by rewriting.

Terms:

* **words**: the sentence split on whitespace, punctuation left attached ("Monday,").
* **deletion grammar**: a GBNF grammar (``grammar``) that lets the model write JSON
  ``{"text": "..."}`` whose words are the sentence's own, in order, each optional: it can
  drop words but never add, reorder or change one (measured on the 0.5B model: free
  rewrites swap who did what; deletions keep it).
* **restoring**: code puts back what a deletion must not lose (``restore``): a negation
  whose scope is kept, the attribution (who said it) of a kept claim, numbers and dates
  whole, multiword names whole.
* **usable**: a compression that still has a verb of the sentence, at least
  ``MIN_WORDS`` words, and fits the word limit (``usable``); otherwise the caller
  falls back to the sentence or its clip.
"""

from __future__ import annotations

import json
import re

from .faithfulness import ATTRIBUTION, NEGATIONS

MIN_WORDS = 3
NUMBER_WORDS = frozenset(
    "million billion trillion thousand hundred percent per cent % dollars "
    "pounds euros years months weeks days hours minutes people".split()
)
MONTHS = frozenset(
    "january february march april may june july august september october "
    "november december jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
AUXILIARIES = frozenset(
    "is are was were be been being has have had will would can could should "
    "may might must do does did won't can't isn't wasn't aren't weren't "
    "hasn't haven't hadn't doesn't didn't".split()
)
IRREGULAR = frozenset(
    """said says told took won made met left led held came went gave found began
fell rose hit put set cut shot struck lost sold paid ran saw got brought built kept sent spent
thought became broke chose drove flew grew knew spoke stole threw wrote fought caught sought
taught bought meant felt heard stood understood seized killed died""".split()
)
CONJUNCTIONS = frozenset("and but or as while even so yet because although though if".split())
DANGLING = CONJUNCTIONS | frozenset(
    "a an the of to in on at for from by with into over than that "
    "which who whose whom where when its his her their our "
    "fewer more less about".split()
)
SPEAKER_REACH = 4  # words before an attribution verb that may name the speaker
_EDGE = "\"'“”‘’(),.;:!?"


def words_of(sentence: str) -> list[str]:
    return sentence.split()


def _bare(word: str) -> str:
    return word.strip(_EDGE).lower()


# --------------------------------------------------------------------- the grammar


def _literal(text: str) -> str:
    """A GBNF string literal whose match is ``text`` as it stands inside a JSON string."""
    inner = json.dumps(text, ensure_ascii=False)[1:-1]  # JSON-escaped: \" and \\
    return '"' + inner.replace("\\", "\\\\").replace('"', '\\"') + '"'


def grammar(sentence: str, most: int | None = None) -> str:
    """GBNF for ``{"text": "<the sentence's words, in order, each optional>"}``.

    Rule ``aI`` stands before word I with nothing written yet, ``bI-K`` after K words (so
    words are joined by single spaces, none leading); with ``most``, writing stops after
    that many words (measured on the 0.5B model: told the limit but not held to it, it
    kept 20-37 words of 25-40-word sentences)."""
    ws = words_of(sentence)
    n = len(ws)
    cap = n if most is None else max(1, min(most, n))
    lines = ['root ::= "{\\"text\\": \\"" a0 "\\"}"']
    for i, word in enumerate(ws):
        lit = _literal(word)
        lines.append(f"a{i} ::= {lit} b{i + 1}-1 | a{i + 1}")
        for k in range(1, min(i, cap) + 1):
            step = f'" " {lit} b{i + 1}-{k + 1} | ' if k < cap else ""
            lines.append(f"b{i}-{k} ::= {step}b{i + 1}-{k}")
    lines.append(f'a{n} ::= ""')
    lines += [f'b{n}-{k} ::= ""' for k in range(1, min(n, cap) + 1)]
    return "\n".join(lines) + "\n"


def align(output: str, sentence: str) -> list[int] | None:
    """Indices of the sentence's words the output keeps (greedy, in order), or None when
    the output is not a subsequence of the sentence's words (a backend without grammars)."""
    ws = words_of(sentence)
    kept, at = [], 0
    for word in output.split():
        while at < len(ws) and ws[at] != word:
            at += 1
        if at == len(ws):
            return None
        kept.append(at)
        at += 1
    return kept


# --------------------------------------------------------------------- restoring


def _negation_words(ws: list[str]) -> list[int]:
    return [
        i
        for i, w in enumerate(ws)
        if NEGATIONS.fullmatch(_bare(w))
        or re.search(r"n[’']t$", _bare(w))
        or _bare(w) in {"failed", "fails", "refused", "refuses"}
        and i + 1 < len(ws)
        and _bare(ws[i + 1]) == "to"
    ]


def _is_number(word: str) -> bool:
    return bool(re.search(r"\d", word))


def _date_or_number_groups(ws: list[str]) -> list[range]:
    """Runs of words that make one number or date ("$5 million", "on March 3, 2024")."""
    groups, i = [], 0
    while i < len(ws):
        w = _bare(ws[i])
        if _is_number(ws[i]) or w in MONTHS or w in WEEKDAYS:
            start, end = i, i + 1
            while (
                end < len(ws)
                and (_is_number(ws[end]) or _bare(ws[end]) in MONTHS | NUMBER_WORDS | WEEKDAYS)
                and not ws[end - 1].endswith((".", ";"))
            ):
                end += 1
            if start > 0 and ws[start - 1].startswith("$"):
                start -= 1
            groups.append(range(start, end))
            i = end
        else:
            i += 1
    return groups


def _name_groups(ws: list[str]) -> list[range]:
    """Runs of two or more capitalised words ("Sukhyi Yar", "Defense Ministry")."""
    groups, i = [], 0
    while i < len(ws):
        j = i
        while (
            j < len(ws)
            and ws[j].strip(_EDGE)[:1].isupper()
            and (j == i or not ws[j - 1].endswith((",", ".", ";", ":")))
        ):
            j += 1
        if j - i >= 2:
            groups.append(range(i, j))
        i = max(j, i + 1)
    return groups


def _attribution(ws: list[str]) -> list[int]:
    """The attribution verb (or 'according to') and the speaker words around it."""
    for i, w in enumerate(ws):
        bare = _bare(w)
        if bare == "according" and i + 1 < len(ws) and _bare(ws[i + 1]) == "to":
            after = [j for j in range(i + 2, min(len(ws), i + 2 + SPEAKER_REACH))]
            stop = next(
                (k for k, j in enumerate(after) if ws[j].endswith((",", ".", ";"))), len(after) - 1
            )
            return [i, i + 1, *after[: stop + 1]]
        if ATTRIBUTION.fullmatch(bare) and bare not in {"reports", "states", "sources", "claims"}:
            before: list[int] = []
            for j in range(i - 1, max(-1, i - 1 - SPEAKER_REACH), -1):
                if ws[j].endswith((",", ".", ";", ":")):
                    break
                before.insert(0, j)
            if not before:  # '..., the minister said.'
                return [i, *[j for j in range(i + 1, min(len(ws), i + 1 + SPEAKER_REACH))][:3]]
            return [*before, i]
    return []


def restore(kept: list[int], sentence: str) -> list[int]:
    """``kept`` plus what a deletion must not lose, sorted (see the module docstring)."""
    ws = words_of(sentence)
    keep = set(kept)
    for i in _negation_words(ws):  # a negation whose next words are kept
        if any(j in keep for j in range(i + 1, min(len(ws), i + 4))):
            keep.add(i)
            if _bare(ws[i]) in {"failed", "fails", "refused", "refuses"}:
                keep.add(i + 1)
            if i and _bare(ws[i - 1]) in AUXILIARIES:  # 'had not', 'did not': the verb group whole
                keep.add(i - 1)
    for group in _date_or_number_groups(ws) + _name_groups(ws):
        if keep & set(group):
            keep |= set(group)
    speaker = _attribution(ws)
    if speaker and keep - set(speaker) and not keep & set(speaker[-1:] + speaker[:1]):
        keep |= set(speaker)
    return sorted(keep)


# --------------------------------------------------------------------- checks


def verbs(ws: list[str]) -> list[int]:
    """Words that are likely verbs: auxiliaries, common irregular forms, -ed forms."""
    found = []
    for i, w in enumerate(ws):
        bare = _bare(w)
        if (
            bare in AUXILIARIES
            or bare in IRREGULAR
            or ATTRIBUTION.fullmatch(bare)
            or (bare.endswith("ed") and len(bare) > 4 and not w[:1].isupper())
        ):
            found.append(i)
    return found


def usable(kept: list[int], sentence: str, limit: int) -> list[str]:
    """Why a compression (kept word indices) cannot stand for the sentence; empty if it can."""
    ws = words_of(sentence)
    problems = []
    if len(kept) < MIN_WORDS:
        problems.append(f"keeps only {len(kept)} words")
    if len(kept) > limit:
        problems.append(f"has {len(kept)} words; the limit is {limit}")
    sentence_verbs = verbs(ws)
    if sentence_verbs and not set(sentence_verbs) & set(kept):
        problems.append("loses every verb of the sentence")
    if any(0 < len(set(q) & set(kept)) < len(q) for q in quotations(ws)):
        problems.append(
            "keeps only part of a quotation (a speaker's words are kept whole or not at all)"
        )
    if kept and not ends_a_phrase(kept[-1], ws):
        problems.append(f"stops mid-phrase, before {_bare(ws[kept[-1] + 1])!r}")
    return problems


# words that open a phrase a sentence can lose from its end ("rejected the plan | after a
# long debate"); "of", "and", "that" and names are not among them: cut before them, a
# sentence loses half of what it names ("between Zelensky | and Putin", "insisted | that")
PHRASE_OPENERS = frozenset(
    "after before in on at with as while when since because amid "
    "during despite following until near from by over under into against "
    "across through without ahead even though although where which who "
    "including".split()
)


def quotations(ws: list[str]) -> list[list[int]]:
    """The word indices of each quotation in the sentence ("... “there were indeed contacts” ...")."""
    found: list[list[int]] = []
    current: list[int] | None = None
    for i, w in enumerate(ws):
        opens = current is None and w[:1] in '“"'
        if opens:
            current = []
        if current is None:
            continue
        current.append(i)
        end = w.rstrip(".,;:!?)")
        if end[-1:] in '”"' and not (opens and len(end) == 1):  # a lone mark opens only
            found.append(current)
            current = None
    return found


def ends_a_phrase(last: int, ws: list[str]) -> bool:
    """Whether a compression may end at word ``last``: the sentence's end, a word with
    punctuation after it, or a word before one that opens a new phrase."""
    return (
        last + 1 >= len(ws)
        or ws[last][-1:] in ",.;:!?)”’\"'"
        or _bare(ws[last + 1]) in PHRASE_OPENERS
    )


def tidy(kept: list[int], sentence: str) -> list[int]:
    """``kept`` without a dangling end ('..., even as') or a doubled conjunction ('and but'):
    a capped grammar often stops mid-clause."""
    ws = words_of(sentence)
    out = [
        i
        for n, i in enumerate(kept)
        if not (
            n + 1 < len(kept)
            and _bare(ws[i]) in CONJUNCTIONS
            and _bare(ws[kept[n + 1]]) in CONJUNCTIONS
        )
    ]
    while len(out) > MIN_WORDS and (_bare(ws[out[-1]]) in DANGLING or ws[out[-1]][-1:] in "“‘("):
        out.pop()
    return out


def _balanced(text: str) -> str:
    # a quote whose other half was deleted goes too
    for open_, close in (("“", "”"), ("‘", "’")):
        if text.count(open_) != text.count(close):
            text = text.replace(open_, "").replace(close, "") if open_ == "“" else text
    if text.count('"') % 2:
        text = text.replace('"', "")
    return text


def text_of(kept: list[int], sentence: str) -> str:
    """The kept words joined, tidied, with a trailing comma or semicolon trimmed."""
    ws = words_of(sentence)
    text = _balanced(" ".join(ws[i] for i in tidy(kept, sentence))).rstrip(",;:—-– ")
    return text[:1].upper() + text[1:] if text else text


__all__ = ["align", "grammar", "restore", "text_of", "usable", "verbs"]
