"""Segmentation: a document's sentences and paragraphs, each with its span in the text.

Paragraphs are runs of text between blank lines (between line breaks when the text has
none); a single line break ends a sentence too (titles, datelines, list items). Every
span is an offset pair into the original string, with surrounding whitespace trimmed.

Sentence ends, the **first cut** (``_first_cuts``), are found by one linear scan of each
line with patterns compiled at import. A *stop* is ``.``, ``?``, ``!``, or a run of them
(``...``, ``?!``, ``…``), with any closing quotes and brackets after it (``."``, ``.''``,
``.)``: they stay with their sentence), then a space. It ends a sentence when the next word,
past opening quotes, brackets and a currency sign, opens one: a capital, a digit, or a
name with a small first letter ("iPhone"); never a lower-case word. An ellipsis ends one
only before a capital. A lone full stop is then judged by the word before it:

* a *title* ("Mr.", "Dr.", "Gen.", "St.", "vs.") never ends a sentence;
* *initials and dotted short forms* ("U.S.", "p.m.", "Ph.D.", "J.") and *other short
  forms* ("Inc.", "Jr.", "etc.", "Calif.") end one only before a word that usually opens a
  sentence (``_STARTERS``: "... in the U.S. The company" ends, "U.S. Army" does not);
* a short form that stands *before a number* ("No. 5", "Jan. 5", "p. 12") ends none
  before a digit; numbers themselves ("3.5", "$3.5 million") hold no space after the stop;
* a *list marker* ("1.", "iv.") opening its sentence ends none ("1. First item").

A numbered list run together on one line ("... snacks 2. Ramen soup is ... 3. He ...") is
cut before each item (``_list_items``); a full-width stop (``。！？``) ends a sentence with
no space after it. Quotations of several sentences are cut into their sentences (as
MEANTIME's gold cuts them; pysbd kept them whole). The short-form lists are ours
(``_TITLES``, ``_BEFORE_NUMBER``, ``_SHORT_FORMS``). Against MEANTIME's gold boundaries
(Apple topic, bodies run together into one paragraph; the rules were written with them in
view) this scan finds 373 of 373 with none wrong; pysbd, which it replaced, 365 and 3
wrong (``bench/segment_boundaries.py``), at about 0.03x the cost of one pysbd pass.

Two kinds of text get a **second cut**, as a capital cannot open their sentences:

* **tokenised** text (Penn-Treebank style, as in some CNN/DailyMail releases: a space
  before every stop and comma, ``-lrb-`` for "(", ````` and ``''`` for quotes): a stop
  standing alone as a token ends a sentence (``"kathmandu , nepal . and they"``); the
  first cut is skipped;
* **caseless** text (lower-cased: speech recognition, OCR, older corpora): a stop after
  a word that is no abbreviation, then a space, ends a sentence (``"nepal. and they"``).

A "sentence" longer than ``MAX_SENTENCE_CHARS`` (a 40 KB line without a full stop,
a table flattened into one line) is cut into pieces at its last clause break
(``;``, ``,``, a dash, a colon) or space before the limit: every prompt built from
one sentence then fits the model's context, and the text stays input, never a
backend failure. News sentences are far shorter (CNN/DM and BBC training
articles, 47,878 sentences: median 118 characters, 99.9th percentile 1,474;
18 were longer than 2,000, all lists or tables that lost their stops).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from .schemas import Span

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n|\r\n[ \t]*\r\n")
MAX_SENTENCE_CHARS = 2000  # about 500 tokens of English; any script stays under 4096
_CLAUSE_BREAK = re.compile(r"[;,:\u2013\u2014]\s|\s[-\u2013\u2014]\s")


@dataclass(frozen=True)
class Sentence:
    index: int
    paragraph: int
    start: int
    end: int
    text: str

    @property
    def span(self) -> Span:
        return Span(start=self.start, end=self.end)


_LINE_BREAK = re.compile(r"\r?\n")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each paragraph: runs between blank lines, or between line
    breaks when the text has no blank line at all (one paragraph or sentence a line)."""
    breaks = _PARAGRAPH_BREAK if _PARAGRAPH_BREAK.search(text) else _LINE_BREAK
    bounds, start = [], 0
    for brk in breaks.finditer(text):
        bounds.append((start, brk.start()))
        start = brk.end()
    bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Single line breaks inside a sentence end it too (titles, datelines, list items)."""
    pieces, cursor = [], start
    for match in _LINE_BREAK.finditer(text[start:end]):
        pieces.append((cursor, start + match.start()))
        cursor = start + match.end()
    pieces.append((cursor, end))
    return pieces


# a stop token, closing quotes or brackets after it, then the next token
_TOKEN_STOP = re.compile(r"(?<=\s)[.!?](?:\s+(?:''|'|\"|”|’|-rrb-|-rsb-|\)))*(?=\s+\S)")
# a stop attached to its word, closing quotes or brackets, a space, then a lower-case opener
_ATTACHED_STOP = re.compile(r"(?<=[\w%)\"'”’])([.!?])[\"'”’)\]]*(?=\s+[\"'“‘`(]*[a-z0-9])")
_STOP_APART = re.compile(r"\s[.!?](?=\s|$)")
_STOP_ATTACHED = re.compile(r"\w[.!?](?=\s|$)")
CASELESS_UPPER_SHARE = 0.005  # true-cased English prose has about 3% capitals among letters
TOKENISED_MIN_STOPS = 2


# Short forms, lower-cased, without their stop. A title before a name: its stop never ends a
# sentence ("Mr. Smith", "Gen. Lee", "Apple vs. Samsung", "St. Louis").
_TITLES = frozenset(
    "mr mrs ms messrs mme dr prof rev hon sen sens rep reps gov gen lt col maj capt cmdr adm "
    "sgt cpl pvt det insp supt pres st mt ft fr vs".split()
)
# a short form that stands before a number: no end before a digit ("No. 5", "Jan. 5", "p. 12")
_BEFORE_NUMBER = frozenset(
    "no nos vol vols p pp fig figs art sec ch op ed tel ext rt "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# any other short form: an end only before a word that usually opens a sentence
# ("Apple Inc. The company ..." ends; "Apple Inc. CEO Tim Cook" does not); US states as AP
# writes them, less those that are also common words ("ill", "miss", "wash", "mass", "ore")
_SHORT_FORMS = frozenset(
    "inc corp co cos ltd plc llc bros jr sr etc al approx est dept univ assn intl govt "
    "ave blvd rd hwy "
    "ala ariz ark calif colo conn del fla ga kan ky md mich minn mo mont neb nev okla pa "
    "tenn tex va vt wis wyo".split()
)
_ABBREVIATIONS = _TITLES | _BEFORE_NUMBER | _SHORT_FORMS
# a title that names a person: after a short form it opens the next sentence ("... Salomon
# Brothers Inc. Ms. Applebaum had estimated ...")
_HONORIFICS = frozenset("mr mrs ms messrs dr".split())
# words that open a sentence far more often than they follow a short form inside one: after
# "U.S." or "Inc." they mark an end ("... in the U.S. The company ...")
_STARTERS = frozenset(
    "The A An He She It They We I You His Her Its Their Our This That These Those There Here "
    "In On At For But And As After Before When While If What Where Who Why How However "
    "Meanwhile Still Yet So Then Now Some Many Most All Both Each One Police Officials".split()
)
# a stop or a run of them ("?!", "...", "…", Arabic "؟", Devanagari "।"), the closing quotes
# and brackets after it, a space; or a full-width stop ("。", "！", "？"), which needs no space
_STOP = re.compile(
    r"([.?!\u2026\u061f\u0964]+)([\"'\u201d\u2019\u00bb)\]]*)[^\S\r\n]+"
    r"|[\u3002\uff01\uff1f]+[\"'\u201d\u2019\u300d\u300f\uff09\u3011]*[^\S\r\n]*"
)
# the next word, past opening quotes, brackets, a currency sign and an opening ellipsis
_NEXT_WORD = re.compile(r"[\"'\u201c\u2018`(\[\u00ab$\u00a3\u20ac]*(?:(?:\.{3}|\u2026)\s*)?(\w+)")
_OPENERS = "\"'\u201c\u2018`([{"
# markup opening a sentence as a capital does ("... and Tonto. <!-- note -->", ". <b>Next")
_MARKUP_OPEN = re.compile(r"<(?:!--|/?[^\W\d_])")
# the word before a stop, past opening quotes and brackets
_WORD_AT_STOP = re.compile(r"[\"'\u201c\u2018`(\[{]*(\S*)")
# initials and dotted short forms: "U.S", "p.m", "Ph.D", "e.g" (not "5.5", not "apple.com")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_LIST_MARKER = re.compile(r"\d{1,3}|[ivx]{1,4}", re.IGNORECASE)
# a numbered list item's marker after a space: "2. Ramen", "3. 'We ..."
_INLINE_MARKER = re.compile(r"(?<=\s)(\d{1,2})\.[^\S\r\n]+(?=[^\W\d_]|[\"'\u201c\u2018(])")


def _lower_case(word: str) -> bool:
    """A word that opens no sentence in true-cased text: lower-case, and no name written
    with a small first letter ("iPhone", "eBay")."""
    return word[0].islower() and word.islower()


def _follows_word(text: str, sentence_start: int, at: int) -> bool:
    """Whether a word stands right before ``at`` (not an opening quote: '"... A woman')."""
    return at > sentence_start and text[at - 1] not in _OPENERS and not text[at - 1].isspace()


def _ends_sentence(text: str, sentence_start: int, stop: re.Match[str], end: int) -> bool:
    """Whether ``stop`` (a ``_STOP`` match) ends a sentence that opened at ``sentence_start``.
    In true-cased text a sentence opens with a capital, a digit or a quote before them; what
    stands before a lone full stop decides the rest (a title, initials, a short form, a number,
    a list marker)."""
    after = _NEXT_WORD.match(text, stop.end(), end)
    if after is None:
        return _MARKUP_OPEN.match(text, stop.end(), end) is not None
    if _lower_case(after.group(1)):
        return False
    marks, closers = stop.group(1), stop.group(2)
    next_word = after.group(1)
    opener = next_word[0]
    if marks != "." or closers:  # "?", "!", "...": no short form ends that way
        if "." in marks and len(marks) > 1:  # an ellipsis: only before a capital, after a word
            return opener.isupper() and _follows_word(text, sentence_start, stop.start())
        return True
    token = text.rfind(" ", sentence_start, stop.start()) + 1 or sentence_start
    word_match = _WORD_AT_STOP.match(text, token, stop.start())
    word = word_match.group(1) if word_match else ""
    lower = word.lower()
    if lower in _TITLES:
        return False
    if _DOTTED.fullmatch(word) or (len(word) == 1 and word.isalpha()) or lower in _SHORT_FORMS:
        honorific = next_word.lower() in _HONORIFICS and text.startswith(".", after.end(1))
        return next_word in _STARTERS or honorific
    if opener.isdigit() and lower in _BEFORE_NUMBER:
        return False
    # not "1. First item", "iv. Costs": a list marker opening its sentence
    return not (_LIST_MARKER.fullmatch(word) and not text[sentence_start:token].strip())


def _list_items(text: str, start: int, end: int) -> list[int]:
    """Where the items of a numbered list run together on the line ``[start, end)`` begin:
    markers ("2. ") numbered one after another, two from 1 or three from another number, as
    in a flattened list ("... fight 1. Twizzlers are ... 2. Ramen noodle soup is ..."); not
    in "It was 2. Then 3."."""
    chains: list[list[tuple[int, int]]] = []
    for marker in _INLINE_MARKER.finditer(text, start, end):
        number = int(marker.group(1))
        if chains and chains[-1][-1][1] + 1 == number:
            chains[-1].append((marker.start(), number))
        else:
            chains.append([(marker.start(), number)])
    return [
        at
        for chain in chains
        if len(chain) >= (2 if chain[0][1] == 1 else 3)
        for at, _ in chain
        if at > start
    ]


def _first_cuts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` (a line) cut before the items of a list run together on it, and after
    each stop that ends a sentence (``_ends_sentence``)."""
    bounds = [start, *_list_items(text, start, end), end]
    return [piece for a, b in zip(bounds, bounds[1:]) for piece in _stop_cuts(text, a, b)]


def _stop_cuts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces, sentence_start = [], start
    for stop in _STOP.finditer(text, start, end):
        wide = stop.group(1) is None  # a full-width stop: Chinese and Japanese mark no case
        if (wide and stop.end() < end) or (
            not wide and _ends_sentence(text, sentence_start, stop, end)
        ):
            pieces.append((sentence_start, stop.end()))
            sentence_start = stop.end()
    pieces.append((sentence_start, end))
    return pieces


_ASCII_LETTERS = string.ascii_letters.encode()
_ASCII_CAPITALS = string.ascii_uppercase.encode()
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def letter_counts(text: str) -> tuple[int, int]:
    """How many of the text's characters are letters (``str.isalpha``), and how many capitals
    (``str.isupper``): ASCII's counted by bytes.translate (in C), the few others one by one."""
    raw = text.encode("ascii", "ignore")
    others = "".join(_NOT_ASCII.findall(text))
    letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS)) + sum(map(str.isalpha, others))
    upper = len(raw) - len(raw.translate(None, _ASCII_CAPITALS)) + sum(map(str.isupper, others))
    return letters, upper


def caseless(text: str) -> bool:
    """Whether ``text`` is lower-cased: almost no capitals among enough letters."""
    letters, upper = letter_counts(text)
    return letters >= 40 and upper <= CASELESS_UPPER_SHARE * letters


def tokenised(text: str) -> bool:
    """Whether ``text`` is tokenised: most of its stops stand apart as tokens (`` . ``)."""
    apart = len(_STOP_APART.findall(text))
    attached = len(_STOP_ATTACHED.findall(text))
    return apart >= TOKENISED_MIN_STOPS and apart > attached


def _abbreviation(text: str, dot: int) -> bool:
    token = text.rfind(" ", 0, dot) + 1
    found = _WORD_AT_STOP.match(text, token, dot)
    before = found.group(1).lower() if found else ""
    # "u.s.", "p.m.", a single initial, or a listed short form
    return (
        bool(_DOTTED.fullmatch(before))
        or (len(before) == 1 and before.isalpha())
        or (before in _ABBREVIATIONS)
    )


def _second_cuts(text: str, start: int, end: int, kind: str) -> list[tuple[int, int]]:
    """``[start, end)`` cut again where a tokenised or caseless sentence ends (module doc)."""
    cuts = [start]
    if kind == "tokenised":
        cuts += [m.end() for m in _TOKEN_STOP.finditer(text, start, end)]
    elif kind == "caseless":
        cuts += [
            m.end()
            for m in _ATTACHED_STOP.finditer(text, start, end)
            if m.group(1) != "." or not _abbreviation(text, m.start(1))
        ]
    cuts.append(end)
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` in pieces of at most ``MAX_SENTENCE_CHARS`` (see the module docstring)."""
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        window = text[start:limit]
        breaks = [m.end() for m in _CLAUSE_BREAK.finditer(window)]
        cut = breaks[-1] if breaks and breaks[-1] > MAX_SENTENCE_CHARS // 2 else 0
        if not cut:
            space = window.rfind(" ", MAX_SENTENCE_CHARS // 2)
            cut = space + 1 if space > 0 else MAX_SENTENCE_CHARS  # no space at all: cut hard
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def sentences(text: str) -> list[Sentence]:
    """Every sentence of ``text`` with its paragraph number and exact span."""
    return split(text, _first_cuts)


FirstCut = Callable[[str, int, int], list[tuple[int, int]]]


def split(text: str, first_cut: FirstCut) -> list[Sentence]:
    """``sentences`` with another first cut of each line (``bench/segment_boundaries.py``
    measures pysbd's this way, in the same paragraphs, lines and second cuts)."""
    result: list[Sentence] = []
    kind = "tokenised" if tokenised(text) else "caseless" if caseless(text) else "plain"
    for number, (p_start, p_end) in enumerate(paragraphs(text)):
        for line in _split_lines(text, p_start, p_end):
            # tokenised text: its stops are tokens, cut by the second cut alone
            pieces = [line] if kind == "tokenised" else first_cut(text, *line)
            for piece in pieces:
                for cut in _second_cuts(text, *piece, kind):
                    for s, e in _split_long(text, *cut):
                        s, e = _trim(text, s, e)
                        if e > s:
                            result.append(Sentence(len(result), number, s, e, text[s:e]))
    return result
