"""``decomposed`` (the default; what a small model needs): code finds the events, the model
writes short descriptions and the headline.

Measured on the embedded 0.5B model: asked for events it lists none or copies
examples, and asked to summarise an article it copies whole paragraphs; but it
rewrites one sentence as a headline well. So code finds the event clauses and
resolves their dates (``summarizer.events``); the model writes a short
description of each clause and the headline; the gist, abstract and key points
are built from the article's opening and from the model's descriptions of each
passage's first sentence (``extractive``), checked against their source.
"""

from __future__ import annotations

from ..events import Candidate, candidates
from ..faithfulness import problems
from ..grounding import content_words, unsupported_words
from ..limits import DESCRIPTION_WORDS, LEDE_HEADLINE_WORDS, accepted
from ..prompts import EVENT, HEADLINE, fence
from ..schemas import Event, EventDraft, HeadlineDraft, Summary
from ..segment import Sentence
from . import extractive
from .base import Run, Strategy, clip, title_of, words

DESCRIPTION_REASKS = 1  # measured: the 0.5B model rarely fixes a description on a second re-ask


class Decomposed(Strategy):
    name = "decomposed"

    def run(self, run: Run, sents: list[Sentence]) -> tuple[Summary | None, list[Event]]:
        events = self.events(run, sents)  # first: the summary reuses the descriptions
        return self.summary(run, sents), events

    # --- summary ---

    def summary(self, run: Run, sents: list[Sentence]) -> Summary | None:
        """The headline is asked for; gist, abstract and key points are built."""
        if not sents:
            return None
        lede = sents[0]
        headline = self._headline(run, lede) or run.described.get(lede.index) or \
            clip(lede.text, LEDE_HEADLINE_WORDS)
        return Summary(headline=headline, gist=extractive.gist(lede, run.described),
                       abstract=extractive.abstract(sents, run.document.title),
                       key_points=extractive.key_points(sents, run.described, skip=run.document.title,
                                                        spread=len(self.chunks(run, sents)) > 1))

    def _headline(self, run: Run, lede: Sentence) -> str | None:
        def check(draft: HeadlineDraft) -> list[str]:
            errors = []
            if words(draft.headline) > accepted(LEDE_HEADLINE_WORDS):
                errors.append(f"headline has {words(draft.headline)} words; use at most {LEDE_HEADLINE_WORDS}")
            if not self.supported(draft.headline, run.document.text, share=0.34):
                errors.append("headline states things the article does not say")
            return errors + problems(draft.headline, lede.text)

        user = self.prompts.render(HEADLINE, title=title_of(run.document), lede=fence(lede.text))
        answer = self.ask(run, user, HeadlineDraft, check=check, max_tokens=60, lenient=True,
                          max_reasks=min(self.settings.max_reasks, DESCRIPTION_REASKS))
        if answer is not None and answer.errors:
            run.warnings.append(f"headline {answer.value.headline!r} dropped: {'; '.join(answer.errors)}")
        if answer is None or answer.errors:
            return None
        return str(answer.value.headline).strip()

    # --- events ---

    def events(self, run: Run, sents: list[Sentence]) -> list[Event]:
        doc = run.document
        events = []
        for cand in candidates(doc.text, sents, doc.date):
            draft = self._describe(run, cand)
            if draft is not None and cand.span == cand.sentence.span:
                run.described[cand.sentence.index] = draft.description.strip()
            events.append(extractive.event_of(cand, draft))
        return events

    def _describe(self, run: Run, cand: Candidate) -> EventDraft | None:
        user = self.prompts.render(EVENT, sentence=fence(cand.text))

        def check(draft: EventDraft) -> list[str]:
            errors = []
            if words(draft.description) > accepted(DESCRIPTION_WORDS):
                errors.append(f"description has {words(draft.description)} words; use at most {DESCRIPTION_WORDS}")
            extra = unsupported_words(draft.description, cand.sentence.text)
            # a headline may change a word's form, but not bring in new facts
            if len(extra) > max(1, len(content_words(draft.description)) // 5):
                errors.append("description uses words the sentence does not have: "
                              + ", ".join(sorted(extra)[:6]))
            return errors + problems(draft.description, cand.text)

        answer = self.ask(run, user, EventDraft, check=check, max_tokens=100, lenient=True,
                          max_reasks=min(self.settings.max_reasks, DESCRIPTION_REASKS))
        if answer is not None and answer.errors:  # the clause itself stands in
            run.warnings.append(f"description {answer.value.description!r} dropped: "
                                f"{'; '.join(answer.errors)}")
        if answer is None or answer.errors:
            return None
        draft: EventDraft = answer.value
        return draft
