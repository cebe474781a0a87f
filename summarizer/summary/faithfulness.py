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

* **claim check** (``unsupported_claims``): a freely written line against the sentences it
  cites, part by part: its **numbers** and **dates** (digits, number words, months,
  weekdays) must be the cited text's; a **modal cue** of the source (may, will, plans to,
  ready to, readiness, sought to ...) whose scope the line keeps must stay modal in the line;
  a **negation** the line adds must be the source's; and every **pair** of neighbouring
  content words in the line (who with what they did, a verb with its object) must stand
  together (within ``PAIR_WINDOW`` words) in one cited sentence.

The checks are deliberately narrow: each flags only what it can tell from word order, so a
flagged line is worth re-asking or replacing, and a clean one is not proven faithful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..dates.lexicon import SMALL_NUMBERS, TENS
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
PLACE_NOUNS = frozenset(  # 'the city of Pokrovsk': a place, as 'in Pokrovsk' is
    "city town village region province state county district island port capital".split()
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
    line_roots = {_root(w) for w in content_words(line)}
    problems = []
    for cue in NEGATIONS.finditer(source):
        clause = re.split(r"[.,;:!?\"“”‘’()]|\s[-–—]\s", source[cue.end() :], maxsplit=1)[0]
        scope = [
            w for w in re.findall(r"\w+", clause.lower()) if w not in STOPWORDS and len(w) > 1
        ][:NEGATION_SCOPE]
        # the negated word is the first of its clause after the cue ('did not sign the ...')
        kept = scope[:1] if scope and _root(scope[0]) in line_roots else []
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
            elif (
                before in PLACE_PREPOSITIONS
                or (before == "the" and before2 in PLACE_PREPOSITIONS)
                or (before == "of" and before2 in PLACE_NOUNS)
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


# --------------------------------------------------------------------- claim by claim

PAIR_WINDOW = 8  # a line's neighbouring words must stand this close in a cited sentence
PAIR_GAP = 2  # words of the line this far apart (stopwords between) make a pair
MODAL_SCOPE = 3  # content words after a source's modal cue that it governs
MODAL_REACH = 6  # a line's modal cue this many words before a kept word keeps it modal
NEW_WORDS_SHARE = 0.34  # content words a line may bring that the cited text lacks (paraphrase)

MODAL_CUES = re.compile(
    r"\b(may(?!\s+\d)|might|could|would|will|shall|should|can|must|plans?|planned|planning|"
    r"intends?|intended|intention|aims?|aimed|hopes?|hoped|hoping|wants?|wanted|seeks?|sought|"
    r"seeking|tries|tried|trying|attempts?|attempted|ready|readiness|prepared|willing|"
    r"willingness|expected|expects?|likely|unlikely|possible|possibly|potential|potentially|"
    r"propos\w*|consider\w*|threat\w*|offer(?:s|ed)? to|set to|going to|calls? for|called for|"
    r"urg\w*|wish\w*|prospects?|open to|reportedly|allegedly|suspected)\b",
    re.I,
)
LINE_MODAL = re.compile(MODAL_CUES.pattern + r"|\bto\b|\bif\b|\?", re.I)  # 'Talks to resume'
NUMBER_WORDS = {
    **SMALL_NUMBERS,
    **TENS,
    "hundred": 100,
    "thousand": 1000,
    "million": 10**6,
    "billion": 10**9,
    "dozen": 12,
}
DATE_WORDS = frozenset(
    "january february march april june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_CLAIM_TOKEN = re.compile(
    r"(?:\d[\d,.]*\d|\d)(?:st|nd|rd|th)?|[^\W\d_][\w’']*|[.,;:!?()\"“”]| [-–—] "
)
_CLAUSE_BREAK = frozenset(list('.,;:!?()"“”') + [" - ", " – ", " — "])
# words that open another clause or a circumstance: the words either side are no pair
PAIR_BREAKS = frozenset(
    "and or but as while amid after before when because since despite though although "
    "until unless if than then so yet nor whereas during following".split()
)


def _claim_tokens(text: str) -> list[str]:
    """Lower-cased words and numbers (commas and a final stop out of numbers), with the
    punctuation that ends a clause."""
    tokens = []
    for t in _CLAIM_TOKEN.findall(text):
        t = t.lower()
        if t[0].isdigit():
            t = t.rstrip(".").replace(",", "")
        tokens.append(t)
    return tokens


def _key(token: str) -> str | None:
    """A content token's form-blind key (numbers as written, words by five letters), None
    for a stopword or punctuation."""
    if token in _CLAUSE_BREAK or token.strip() in _CLAUSE_BREAK:
        return None
    if token[0].isdigit():
        return token
    if token in NUMBER_WORDS and token != "one":  # 'one of them' is no number
        return str(NUMBER_WORDS[token])
    token = re.sub(r"[’']s$", "", token)
    if len(token) < 2 or token in STOPWORDS:
        return None
    return _root(token)  # "opens" ~ "open" ~ "opened"


def _cited_sentences(cited: str) -> list[list[str]]:
    return [_claim_tokens(s) for s in re.split(r"(?<=[.!?])\s+|\n+", cited) if s.strip()]


def unsupported_numbers(line: str, cited: str) -> list[str]:
    """Numbers and dates (digits, number words, months, weekdays) the cited text lacks."""
    have = {_key(t) for s in _cited_sentences(cited) for t in s} | {
        t for s in _cited_sentences(cited) for t in s if t in DATE_WORDS
    }
    problems = []
    for token in _claim_tokens(line):
        key = _key(token)
        if token in DATE_WORDS and token not in have:
            problems.append(f"gives the date {token!r}, which the cited text does not")
        elif key is not None and key.isdigit() and key not in have:
            problems.append(f"gives the number {token!r}, which the cited text does not")
    return problems[:1]


def added_negation(line: str, cited: str) -> list[str]:
    """A negation in the line where the cited text has none."""
    found = NEGATIONS.search(line)
    if found and not NEGATIONS.search(cited):
        return [f"adds the negation {found.group().strip()!r}; the cited text has none"]
    return []


def dropped_modality(line: str, cited: str) -> list[str]:
    """The cited text says something may, will or is meant to happen ('ready to resume
    talks'); the line keeps those words without any modal word before them."""
    line_tokens = _claim_tokens(line)
    scoped: dict[str, str] = {}  # key -> the cue governing it
    free: set[str] = set()  # keys stated outside any modal scope
    for sentence in _cited_sentences(cited):
        text = " ".join(sentence)
        cue_ends = [m for m in MODAL_CUES.finditer(text)]
        governed: dict[int, str] = {}
        for cue in cue_ends:
            start = len(text[: cue.end()].split())
            taken = 0
            for i in range(start, len(sentence)):
                if sentence[i] in _CLAUSE_BREAK or taken >= MODAL_SCOPE:
                    break
                if _key(sentence[i]) is not None:
                    governed.setdefault(i, cue.group())
                    taken += 1
        for i, token in enumerate(sentence):
            key = _key(token)
            if key is None or MODAL_CUES.fullmatch(token):
                continue
            if i in governed:
                scoped.setdefault(key, governed[i])
            else:
                free.add(key)
    for j, token in enumerate(line_tokens):
        key = _key(token)
        if key is None or key not in scoped or key in free:
            continue
        before = " ".join(line_tokens[max(0, j - MODAL_REACH) : j])
        clause = re.split(r" [.,;:!?()] ", f" {before}")[-1]
        if not LINE_MODAL.search(clause):
            return [f"states {token!r} as done; the cited text has it under {scoped[key]!r}"]
    return []


def unpaired_words(line: str, cited: str, article: str | None = None) -> list[str]:
    """Neighbouring words of the line, one of them a name or a number of the cited text (an
    actor and what it did, a figure and what it counts), that no cited sentence has within
    ``PAIR_WINDOW`` words of each other (or no sentence of the ``article``, when given:
    a pair is judged when both its words are cited, and found anywhere)."""
    known = {k for s in _cited_sentences(cited) for t in s if (k := _key(t)) is not None}
    places: list[dict[str, list[int]]] = []
    for sentence in _cited_sentences(article or cited):
        where: dict[str, list[int]] = {}
        for i, token in enumerate(sentence):
            key = _key(token)
            if key is not None:
                where.setdefault(key, []).append(i)
        places.append(where)
    entities = {
        k for name in names(cited) for part in _claim_tokens(name) if (k := _key(part)) is not None
    } | {k for k in known if k.isdigit()}
    tokens = _claim_tokens(line)
    previous: tuple[int, str, str] | None = None
    for i, token in enumerate(tokens):
        key = _key(token)
        if token in _CLAUSE_BREAK or token.strip() in _CLAUSE_BREAK or token in PAIR_BREAKS:
            previous = None
            continue
        if key is None:
            continue
        if (
            previous is not None
            and key in known
            and previous[1] in known
            and key != previous[1]
            and (key in entities or previous[1] in entities)
            and i - previous[0] - 1 <= PAIR_GAP
        ):
            together = any(
                abs(p - q) <= PAIR_WINDOW
                for where in places
                for p in where.get(key, [])
                for q in where.get(previous[1], [])
            )
            if not together:
                return [f"puts {previous[2]!r} with {token!r}; no cited sentence has them together"]
        previous = (i, key, token)
    return []


def citing(line: str, sentences: list[str], best: int = 2) -> list[int]:
    """The sentences a line draws on: the ``best`` that share most of its content words,
    and for each of its numbers and dates the best sharing one that has it."""
    line_keys = {k for t in _claim_tokens(line) if (k := _key(t)) is not None}
    details = {k for t in _claim_tokens(line) if (k := _key(t)) is not None and k.isdigit()} | {
        t for t in _claim_tokens(line) if t in DATE_WORDS
    }
    keyed = [
        {k for t in _claim_tokens(s) if (k := _key(t)) is not None}
        | {t for t in _claim_tokens(s) if t in DATE_WORDS}
        for s in sentences
    ]
    order = sorted(range(len(sentences)), key=lambda i: (-len(keyed[i] & line_keys), i))
    chosen = [i for i in order[:best] if keyed[i] & line_keys]
    for detail in details:
        if any(detail in keyed[i] for i in chosen):
            continue
        having = next((i for i in order if detail in keyed[i]), None)
        if having is not None:
            chosen.append(having)
    return sorted(chosen)


def new_words(line: str, cited: str) -> list[str]:
    """More of the line's content words than a paraphrase needs that the cited text lacks."""
    have = {_key(t) for s in _cited_sentences(cited) for t in s}
    keys = [(_key(t), t) for t in _claim_tokens(line)]
    words_ = [(k, t) for k, t in keys if k is not None and not k.isdigit()]
    missing = [t for k, t in words_ if k not in have]
    if words_ and len(missing) > NEW_WORDS_SHARE * len(words_):
        return [f"says things the cited text does not ({', '.join(missing[:4])})"]
    return []


def closest(line: str, cited: str) -> str:
    """The cited sentence sharing most content words with the line (the first on a tie)."""
    line_keys = {k for t in _claim_tokens(line) if (k := _key(t)) is not None}
    parts = [s for s in re.split(r"(?<=[.!?])\s+|\n+", cited) if s.strip()] or [cited]
    return max(
        parts,
        key=lambda s: len(line_keys & {k for t in _claim_tokens(s) if (k := _key(t)) is not None}),
    )


def unsupported_claims(line: str, cited: str, article: str | None = None) -> list[str]:
    """What a freely written line says that the sentences it cites do not (module doc:
    claim check); the single-sentence checks against the closest of them; new words, and the
    pairs of cited words, looked up in the whole ``article`` when given (a paraphrase borrows
    words from anywhere in it, and words that stand together somewhere in it are no
    recombination). Not the
    attribution check: on FRANK's tune part it flagged 102 system summaries at 0.38 precision,
    under the 0.41 share of unfaithful ones (humans there do not count a dropped "said")."""
    source = closest(line, cited)
    whole = f"{cited}\n{article}" if article else cited  # the cited text may be the title
    return (
        dropped_negation(line, source)
        + dropped_hedge(line, source)
        + moved_place(line, source)
        + swapped_agents(line, source)
        + unsupported_numbers(line, cited)
        + added_negation(line, cited)
        + dropped_modality(line, cited)
        + unpaired_words(line, cited, whole)
        + new_words(line, whole)
    )


__all__ = [
    "added_negation",
    "citing",
    "closest",
    "dropped_attribution",
    "dropped_modality",
    "new_words",
    "unpaired_words",
    "unsupported_claims",
    "unsupported_numbers",
    "dropped_hedge",
    "dropped_negation",
    "moved_place",
    "names",
    "problems",
    "swapped_agents",
]
