"""What code builds from the article itself: the parts of a summary taken from its
sentences, and an event from a candidate clause. The decomposed strategy fills
these with the model's descriptions where it has them; the rules strategy uses
them as they are.

* **lede**: the article's first sentence that is no page structure (a heading, byline or
  caption: ``selection.furniture``); news states its main fact first.
* **passage**: a paragraph, short ones joined to the next: the unit key points
  are drawn from, one from each passage's first sentence.
"""

from __future__ import annotations

from ..grounding import found_in
from ..limits import (
    ABSTRACT_WORDS,
    GIST_WORDS,
    KEY_POINTS_MIN,
    KEY_POINTS_WANTED,
    LEDE_HEADLINE_WORDS,
    accepted,
)
from ..schemas import Event, EventDraft, Evidence, KeyPoint, Summary
from ..segment import Sentence
from ..summary.pruning import shorten
from ..summary.selection import furniture_flags, select
from ..summary.selection import units as selection_units
from ..timeline.events import Candidate
from .base import FALLBACK_WORDS, clip, words

KEY_POINT_MIN_CHARS = 3  # KeyPoint.text's min_length

PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "you", "his", "her", "their"})
PASSAGE_MIN_CHARS = 200


def passages(sents: list[Sentence]) -> list[list[Sentence]]:
    """Paragraphs, short ones joined to the next: the units key points are drawn from."""
    found: list[list[Sentence]] = []
    current: list[Sentence] = []
    for sentence in sents:
        if (
            current
            and sentence.paragraph != current[-1].paragraph
            and sum(len(s.text) for s in current) >= PASSAGE_MIN_CHARS
        ):
            found.append(current)
            current = []
        current.append(sentence)
    if current:
        found.append(current)
    return found


def lede_of(sents: list[Sentence], flags: list[bool] | None = None) -> Sentence:
    """The lede (module doc): the first sentence that is no page structure and long enough
    to be a headline ("I." above a story is a section mark); failing that the first long
    enough one; when none is (a tiny text), every sentence joined as one. ``flags``: the
    sentences' ``furniture_flags``, when already found."""
    flags = furniture_flags(sents) if flags is None else flags
    long_enough = [len(s.text.strip()) >= KEY_POINT_MIN_CHARS for s in sents]
    for sentence, flag, enough in zip(sents, flags, long_enough):
        if enough and not flag:
            return sentence
    for sentence, enough in zip(sents, long_enough):
        if enough:
            return sentence
    first, last = sents[0], sents[-1]
    joined = " ".join(s.text.strip() for s in sents)
    return Sentence(first.index, first.paragraph, first.start, last.end, joined)


def gist(lede: Sentence, described: dict[int, str]) -> str:
    """The lede itself when short enough (as a model's gist would be); else the lede
    without some of its asides when that is (``pruning.shorten``); else its description,
    else its first words."""
    limit = accepted(GIST_WORDS)
    shorter = shorten(lede.text, limit)  # rather than cut mid-clause
    if words(shorter) <= limit:
        return shorter
    return described.get(lede.index) or clip(shorter, limit)


def abstract(sents: list[Sentence], title: str | None = None) -> str:
    """The learned selection of whole sentences, in article order (``summarizer.summary.selection``,
    on its units: glued captions cut off), clipped as a model's abstract would be checked.
    Pruning their asides is not done here: rule-chosen pruning lowered FRANK check's ROUGE-1
    by 0.5, and learned pruning (``pruning.abstract``) tied on check (docs/summaries.md)."""
    chosen = select(selection_units(sents), title=title)
    return clip(" ".join(s.text for s in chosen), accepted(ABSTRACT_WORDS))


def key_points(
    sents: list[Sentence],
    described: dict[int, str],
    *,
    skip: str | None,
    spread: bool,
    flags: list[bool] | None = None,
) -> list[KeyPoint]:
    """A key point per passage, from its first sentence; more sentences if too few passages.

    A sentence's point is its description when there is one, else the first words of
    the sentence without some of its asides (``pruning.shorten``); it cites the whole
    sentence.
    ``spread`` (a long report): the passages are drawn from across the document,
    not only its opening. A point that repeats ``skip`` (the title) is left out. ``flags``:
    the sentences' ``furniture_flags``, when already found."""
    flags = furniture_flags(sents) if flags is None else flags
    sents = [s for s, flag in zip(sents, flags) if not flag] or sents
    units = passages(sents)
    if spread:
        step = len(units) / KEY_POINTS_WANTED
        units = [units[int(i * step)] for i in range(KEY_POINTS_WANTED)]
    order = [p[0] for p in units][:KEY_POINTS_WANTED] + [s for p in units for s in p[1:]]
    points: dict[str, KeyPoint] = {}
    for sentence in order:
        if len(points) >= KEY_POINTS_WANTED or (
            len(points) >= KEY_POINTS_MIN and sentence not in (p[0] for p in units)
        ):
            break
        text = described.get(sentence.index) or clip(shorten(sentence.text, FALLBACK_WORDS))
        if skip and text.strip().lower() == skip.strip().lower():
            continue
        if len(text.strip()) < KEY_POINT_MIN_CHARS:  # "x." is no point (a tiny text's sentences)
            continue
        points.setdefault(text.lower(), KeyPoint(text=text, support=[sentence.span]))
    if not points and sents:  # every sentence too short alone: the text is the one point
        whole = lede_of(sents)
        points[whole.text] = KeyPoint(text=clip(whole.text), support=[whole.span])
    return list(points.values())


def event_of(cand: Candidate, draft: EventDraft | None = None) -> Event:
    """The event of a candidate clause: the model's description when it gave a valid one,
    else the clause itself (a faithful, if longer, description)."""
    sentence = cand.sentence.text
    if draft is None:
        description, actors, location = clip(cand.description), [], None
    else:
        description = draft.description.strip()
        actors = [
            a.strip()
            for a in draft.actors
            if a.strip().lower() not in PRONOUNS and found_in(a, sentence)
        ]
        location = (
            draft.location.strip()
            if draft.location and found_in(draft.location, sentence)
            else None
        )
    return Event(
        description=description[:300],
        actors=list(dict.fromkeys(actors)),
        location=location,
        date=cand.date,
        status=cand.status,
        evidence=Evidence(
            quote=cand.text,
            span=cand.span,
            match="title" if cand.is_title else "exact",
            score=100.0,
        ),
    )


def summary(sents: list[Sentence], title: str | None, *, spread: bool) -> Summary:
    """The whole summary in the article's words (the ``rules`` strategy's, and any model
    strategy's fall-back): the title as headline (else the lede's first words), the lede as
    gist, the learned selection as abstract, a key point per passage."""
    flags = furniture_flags(sents)  # found once for the lede and the key points
    lede = lede_of(sents, flags)
    heading = (title or "").strip()
    headline = clip(heading if len(heading) >= 3 else lede.text, LEDE_HEADLINE_WORDS)
    return Summary(
        headline=headline[:200],
        gist=gist(lede, {})[:400],
        abstract=abstract(sents, title),
        key_points=key_points(sents, {}, skip=title, spread=spread, flags=flags),
    )
