"""``decomposed`` (the default; what a small model needs): code finds the events, the model
writes short descriptions and the headline.

With a backend that honours GBNF grammars (``supports_grammar``: the embedded model) the
model writes neither freely: it
shortens the sentence by deleting words under a grammar that admits only the sentence's own
words in order (``summarizer.summary.compression``); code restores negations, attribution, numbers
and names, and every line meets the faithfulness checks (``summarizer.summary.faithfulness``). Other
backends (remote servers may ignore a grammar) write freely under the same checks; a free
headline also meets the claim check (``faithfulness.unsupported_claims``) against the title
and the lede.

Measured on the embedded 0.5B model: asked for events it lists none or copies
examples, and asked to summarise an article it copies whole paragraphs; but it
rewrites one sentence as a headline well. So code finds the event clauses and
resolves their dates (``summarizer.timeline.events``); the model writes a short
description of each clause and the headline; the gist and key points are built
from the lede and from the model's descriptions of each passage's first sentence,
the abstract is the learned sentence selection (``extractive``, ``selection``).

Every description and the headline are independent questions: they are settled together
(``Strategy.settle``), so a batched decoder or a server decodes them side by side.
"""

from __future__ import annotations

from ..ask import Answer
from ..grounding import content_words, found_in, unsupported_words
from ..limits import ACTORS_MAX, DESCRIPTION_WORDS, LEDE_HEADLINE_WORDS, accepted
from ..prompts import COMPRESS, EVENT, HEADLINE, fence
from ..schemas import CompressionDraft, Event, EventDraft, HeadlineDraft, Summary
from ..segment import Sentence
from ..summary import compression
from ..summary.faithfulness import (
    dropped_modality,
    mentions,
    names,
    problems,
    unsupported_claims,
)
from ..timeline.events import Candidate, candidates
from . import extractive
from .base import Pending, Run, Strategy, clip, title_of, words

DESCRIPTION_REASKS = 1  # measured: the 0.5B model rarely fixes a description on a second re-ask


class Decomposed(Strategy):
    name = "decomposed"

    def run(self, run: Run, sents: list[Sentence]) -> tuple[Summary | None, list[Event]]:
        doc = run.document
        cands = candidates(doc.text, sents, doc.date, doc.title)
        lede = extractive.lede_of(sents) if sents else None
        descriptions = [self._describe(run, cand) for cand in cands]
        headline = self._headline(run, lede) if lede is not None else None
        self.settle(run, [*descriptions, *([headline] if headline is not None else [])])
        events = []
        for cand, description in zip(cands, descriptions):
            draft = description.value
            if draft is not None and cand.span == cand.sentence.span and not cand.is_title:
                run.described[cand.sentence.index] = draft.description.strip()
            events.append(extractive.event_of(cand, draft))
        if headline is None:
            return None, events
        return self.summary(run, sents, headline=headline.value), events

    # --- summary ---

    def summary(self, run: Run, sents: list[Sentence], *, headline: str | None) -> Summary:
        """The headline is the model's; gist, abstract and key points are built."""
        lede = extractive.lede_of(sents)
        headline = headline or run.described.get(lede.index) or clip(lede.text, LEDE_HEADLINE_WORDS)
        return Summary(
            headline=headline,
            gist=extractive.gist(lede, run.described),
            abstract=extractive.abstract(sents, run.document.title),
            key_points=extractive.key_points(
                sents,
                run.described,
                skip=run.document.title,
                spread=len(self.chunks(run, sents)) > 1,
            ),
        )

    def _headline(self, run: Run, lede: Sentence) -> Pending[str]:
        if self.deletes:
            return self.compress(run, lede.text, LEDE_HEADLINE_WORDS, "headline").then(
                lambda text: text.rstrip(".") or None
            )

        def check(draft: HeadlineDraft) -> list[str]:
            errors = []
            if words(draft.headline) > accepted(LEDE_HEADLINE_WORDS):
                errors.append(
                    f"headline has {words(draft.headline)} words; use at most {LEDE_HEADLINE_WORDS}"
                )
            if not self.supported(draft.headline, run.document.text, share=0.34):
                errors.append("headline states things the article does not say")
            title = (run.document.title or "").strip()
            cited = f"{title}\n{lede.text}" if title else lede.text
            # the claim check (numbers, modality, who did what) on top of the lede's checks
            return errors + list(
                dict.fromkeys(
                    problems(draft.headline, lede.text)
                    + unsupported_claims(draft.headline, cited, run.document.text)
                )
            )

        def read(answer: Answer[HeadlineDraft] | None) -> str | None:
            if answer is not None and answer.errors:
                run.warnings.append(
                    f"headline {answer.value.headline!r} dropped: {'; '.join(answer.errors)}"
                )
            if answer is None or answer.errors:
                return None
            return answer.value.headline.strip()

        user = self.prompts.render(HEADLINE, title=title_of(run.document), lede=fence(lede.text))
        return Pending.asking(
            self.question(
                user,
                HeadlineDraft,
                check=check,
                max_tokens=60,
                lenient=True,
                max_reasks=min(self.settings.max_reasks, DESCRIPTION_REASKS),
            ),
            read,
        )

    # --- events ---

    def _describe(self, run: Run, cand: Candidate) -> Pending[EventDraft]:
        if self.deletes:
            return self.compress(
                run, cand.text, DESCRIPTION_WORDS, "description"
            ).then(
                lambda text: EventDraft(
                    description=text,
                    actors=[
                        n
                        for n in dict.fromkeys(names(text))  # 'U' of 'U.S.' is no actor
                        if len(n) > 1 and found_in(n, cand.text)
                    ][:ACTORS_MAX],
                    location=next(
                        (m.name for m in mentions(text, names(cand.text)) if m.role == "place"),
                        None,
                    ),
                )
            )
        user = self.prompts.render(EVENT, sentence=fence(cand.text))

        def check(draft: EventDraft) -> list[str]:
            errors = []
            if words(draft.description) > accepted(DESCRIPTION_WORDS):
                errors.append(
                    f"description has {words(draft.description)} words; use at most {DESCRIPTION_WORDS}"
                )
            extra = unsupported_words(draft.description, cand.sentence.text)
            # a headline may change a word's form, but not bring in new facts
            if len(extra) > max(1, len(content_words(draft.description)) // 5):
                errors.append(
                    "description uses words the sentence does not have: "
                    + ", ".join(sorted(extra)[:6])
                )
            # a description becomes its sentence's key point: the same claim check
            return errors + list(
                dict.fromkeys(
                    problems(draft.description, cand.text)
                    + unsupported_claims(draft.description, cand.text, run.document.text)
                )
            )

        def read(answer: Answer[EventDraft] | None) -> EventDraft | None:
            if answer is not None and answer.errors:  # the clause itself stands in
                run.warnings.append(
                    f"description {answer.value.description!r} dropped: {'; '.join(answer.errors)}"
                )
            if answer is None or answer.errors:
                return None
            return answer.value

        return Pending.asking(
            self.question(
                user,
                EventDraft,
                check=check,
                max_tokens=100,
                lenient=True,
                max_reasks=min(self.settings.max_reasks, DESCRIPTION_REASKS),
            ),
            read,
        )

    # --- deletion-only writing (grammar backends) ---

    @property
    def deletes(self) -> bool:
        return self.backend is not None and self.backend.supports_grammar

    def compress(self, run: Run, sentence: str, limit: int, what: str) -> Pending[str]:
        """``sentence`` shortened to about ``limit`` words by deleting words, restored and
        checked; the sentence itself when already short; None (with a warning) when the
        compression is unusable or unfaithful (the caller falls back to the sentence's clip)."""
        if words(sentence) <= limit:
            return Pending.known(sentence)
        budget = accepted(limit)

        def kept_of(draft: CompressionDraft) -> list[int] | None:
            kept = compression.align(draft.text, sentence)
            return (
                None
                if kept is None
                else compression.tidy(compression.restore(kept, sentence), sentence)
            )

        def check(draft: CompressionDraft) -> list[str]:
            kept = kept_of(draft)
            if kept is None:
                return ["use only the sentence's own words, in their order"]
            text = compression.text_of(kept, sentence)
            # deleting 'ready to' from 'ready to resume talks' makes a plan a deed
            return (
                compression.usable(kept, sentence, budget)
                + problems(text, sentence)
                + dropped_modality(text, sentence)
            )

        def read(answer: Answer[CompressionDraft] | None) -> str | None:
            if answer is None:
                return None
            kept = kept_of(answer.value)
            if answer.errors or kept is None:
                run.warnings.append(
                    f"{what}: shortening {answer.value.text!r} dropped: {'; '.join(answer.errors)}"
                )
                return None
            return compression.text_of(kept, sentence)

        user = self.prompts.render(COMPRESS, sentence=fence(sentence), words=limit)
        return Pending.asking(
            self.question(
                user,
                CompressionDraft,
                check=check,
                lenient=True,
                max_reasks=0,
                grammar=compression.grammar(sentence, most=limit),
                max_tokens=min(400, 2 * words(sentence) + 24),
            ),
            read,
        )
