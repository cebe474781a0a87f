"""Faithfulness: does a model-written line (headline, description, key point) keep what its
source sentence says? Model-free checks, each returning a list of problems (empty: none found).

Terms:

* **negation cue**: not, never, no, n't, without, failed to, ... (``NEGATIONS``); its
  **scope** is the few content words after it.
* **attribution**: the source reports a claim (``X said``, ``announced``, ``according to``);
  the line must keep some attribution word or its speaker, or it states the claim as fact.
* **hedge**: a noun that makes what follows a claim ("claims from the Kremlin that ...",
  "reports that ..."); a line that keeps the claim's words must keep the noun too.
* **name**: a run of capitalised words in the source (``Sukhyi Yar``, ``Defense Ministry``),
  looked up in the line case-blind (headlines are title-cased); names compare by their first
  five letters, so ``Russia`` ~ ``Russian``.
* **role** of a name where it stands: **place** after a place preposition (``in Moscow``),
  **possessor** before ``'s`` (``Moscow's``); an **agent** swap is two names on either side
  of a shared word (the main verb) that stand in the opposite order in the line.

The checks are deliberately narrow: each flags only what it can tell from word order, so a
flagged line is worth re-asking or replacing, and a clean one is not proven faithful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..grounding import STOPWORDS, content_words, reporting_pattern

NEGATIONS = re.compile(
    r"\b(not|never|no|none|nobody|nothing|neither|nor|without|cannot|failed to|fails to|"
    r"fail to|refused to|refuses to|denied|denies|deny)\b|n[’']t\b",
    re.I,
)
NEGATION_SCOPE = 2  # content words after a cue that it negates (more reach other clauses)
ATTRIBUTION = re.compile(reporting_pattern(nouns=False), re.I)  # no nouns ('reports', 'claims')
# in a line, nouns and verbs that keep a claim a claim ('Reports of ...', 'claims from ...')
KEEPS_CLAIM = re.compile(
    ATTRIBUTION.pattern[:-3] + r"|claims?|reports?|sources?|statement|"
    r"maintains?|maintained|insist)\b",
    re.I,
)
TRAILING_SPEAKER = 4  # '..., the minister said.': at most this many words after the verb
PLACE_PREPOSITIONS = frozenset(
    "in at near inside outside across into throughout around from".split()
)
PASSIVE_BY = re.compile(r"\b(was|were|is|are|been|being|be)\b\s+\w+\s+by\b", re.I)
_TOKEN = re.compile(r"[\w’'-]+|[^\w\s]")
_CAPITAL = re.compile(r"[A-Z][\w’'-]*$")
NOT_NAMES = STOPWORDS | frozenset(
    "mr mrs ms dr monday tuesday wednesday thursday friday saturday "
    "sunday last next earlier later".split()
)


def _words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text)]


def _stem(word: str) -> str:
    return re.sub(r"[’']s$", "", word.lower())[:5]


def _root(word: str) -> str:
    """A verb's form-blind key: 'sued' ~ 'sues' ~ 'suing'."""
    word = word.lower()
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)][:5]
    return word[:5]


# --------------------------------------------------------------------- negation


def dropped_negation(line: str, source: str) -> list[str]:
    """A negation of the source whose scope the line keeps, with no negation in the line."""
    if NEGATIONS.search(line):
        return []
    line_stems = {w[:5] for w in content_words(line)}
    problems = []
    for cue in NEGATIONS.finditer(source):
        scope = [
            w
            for w in re.findall(r"\w+", source[cue.end() :].lower())
            if w not in STOPWORDS and len(w) > 1
        ][:NEGATION_SCOPE]
        kept = [w for w in scope if w[:5] in line_stems]
        if kept:
            problems.append(
                f"drops the negation {cue.group().strip()!r} of the source (before {kept[0]!r})"
            )
    return problems[:1]


# --------------------------------------------------------------------- attribution


def _clauses(source: str) -> list[str]:
    return [c for c in re.split(r";|, (?:and|but|while|as) |\. ", source) if c.strip()]


def dropped_attribution(line: str, source: str) -> list[str]:
    """The source reports a claim; the line states its content as fact (no speaker, no
    attribution word)."""
    if KEEPS_CLAIM.search(line) or ":" in line:  # 'Kremlin: talks possible' keeps the speaker
        return []
    line_words = {w[:5] for w in content_words(line)}
    if not line_words:
        return []
    for clause in _clauses(source):
        found = ATTRIBUTION.search(clause)
        if not found:
            continue
        trailing = len(clause[found.end() :].split()) <= TRAILING_SPEAKER
        claim = clause[: found.start()] if trailing else clause[found.end() :]
        speaker = (
            clause[found.end() :]
            if trailing
            else " ".join(clause[: found.start()].split()[-TRAILING_SPEAKER:])
        )
        claim_words = {w[:5] for w in content_words(claim)}
        speaker_words = {w[:5] for w in content_words(speaker)}
        from_claim = line_words & claim_words
        if len(from_claim) * 2 >= len(line_words) and not (speaker_words & line_words):
            return [
                f"states as fact what the source attributes ({found.group()!r}); keep who said it"
            ]
    return []


# a noun that makes what follows someone's claim: "claims from the Kremlin that the UK sought"
HEDGE = re.compile(
    r"\b(claims?|allegations?|accusations?|reports?|rumou?rs?|suggestions?)\b"
    r"(?:\s+[\w’'-]+){0,4}?\s+that\b",
    re.I,
)
HEDGE_KEPT = 2  # content words of the claim a line may take without its hedge


def dropped_hedge(line: str, source: str) -> list[str]:
    """The source calls something a claim ("claims that", "reports that"); the line keeps
    the claim's words but not the claim."""
    line_words = {w[:5] for w in content_words(line)}
    for found in HEDGE.finditer(source):
        noun = found.group(1).lower()
        if re.search(rf"\b{re.escape(noun[:5])}", line, re.I):
            continue
        claim = re.split(r"[.;]\s", source[found.end() :], maxsplit=1)[0]
        if len(line_words & {w[:5] for w in content_words(claim)}) >= HEDGE_KEPT:
            return [f"states as fact what the source calls {noun!r}; keep it a claim"]
    return []


# --------------------------------------------------------------------- names and roles


def names(text: str) -> list[str]:
    """Runs of capitalised words (multiword names whole), in order, as written."""
    found: list[str] = []
    run: list[str] = []
    tokens = _words(text)
    for i, tok in enumerate(tokens):
        opener = i == 0 or tokens[i - 1] in {".", "!", "?", '"', "“", "‘"}
        if _CAPITAL.match(tok) and not (tok.lower() in NOT_NAMES and (opener or not run)):
            run.append(re.sub(r"[’']s$", "", tok))
            if re.search(r"[’']s$", tok):  # a possessive ends the name
                found.append(" ".join(run))
                run = []
        else:
            if run:
                found.append(" ".join(run))
            run = []
    if run:
        found.append(" ".join(run))
    return found


@dataclass(frozen=True)
class Mention:
    name: str  # the source's spelling
    position: int  # token index in the text it was found in
    role: str  # place, possessor or plain


def mentions(text: str, known: list[str]) -> list[Mention]:
    """Where each of the ``known`` names stands in ``text`` (case-blind, by stems)."""
    tokens = _words(text)
    lower = [_stem(t) for t in tokens]
    found = []
    for name in dict.fromkeys(known):
        parts = [_stem(p) for p in name.split()]
        for i in range(len(tokens) - len(parts) + 1):
            if lower[i : i + len(parts)] != parts:
                continue
            last = tokens[i + len(parts) - 1]
            before = tokens[i - 1].lower() if i else ""
            before2 = tokens[i - 2].lower() if i > 1 else ""
            if re.search(r"[’']s$", last) or tokens[i + len(parts) : i + len(parts) + 1] in (
                ["'s"],
                ["’s"],
            ):
                role = "possessor"
            elif before in PLACE_PREPOSITIONS or (
                before == "the" and before2 in PLACE_PREPOSITIONS
            ):
                role = "place"
            else:
                role = "plain"
            found.append(Mention(name, i, role))
    return found


def moved_place(line: str, source: str) -> list[str]:
    """A name the line makes a place ('in Moscow') that the source never uses as one, or a
    place of the source the line makes a possessor ('Moscow's')."""
    known = names(source)
    in_source = mentions(source, known)
    problems = []
    for m in mentions(line, known):
        roles = {s.role for s in in_source if s.name == m.name}
        if m.role == "place" and roles and "place" not in roles:
            was = "possessor" if "possessor" in roles else "actor"
            problems.append(f"makes {m.name!r} a place; in the source it is a {was}")
        elif m.role == "possessor" and roles == {"place"}:
            problems.append(f"makes {m.name!r} a possessor; in the source it is a place")
    return list(dict.fromkeys(problems))


def swapped_agents(line: str, source: str) -> list[str]:
    """Two names on either side of a word both texts share (the main verb, by stem), in the
    opposite order in the line; a passive ('was ... by') in either text flips its order."""
    known = [n for n in names(source)]
    src_tokens, line_tokens = _words(source), _words(line)
    src_m, line_m = mentions(source, known), mentions(line, known)
    if len(src_m) < 2 or len(line_m) < 2:
        return []
    src_stems = [_root(t) for t in src_tokens]
    line_stems = [_root(t) for t in line_tokens]
    name_stems = {_stem(p) for n in known for p in n.split()}
    for j, verb in enumerate(line_stems):
        if (
            not line_tokens[j].isalpha()
            or line_tokens[j].lower() in STOPWORDS
            or _stem(line_tokens[j]) in name_stems
        ):
            continue
        if verb not in src_stems:
            continue
        v = src_stems.index(verb)
        src_order = _around(src_m, v, source, src_tokens)
        line_order = _around(line_m, j, line, line_tokens)
        if (
            src_order
            and line_order
            and src_order == line_order[::-1]
            and src_order[0] != src_order[1]
        ):
            return [
                f"swaps who acts: the source has {src_order[0]!r} before "
                f"{src_tokens[v]!r} and {src_order[1]!r} after it; the line the reverse"
            ]
    return []


def _around(
    found: list[Mention], verb: int, text: str, tokens: list[str]
) -> tuple[str, str] | None:
    """The nearest name before and after token ``verb`` (agent first, passives flipped)."""
    before = [m for m in found if m.position < verb and m.role != "place"]
    after = [m for m in found if m.position > verb and m.role != "place"]
    if not before or not after:
        return None
    pair = (before[-1].name, after[0].name)
    passive = PASSIVE_BY.search(" ".join(tokens[max(0, verb - 2) : verb + 6]))
    return pair[::-1] if passive else pair


# --------------------------------------------------------------------- all together


def problems(line: str, source: str) -> list[str]:
    """Every problem the checks find in ``line`` against its ``source`` sentence."""
    return (
        dropped_negation(line, source)
        + dropped_attribution(line, source)
        + dropped_hedge(line, source)
        + moved_place(line, source)
        + swapped_agents(line, source)
    )


__all__ = [
    "dropped_attribution",
    "dropped_hedge",
    "dropped_negation",
    "moved_place",
    "names",
    "problems",
    "swapped_agents",
]
