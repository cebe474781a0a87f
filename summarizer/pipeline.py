"""The pipeline: one document in, one validated ``Result`` out.

Two strategies share every check:

* ``decomposed`` (default; what a small model needs): code finds the event
  clauses and resolves their dates (``events``); the model writes a short
  description of each clause and the headline; the gist, abstract and key
  points are built from the article's opening and from the model's
  descriptions of each passage's first sentence, checked against their source.
* ``single``: a strong model writes the summary in one call and lists the
  events itself, with quotes and date words, in another; code locates each
  quote, resolves each date, and drops (with a warning) what it cannot ground.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .ask import Meter, ask
from .backends import Backend, make_backend
from .chunking import Chunk, chunk, estimate_tokens
from .dates import DateMention, find_dates
from .errors import BudgetExceeded, GroundingError, InvalidOutput
from .events import Candidate, candidates, publication_date, written_date
from .grounding import Folded, content_words, found_in, locate, support_spans, unsupported_words
from .guard import blank, screen
from .loading import as_document, date_warnings
from .prompts import EVENT, EVENTS_SINGLE, HEADLINE, SUMMARY, SYSTEM, Prompts, fence
from .schemas import (ABSTRACT_MAX_WORDS, GIST_MAX_WORDS, HEADLINE_MAX_WORDS, KEY_POINTS_MIN,
                      Document, Event, EventDate, EventDraft, EventList,
                      Evidence, ExtractedEvent, HeadlineDraft, KeyPoint, Provenance, Result, Span,
                      Summary, SummaryDraft)
from .segment import Sentence, sentences
from .settings import Settings

DESCRIPTION_MAX_WORDS = 16
DESCRIPTION_REASKS = 1  # measured: the 0.5B model rarely fixes a description on a second re-ask
UNSUPPORTED_SHARE = 0.5  # a summary may paraphrase, but mostly in the article's words
PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "you", "his", "her", "their"})
CHUNK_RESERVE_TOKENS = 1500  # instructions plus the answer, within the context window
MIN_CHUNK_TOKENS = 512
REDUCE_JOIN_TOKENS = 8  # a part's "Part N: " label and the blank line before it
EVENTS_MAX_TOKENS = 1200
DATE_WORDS_REACH = 200  # date words must stand in or right next to the evidence (characters)
FALLBACK_WORDS = 25
ABSTRACT_WORDS = 80
PASSAGE_MIN_CHARS = 200
KEY_POINTS_WANTED = 5


def _title(doc: Document) -> str | None:
    return fence(doc.title) if doc.title else None


def _words(text: str) -> int:
    return len(text.split())


def _clip(text: str, words: int = FALLBACK_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _lead_errors(draft: SummaryDraft) -> list[str]:
    errors = []
    if _words(draft.headline) > HEADLINE_MAX_WORDS:
        errors.append(f"headline has {_words(draft.headline)} words; use at most 15")
    if _words(draft.gist) > GIST_MAX_WORDS:
        errors.append(f"gist has {_words(draft.gist)} words; use at most 35")
    if _words(draft.abstract) > ABSTRACT_MAX_WORDS:
        errors.append(f"abstract has {_words(draft.abstract)} words; use at most 120")
    return errors


def _passages(sents: list[Sentence]) -> list[list[Sentence]]:
    """Paragraphs, short ones joined to the next: the units key points are drawn from."""
    passages: list[list[Sentence]] = []
    current: list[Sentence] = []
    for sentence in sents:
        if current and sentence.paragraph != current[-1].paragraph and \
                sum(len(s.text) for s in current) >= PASSAGE_MIN_CHARS:
            passages.append(current)
            current = []
        current.append(sentence)
    if current:
        passages.append(current)
    return passages


@dataclass
class _Run:
    """The state of one document's run: usage meter, warnings, model descriptions."""

    document: Document
    meter: Meter
    warnings: list[str] = field(default_factory=list)
    out_of_budget: bool = False
    described: dict[int, str] = field(default_factory=dict)  # sentence index -> validated headline
    chunks: list[Chunk] | None = None  # cut once: counting tokens runs the tokenizer on every sentence


class Pipeline:
    """Runs documents through one backend with one set of prompts."""

    def __init__(self, settings: Settings | None = None, *, backend: Backend | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.backend = backend or make_backend(self.settings)
        self.prompts = Prompts(self.settings.prompts_dir)

    # --- entry point ---

    def run(self, document: Document) -> Result:
        started = time.perf_counter()
        run = _Run(document, Meter(self.settings.token_budget))
        if document.date is None:
            run.warnings.append("no publication date: relative dates stay unresolved")
        run.warnings.extend(date_warnings(document))
        # sentences addressed to a model rather than to readers never become output
        every = sentences(document.text)
        sents, suspects = screen(document.text, every)
        run.warnings.extend(suspects)
        if suspects:  # the model and the date finder never see them (same offsets, blanked)
            run.document = document.model_copy(update={"text": blank(document.text, sents, every)})
        if self.settings.strategy == "single":
            summary = self._summary_single(run, sents)
            events = self._events_single(run, sents)
        else:
            events = self._events_decomposed(run, sents)
            summary = self._summary_decomposed(run, sents)
        return Result(
            document_id=document.id,
            title=document.title,
            publication_date=document.date,
            summary=summary,
            events=events,
            provenance=Provenance(
                backend=self.backend.name, model=self.backend.model,
                strategy=self.settings.strategy, prompts=dict(self.prompts.used),
                attempts=run.meter.usage.calls, usage=run.meter.usage,
                latency_s=round(time.perf_counter() - started, 3),
                summarizer_version=__version__,
            ),
            warnings=run.warnings,
        )

    # --- asking ---

    def _messages(self, user: str) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.prompts.render(SYSTEM)},
                {"role": "user", "content": user}]

    def _ask(self, run: _Run, user: str, model: Any, **kwargs: Any) -> Any:
        """One validated answer, or None (with a warning) when the model never gave one."""
        if run.out_of_budget:
            return None
        kwargs.setdefault("max_reasks", self.settings.max_reasks)
        try:
            return ask(self.backend, self.prompts, self._messages(user), model, meter=run.meter,
                       temperature=self.settings.temperature, **kwargs)
        except BudgetExceeded as exc:
            run.out_of_budget = True
            run.warnings.append(f"stopped asking: {exc}")
        except InvalidOutput as exc:
            run.warnings.append(f"{model.__name__}: {exc}")
        return None

    def _supported(self, text: str, source: str, share: float = UNSUPPORTED_SHARE) -> bool:
        return len(unsupported_words(text, source)) <= share * max(1, _words(text))

    # --- summary: single call ---

    def _summary_single(self, run: _Run, sents: list[Sentence]) -> Summary | None:
        """One call per chunk for the summary; chunk summaries are reduced, level by level, to one."""
        doc = run.document
        pieces = self._chunks(run, sents)
        drafts = [self._summary_draft(run, doc.text[p.start:p.end], doc.text) for p in pieces]
        usable = [d for d in drafts if d is not None]
        if not usable:
            return None
        draft = self._reduce(run, usable)
        pairs = [(s.span, s.text) for s in sents]
        points = [KeyPoint(text=p.strip(), support=support_spans(p, pairs))
                  for p in draft.key_points]
        return Summary(headline=draft.headline.strip(), gist=draft.gist.strip(),
                       abstract=draft.abstract.strip(), key_points=points)

    def _summary_prompt(self, run: _Run, article: str) -> str:
        doc = run.document
        return self.prompts.render(SUMMARY, title=_title(doc), article=fence(article),
                                   publication_date=doc.date.isoformat() if doc.date else None)

    def _summary_draft(self, run: _Run, article: str, source: str) -> SummaryDraft | None:
        user = self._summary_prompt(run, article)

        def check(draft: SummaryDraft) -> list[str]:
            errors = _lead_errors(draft)
            errors += [f"key point {i} is not supported by the article"
                       for i, point in enumerate(draft.key_points, 1)
                       if not self._supported(point, source)]
            if len({p.strip().lower() for p in draft.key_points}) < len(draft.key_points):
                errors.append("key points repeat each other")
            return errors

        answer = self._ask(run, user, SummaryDraft, check=check, max_tokens=600, lenient=True)
        if answer is None:
            return None
        run.warnings.extend(f"summary: {e}" for e in answer.errors)
        draft: SummaryDraft = answer.value
        return draft

    # --- summary: reducing partial summaries ---

    def _reduce(self, run: _Run, drafts: list[SummaryDraft]) -> SummaryDraft:
        """Partial summaries (in document order) reduced to one, level by level.

        Each level cuts its summaries into consecutive groups whose rendered
        question fits the chunk budget (``_reduce_groups``) and asks one summary
        per group of two or more; a group of one goes up as it is. Some group
        always holds two or more, so every level is shorter than the one below
        and the climb ends in one summary; as summaries are clipped so that any
        two fit one question, a level is at most half as long, rounded up. Each
        reduced summary meets the same checks as a chunk's, against the whole
        document. A reduce that fails stops the climb and the level's first
        summary stands, as the first chunk's did when the single reduce failed.
        """
        level = list(drafts)
        depth = 0
        while len(level) > 1:
            groups = self._reduce_groups(run, level)
            if groups is None:
                run.warnings.append(f"summary: {len(level)} partial summaries cannot be reduced "
                                    f"within {self._chunk_budget()} tokens; the first one stands")
                return level[0]
            depth += 1
            above: list[SummaryDraft | None] = []
            for members, article in groups:
                above.append(level[members[0]] if article is None else
                             self._summary_draft(run, article, run.document.text))
            if any(draft is None for draft in above):
                run.warnings.append(f"summary: reduce level {depth} failed; the summary covers "
                                    "only the start of the document")
                return above[0] or level[0]
            level = [draft for draft in above if draft is not None]
        return level[0]

    def _reduce_groups(self, run: _Run, level: list[SummaryDraft]
                       ) -> list[tuple[list[int], str | None]] | None:
        """``level`` cut into consecutive groups, each with the article of its reduce question.

        A group's article is its summaries as ``Part i: <abstract>`` and ``- <key point>``
        lines, numbered from 1 in each group; the whole rendered question (instructions,
        title and article, counted by ``_count``) is at most the chunk budget. Each
        summary is first clipped (every line to its first words) to half the room the
        instructions leave, so any two consecutive summaries fit one question; groups
        then take as many more as fit. A group of one has no article (it needs no
        reduce). None when not even two clipped summaries fit (a title near the budget).
        """
        budget = self._chunk_budget()
        room = budget - self._count(self._summary_prompt(run, ""))
        cap = room // 2 - REDUCE_JOIN_TOKENS
        while cap > 0:
            bodies = [self._part_body(draft, cap) for draft in level]
            if None not in bodies:
                groups = self._group_parts(run, [b for b in bodies if b is not None], budget)
                if any(len(members) > 1 for members, _ in groups):
                    return groups
            cap //= 2  # the tokenizer counts a join dearer than the parts: clip harder
        return None

    def _group_parts(self, run: _Run, bodies: list[str], budget: int
                     ) -> list[tuple[list[int], str | None]]:
        groups: list[tuple[list[int], str | None]] = []
        members: list[int] = []
        article = ""
        for i, _ in enumerate(bodies):
            candidate = _parts_article([bodies[j] for j in members + [i]])
            if members and self._count(self._summary_prompt(run, candidate)) > budget:
                groups.append((members, article if len(members) > 1 else None))
                members, article = [], ""
                candidate = _parts_article([bodies[i]])
            members.append(i)
            article = candidate
        groups.append((members, article if len(members) > 1 else None))
        return groups

    def _part_body(self, draft: SummaryDraft, cap: int) -> str | None:
        """A summary as reduce input: its abstract, then its key points, within ``cap`` tokens.

        Too long, every line keeps only its first words, as many as fit (found by
        bisection); None when not even one word a line fits."""
        lines = [" ".join(draft.abstract.split())] + [f"- {' '.join(p.split())}" for p in draft.key_points]

        def clipped(words: int) -> str:
            return "\n".join(" ".join(line.split()[:words]) for line in lines)

        most = max(len(line.split()) for line in lines)
        if self._count(clipped(most)) <= cap:
            return clipped(most)
        low, high = 0, most  # clipped(low) fits (or low == 0), clipped(high) does not
        while high - low > 1:
            middle = (low + high) // 2
            if self._count(clipped(middle)) <= cap:
                low = middle
            else:
                high = middle
        # a key point keeps its dash and one word at least
        return clipped(low) if low >= 2 else None

    # --- summary: decomposed ---

    def _summary_decomposed(self, run: _Run, sents: list[Sentence]) -> Summary | None:
        """Small models: the headline is asked for; gist, abstract and key points are built.

        Measured on the 0.5B model: asked to summarise an article it copies whole
        paragraphs, but it rewrites one sentence as a headline well. So the gist
        is the opening sentence (news states its main fact first), the abstract
        is the opening up to ABSTRACT_WORDS, and each key point is the model's
        validated headline for a passage's first sentence (or that sentence).
        """
        if not sents:
            return None
        doc = run.document
        lede = sents[0]
        headline = self._headline(run, lede) or run.described.get(lede.index) or _clip(lede.text, 12)
        gist = lede.text if _words(lede.text) <= GIST_MAX_WORDS else \
            run.described.get(lede.index) or _clip(lede.text, GIST_MAX_WORDS)
        abstract_parts = [lede.text]
        for sentence in sents[1:]:
            if _words(" ".join(abstract_parts + [sentence.text])) > ABSTRACT_WORDS:
                break
            abstract_parts.append(sentence.text)
        return Summary(headline=headline, gist=gist, abstract=_clip(" ".join(abstract_parts), ABSTRACT_MAX_WORDS),
                       key_points=self._key_points(run, sents, skip=doc.title))

    def _headline(self, run: _Run, lede: Sentence) -> str | None:
        def check(draft: HeadlineDraft) -> list[str]:
            errors = []
            if _words(draft.headline) > 15:
                errors.append(f"headline has {_words(draft.headline)} words; use at most 12")
            if not self._supported(draft.headline, run.document.text, share=0.34):
                errors.append("headline states things the article does not say")
            return errors

        user = self.prompts.render(HEADLINE, title=_title(run.document), lede=fence(lede.text))
        answer = self._ask(run, user, HeadlineDraft, check=check, max_tokens=60, lenient=True,
                           max_reasks=min(self.settings.max_reasks, DESCRIPTION_REASKS))
        if answer is None or answer.errors:
            return None
        return str(answer.value.headline).strip()

    def _key_points(self, run: _Run, sents: list[Sentence], skip: str | None) -> list[KeyPoint]:
        """A key point per passage, from its first sentence; more sentences if too few passages."""
        passages = _passages(sents)
        if len(self._chunks(run, sents)) > 1:
            # a long report: draw key points from across it, not only its opening
            step = len(passages) / KEY_POINTS_WANTED
            passages = [passages[int(i * step)] for i in range(KEY_POINTS_WANTED)]
        order = [p[0] for p in passages][:KEY_POINTS_WANTED] + [s for p in passages for s in p[1:]]
        points: dict[str, KeyPoint] = {}
        for sentence in order:
            if len(points) >= KEY_POINTS_WANTED or (len(points) >= KEY_POINTS_MIN
                                                 and sentence not in (p[0] for p in passages)):
                break
            text = run.described.get(sentence.index) or _clip(sentence.text)
            if skip and text.strip().lower() == skip.strip().lower():
                continue
            points.setdefault(text.lower(), KeyPoint(text=text, support=[sentence.span]))
        return list(points.values())

    # --- events: decomposed ---

    def _events_decomposed(self, run: _Run, sents: list[Sentence]) -> list[Event]:
        doc = run.document
        events = []
        for cand in candidates(doc.text, sents, doc.date):
            draft = self._describe(run, cand)
            if draft is not None and cand.span == cand.sentence.span:
                run.described[cand.sentence.index] = draft.description.strip()
            events.append(self._event(cand, draft))
        return events

    def _describe(self, run: _Run, cand: Candidate) -> EventDraft | None:
        user = self.prompts.render(EVENT, sentence=fence(cand.text))

        def check(draft: EventDraft) -> list[str]:
            errors = []
            if _words(draft.description) > DESCRIPTION_MAX_WORDS:
                errors.append(f"description has {_words(draft.description)} words; use at most 12")
            extra = unsupported_words(draft.description, cand.sentence.text)
            # a headline may change a word's form, but not bring in new facts
            if len(extra) > max(1, len(content_words(draft.description)) // 5):
                errors.append("description uses words the sentence does not have: "
                              + ", ".join(sorted(extra)[:6]))
            return errors

        answer = self._ask(run, user, EventDraft, check=check, max_tokens=100, lenient=True,
                           max_reasks=min(self.settings.max_reasks, DESCRIPTION_REASKS))
        if answer is None or answer.errors:
            return None
        draft: EventDraft = answer.value
        return draft

    def _event(self, cand: Candidate, draft: EventDraft | None) -> Event:
        sentence = cand.sentence.text
        if draft is None:  # the clause itself is a faithful, if longer, description
            description, actors, location = _clip(cand.text), [], None
        else:
            description = draft.description.strip()
            actors = [a.strip() for a in draft.actors
                      if a.strip().lower() not in PRONOUNS and found_in(a, sentence)]
            location = draft.location.strip() if draft.location and found_in(draft.location, sentence) else None
        return Event(description=description[:300], actors=list(dict.fromkeys(actors)),
                     location=location, date=cand.date, status=cand.status,
                     evidence=Evidence(quote=cand.text, span=cand.span, match="exact", score=100.0))

    # --- events: single call ---

    def _events_single(self, run: _Run, sents: list[Sentence]) -> list[Event]:
        """Strong models: events listed per chunk, grounded, dated by code, merged across overlaps.

        An event is merged into one kept from an *earlier* chunk when they share their
        evidence and date (``_same_event``): the same sentence seen twice where two chunks
        overlap. Events of one answer are never merged with each other (one sentence may
        hold two events), except a verbatim repeat of the same event.
        """
        doc = run.document
        mentions = [m for m in find_dates(doc.text, doc.date) if m.timex.kind == "date"]
        inferred = candidates(doc.text, sents, doc.date)
        events: list[Event] = []
        for piece in self._chunks(run, sents):
            # kept from earlier chunks and reaching into this one: the only ones it may repeat
            earlier = [e for e in events if e.evidence.span.end > piece.start]
            first = len(events)  # events[first:] are this chunk's
            article = doc.text[piece.start:piece.end]
            folded = Folded.of(article)
            user = self.prompts.render(EVENTS_SINGLE, title=_title(doc), article=fence(article),
                                       publication_date=doc.date.isoformat() if doc.date else None)

            def check(answer: EventList, article: str = article, folded: Folded = folded) -> list[str]:
                return [f"event {i}: quote not found in the article: {e.quote[:80]!r}"
                        for i, e in enumerate(answer.events, 1)
                        if locate(e.quote, article, folded=folded) is None]

            answer = self._ask(run, user, EventList, check=check, max_tokens=EVENTS_MAX_TOKENS,
                               lenient=True)
            for item in answer.value.events if answer else []:
                evidence = locate(item.quote, article, folded=folded)
                event = self._ground_single(run, item, evidence, piece.start, inferred, mentions)
                if event is None or event in events[first:] or \
                        any(_same_event(event, e) for e in earlier):
                    continue
                events.append(event)
        return sorted(events, key=lambda e: e.evidence.span.start)

    def _ground_single(self, run: _Run, item: ExtractedEvent, found: Evidence | None, offset: int,
                       inferred: list[Candidate], mentions: list[DateMention]) -> Event | None:
        doc = run.document
        if found is None:
            message = f"dropped event {item.description!r}: its quote is not in the article"
            if self.settings.strict:
                raise GroundingError(message)
            run.warnings.append(message)
            return None
        span = Span(start=found.span.start + offset, end=found.span.end + offset)
        evidence = found.model_copy(update={"span": span})
        date = self._written_date_near(run, item, span, mentions)
        if date is None:
            overlapping = [c for c in inferred if c.start < span.end and span.start < c.end]
            date = overlapping[0].date if overlapping else publication_date(doc.date)
        guess = item.date_guess
        if guess and date.value and not (date.value.startswith(guess) or guess.startswith(date.value)):
            run.warnings.append(f"event {item.description!r}: model read the date as "
                                f"{guess}, code resolved {date.value}")
        sentence = doc.text[span.start:span.end]
        return Event(
            description=item.description.strip()[:300],
            actors=[a for a in item.actors if found_in(a, sentence)],
            location=item.location if item.location and found_in(item.location, sentence) else None,
            date=date, status=item.status, evidence=evidence,
        )

    def _written_date_near(self, run: _Run, item: ExtractedEvent, span: Span,
                           mentions: list[DateMention]) -> EventDate | None:
        """The model's date words, located in or next to the evidence and resolved by code."""
        if not item.date_words:
            return None
        words = item.date_words
        matching = [m for m in mentions
                    if span.start - DATE_WORDS_REACH <= m.start < span.end + DATE_WORDS_REACH
                    and (found_in(words, m.timex.text) or found_in(m.timex.text, words))]
        if matching:  # the words inside the quote, else the nearest (not the sentence before's)
            return written_date(min(matching, key=lambda m: max(span.start - m.end + 1,
                                                                m.start - span.end + 1, 0)))
        run.warnings.append(f"event {item.description!r}: date words {words!r} "
                            "not found next to its quote; date inferred instead")
        return None

    # --- chunking ---

    def _count(self, text: str) -> int:
        counter = getattr(self.backend, "count_tokens", None)
        return int(counter(text)) if counter else estimate_tokens(text)

    def _chunk_budget(self) -> int:
        """Tokens a chunk's text may take; a reduce question (instructions and all) as well."""
        return max(MIN_CHUNK_TOKENS, self.settings.context_tokens - CHUNK_RESERVE_TOKENS)

    def _chunks(self, run: _Run, sents: list[Sentence]) -> list[Chunk]:
        if run.chunks is None:
            budget = self._chunk_budget()
            run.chunks = chunk(run.document.text, sents, budget=budget, overlap=budget // 10,
                               count=self._count)
        return run.chunks


def _parts_article(bodies: list[str]) -> str:
    """The article of a reduce question: the partial summaries, numbered from 1."""
    return "\n\n".join(f"Part {i}: {body}" for i, body in enumerate(bodies, 1))


def _same_event(a: Event, b: Event) -> bool:
    """Two events found in overlapping chunks: same evidence (mostly) and same date."""
    sa, sb = a.evidence.span, b.evidence.span
    shared = min(sa.end, sb.end) - max(sa.start, sb.start)
    shorter = min(sa.end - sa.start, sb.end - sb.start) or 1
    return shared / shorter >= 0.5 and a.date.value == b.date.value


# --- public API ---

_PIPELINES: dict[str, Pipeline] = {}


def _pipeline(settings: Settings, backend: Backend | None) -> Pipeline:
    if backend is not None:
        return Pipeline(settings, backend=backend)
    key = settings.model_dump_json()
    if key not in _PIPELINES:  # reuse backends: the embedded model loads once per process
        _PIPELINES[key] = Pipeline(settings)
    return _PIPELINES[key]


def summarise(text_or_document: str | Document, *, date: Any = None, title: str | None = None,
              settings: Settings | None = None, backend: Backend | None = None,
              **options: Any) -> Result:
    """Summarise one document and list its dated, grounded events.

    ``text_or_document`` is raw text (its first line may be ``date YYYY-MM-DD Title``)
    or a ``Document``. ``date`` sets or overrides the publication date. Other
    keyword options are ``Settings`` fields (``base_url``, ``model``, ``strategy``,
    ``max_reasks``, ``token_budget``, ...).
    """

    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    document = as_document(text_or_document, date=date, title=title)
    if settings is None:
        settings = Settings.from_env(**options)
    elif options:
        settings = settings.model_copy(update=options)
    return _pipeline(settings, backend).run(document)


async def asummarise(text_or_document: str | Document, **kwargs: Any) -> Result:
    """``summarise`` without blocking the event loop (the model call runs in a worker thread)."""
    return await asyncio.to_thread(summarise, text_or_document, **kwargs)


__all__ = ["Pipeline", "asummarise", "summarise"]
