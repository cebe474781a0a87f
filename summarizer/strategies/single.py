"""``single`` (strong models): one call writes the summary and another lists the events,
per chunk of the context window; every chunk's two questions are asked together.

The model lists each event with a quote and the date words; code locates each
quote, resolves each date, and drops (with a warning) what it cannot ground.
Chunk summaries are reduced, level by level, to one (``reduce``).
"""

from __future__ import annotations

from ..ask import Answer
from ..chunking import Chunk, chunk_budget
from ..dates import DateMention, find_dates
from ..errors import GroundingError
from ..grounding import Folded, found_in, locate, support_spans
from ..limits import (
    ABSTRACT_WORDS,
    GIST_WORDS,
    LEDE_HEADLINE_WORDS,
    SUMMARY_HEADLINE_WORDS,
    accepted,
)
from ..prompts import EVENTS_SINGLE, SUMMARY, fence
from ..schemas import (
    Event,
    EventDate,
    EventList,
    Evidence,
    ExtractedEvent,
    KeyPoint,
    Span,
    Summary,
    SummaryDraft,
)
from ..segment import Sentence
from ..summary.faithfulness import citing, closest, unsupported_claims
from ..summary.pruning import shorten
from ..timeline.events import Candidate, candidates, publication_date, written_date
from . import extractive
from .base import FALLBACK_WORDS, Pending, Run, Strategy, clip, title_of, words
from .reduce import Reducer

EVENTS_MAX_TOKENS = 1200
DATE_WORDS_REACH = 200  # date words must stand in or right next to the evidence (characters)


def lead_errors(draft: SummaryDraft) -> list[str]:
    errors = []
    if words(draft.headline) > accepted(SUMMARY_HEADLINE_WORDS):
        errors.append(
            f"headline has {words(draft.headline)} words; use at most {SUMMARY_HEADLINE_WORDS}"
        )
    if words(draft.gist) > accepted(GIST_WORDS):
        errors.append(f"gist has {words(draft.gist)} words; use at most {GIST_WORDS}")
    if words(draft.abstract) > accepted(ABSTRACT_WORDS):
        errors.append(f"abstract has {words(draft.abstract)} words; use at most {ABSTRACT_WORDS}")
    return errors


def same_event(a: Event, b: Event) -> bool:
    """Two events found in overlapping chunks: same evidence (mostly) and same date."""
    sa, sb = a.evidence.span, b.evidence.span
    shared = min(sa.end, sb.end) - max(sa.start, sb.start)
    shorter = min(sa.end - sa.start, sb.end - sb.start) or 1
    return shared / shorter >= 0.5 and a.date.value == b.date.value


class Single(Strategy):
    name = "single"

    def run(self, run: Run, sents: list[Sentence]) -> tuple[Summary | None, list[Event]]:
        """Every chunk's summary and events questions asked together, then the summaries
        reduced and the events grounded."""
        doc = run.document
        pieces = self.chunks(run, sents)
        drafts = [self.summary_draft(run, doc.text[p.start : p.end], doc.text) for p in pieces]
        listed = [self.event_list(run, piece) for piece in pieces]
        self.settle(run, [*drafts, *listed])
        summary = self.summary(run, sents, [d.value for d in drafts])
        return summary, self.events(run, sents, [events.value for events in listed])

    # --- summary ---

    def summary(
        self, run: Run, sents: list[Sentence], drafts: list[SummaryDraft | None]
    ) -> Summary | None:
        """The chunks' summaries reduced, level by level, to one; its headline, gist and key
        points checked claim by claim against the sentences they draw on, and what is not
        supported replaced by the article's own words (with a warning)."""
        usable = [d for d in drafts if d is not None]
        if not usable:
            if not sents:
                return None
            run.warnings.append(
                "summary: the model gave no usable summary; the article's own words stand in"
            )
            return extractive.summary(
                sents, run.document.title, spread=len(self.chunks(run, sents)) > 1
            )
        draft = self.reducer(run).climb(usable)
        return Summary(
            headline=self.checked_headline(run, sents, draft.headline.strip()),
            gist=self.checked_gist(run, sents, draft.gist.strip()),
            abstract=draft.abstract.strip(),
            key_points=self.checked_points(run, sents, draft.key_points),
        )

    @staticmethod
    def claims(line: str, texts: list[str]) -> tuple[list[str], int | None]:
        """What ``line`` says that the sentences of ``texts`` it draws on do not (new words
        and word pairs looked up in all of ``texts``), and which of them it is closest to
        (None: it draws on none)."""
        cited = citing(line, texts)
        if not cited:
            return ["no sentence of the article says it"], None
        joined = "\n".join(texts[i] for i in cited)
        nearest = closest(line, joined)
        best = next((i for i in cited if nearest in texts[i]), cited[0])
        return unsupported_claims(line, joined, "\n".join(texts)), best

    def checked_headline(self, run: Run, sents: list[Sentence], headline: str) -> str:
        title = (run.document.title or "").strip()
        found, _ = self.claims(
            headline, [title, *(s.text for s in sents)] if title else [s.text for s in sents]
        )
        if not found:
            return headline
        fallback = clip(
            title if len(title) >= 3 else extractive.lede_of(sents).text, LEDE_HEADLINE_WORDS
        )
        run.warnings.append(
            f"headline {headline!r} dropped: {'; '.join(found)}; the article's words stand in"
        )
        return fallback[:200]

    def checked_gist(self, run: Run, sents: list[Sentence], gist: str) -> str:
        found, _ = self.claims(gist, [s.text for s in sents])
        if not found:
            return gist
        run.warnings.append(f"gist {gist!r} dropped: {'; '.join(found)}; the lede stands in")
        return extractive.gist(extractive.lede_of(sents), {})[:400]

    def checked_points(self, run: Run, sents: list[Sentence], written: list[str]) -> list[KeyPoint]:
        """Each written point, or when the sentences it draws on do not support it, the one
        closest to it in the article's words (a point no sentence supports is left out)."""
        doc = run.document
        texts = [s.text for s in sents]
        pairs = [(s.span, s.text) for s in sents]
        points: dict[str, KeyPoint] = {}
        for text in (p.strip() for p in written):
            found, best = self.claims(text, texts)
            if not found:
                points.setdefault(
                    text.lower(), KeyPoint(text=text, support=support_spans(text, pairs))
                )
                continue
            run.warnings.append(
                f"key point {text!r}: {'; '.join(found)}; "
                + ("left out" if best is None else "replaced by the sentence it draws on")
            )
            if best is not None:
                own = clip(shorten(sents[best].text, FALLBACK_WORDS))
                points.setdefault(own.lower(), KeyPoint(text=own, support=[sents[best].span]))
        if not points:  # nothing written stands: the article's own key points
            return extractive.key_points(
                sents, {}, skip=doc.title, spread=len(self.chunks(run, sents)) > 1
            )
        return list(points.values())

    def reducer(self, run: Run) -> Reducer:
        return Reducer(
            summarise=lambda articles: self.summary_drafts(run, articles),
            question_tokens=lambda article: self.count(self.summary_prompt(run, article)),
            count=self.count,
            budget=chunk_budget(self.settings),
            warnings=run.warnings,
        )

    def summary_drafts(self, run: Run, articles: list[str]) -> list[SummaryDraft | None]:
        """A checked summary of each article, asked together."""
        drafts = [self.summary_draft(run, article, run.document.text) for article in articles]
        self.settle(run, drafts)
        return [d.value for d in drafts]

    def summary_prompt(self, run: Run, article: str) -> str:
        doc = run.document
        return self.prompts.render(
            SUMMARY,
            title=title_of(doc),
            article=fence(article),
            publication_date=doc.date.isoformat() if doc.date else None,
        )

    def summary_draft(self, run: Run, article: str, source: str) -> Pending[SummaryDraft]:
        """A summary of ``article`` whose key points ``source`` supports; its remaining
        errors become warnings."""

        def check(draft: SummaryDraft) -> list[str]:
            errors = lead_errors(draft)
            errors += [
                f"key point {i} is not supported by the article"
                for i, point in enumerate(draft.key_points, 1)
                if not self.supported(point, source)
            ]
            if len({p.strip().lower() for p in draft.key_points}) < len(draft.key_points):
                errors.append("key points repeat each other")
            return errors

        def read(answer: Answer[SummaryDraft] | None) -> SummaryDraft | None:
            if answer is None:
                return None
            run.warnings.extend(f"summary: {e}" for e in answer.errors)
            return answer.value

        user = self.summary_prompt(run, article)
        return Pending.asking(
            self.question(user, SummaryDraft, check=check, max_tokens=600, lenient=True), read
        )

    # --- events ---

    def event_list(
        self, run: Run, piece: Chunk
    ) -> Pending[list[tuple[ExtractedEvent, Evidence | None]]]:
        """The events the model lists in one chunk, each with its quote located in the chunk
        (None: not found)."""
        doc = run.document
        article = doc.text[piece.start : piece.end]
        folded = Folded.of(article)
        user = self.prompts.render(
            EVENTS_SINGLE,
            title=title_of(doc),
            article=fence(article),
            publication_date=doc.date.isoformat() if doc.date else None,
        )

        def check(answer: EventList) -> list[str]:
            return [
                f"event {i}: quote not found in the article: {e.quote[:80]!r}"
                for i, e in enumerate(answer.events, 1)
                if locate(e.quote, article, folded=folded) is None
            ]

        def read(
            answer: Answer[EventList] | None,
        ) -> list[tuple[ExtractedEvent, Evidence | None]] | None:
            if answer is None:
                return None
            return [(e, locate(e.quote, article, folded=folded)) for e in answer.value.events]

        return Pending.asking(
            self.question(user, EventList, check=check, max_tokens=EVENTS_MAX_TOKENS, lenient=True),
            read,
        )

    def events(
        self,
        run: Run,
        sents: list[Sentence],
        listed: list[list[tuple[ExtractedEvent, Evidence | None]] | None],
    ) -> list[Event]:
        """Each chunk's listed events (None: the model gave no list), grounded, dated by
        code, merged across overlaps.

        An event is merged into one kept from an *earlier* chunk when they share their
        evidence and date (``same_event``): the same sentence seen twice where two chunks
        overlap. Events of one answer are never merged with each other (one sentence may
        hold two events), except a verbatim repeat of the same event.
        """
        doc = run.document
        mentions = [m for m in find_dates(doc.text, doc.date) if m.timex.kind == "date"]
        inferred = candidates(doc.text, sents, doc.date)
        events: list[Event] = []
        for piece, items in zip(self.chunks(run, sents), listed):
            # kept from earlier chunks and reaching into this one: the only ones it may repeat
            earlier = [e for e in events if e.evidence.span.end > piece.start]
            first = len(events)  # events[first:] are this chunk's
            for item, evidence in items or []:
                event = self._ground(run, item, evidence, piece.start, inferred, mentions)
                if (
                    event is None
                    or event in events[first:]
                    or any(same_event(event, e) for e in earlier)
                ):
                    continue
                events.append(event)
        return sorted(events, key=lambda e: e.evidence.span.start)

    def _ground(
        self,
        run: Run,
        item: ExtractedEvent,
        found: Evidence | None,
        offset: int,
        inferred: list[Candidate],
        mentions: list[DateMention],
    ) -> Event | None:
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
        if (
            guess
            and date.value
            and not (date.value.startswith(guess) or guess.startswith(date.value))
        ):
            run.warnings.append(
                f"event {item.description!r}: model read the date as "
                f"{guess}, code resolved {date.value}"
            )
        sentence = doc.text[span.start : span.end]
        return Event(
            description=item.description.strip()[:300],
            actors=[a for a in item.actors if found_in(a, sentence)],
            location=item.location if item.location and found_in(item.location, sentence) else None,
            date=date,
            status=item.status,
            evidence=evidence,
        )

    def _written_date_near(
        self, run: Run, item: ExtractedEvent, span: Span, mentions: list[DateMention]
    ) -> EventDate | None:
        """The model's date words, located in or next to the evidence and resolved by code."""
        if not item.date_words:
            return None
        words_ = item.date_words
        matching = [
            m
            for m in mentions
            if span.start - DATE_WORDS_REACH <= m.start < span.end + DATE_WORDS_REACH
            and (found_in(words_, m.timex.text) or found_in(m.timex.text, words_))
        ]
        if matching:  # the words inside the quote, else the nearest (not the sentence before's)
            return written_date(
                min(matching, key=lambda m: max(span.start - m.end + 1, m.start - span.end + 1, 0))
            )
        run.warnings.append(
            f"event {item.description!r}: date words {words_!r} "
            "not found next to its quote; date inferred instead"
        )
        return None
