"""``rules`` (``--no-model``): the whole result from code, no model loaded or asked.

The events are the decomposed strategy's candidates exactly (the same clauses,
quotes, spans, dates and statuses), each described by its clause (clipped, as
decomposed does when the model gives no valid description). The summary is
extractive: the headline is the title (else the lede's first words), the gist
the lede, the abstract the learned sentence selection, the key points each passage's first
sentence. Deterministic, and as fast as segmenting and dating the text.
"""

from __future__ import annotations

from ..schemas import Event, Summary
from ..segment import Sentence
from ..timeline.events import candidates
from . import extractive
from .base import Run, Strategy


class Rules(Strategy):
    name = "rules"
    needs_model = False

    def run(self, run: Run, sents: list[Sentence]) -> tuple[Summary | None, list[Event]]:
        doc = run.document
        events = [
            extractive.event_of(cand) for cand in candidates(doc.text, sents, doc.date, doc.title)
        ]
        return self.summary(run, sents), events

    def summary(self, run: Run, sents: list[Sentence]) -> Summary | None:
        if not sents:
            return None
        return extractive.summary(
            sents, run.document.title, spread=len(self.chunks(run, sents)) > 1
        )
