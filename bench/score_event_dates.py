"""Score the code-side event dates on the reference sets: dated-event recall without a model.

Usage: python bench/score_event_dates.py [--sets eval/datasets/wikinews.jsonl ...] [--examples 3]

The pipeline decides each event's date in code: ``summarizer.timeline.events.candidates``
cuts the text into candidate clauses and dates each one (written date words,
else the date the narrative set, else the publication date); the model only
writes the description. So the headline figure can be measured without a
model: every candidate becomes an Event exactly as ``Pipeline._event`` builds
it when no description comes back (description = the clause, clipped;
evidence = the candidate's text and span; date = ``candidate.date``; status =
``candidate.status``).

Printed per reference set:

1. ``dated_event_recall`` (``metrics.dated_event_counts`` summed over the
   documents: micro-average) for the tool, the publication-date baseline
   (``metrics.publication_date_baseline``) and, for scale, the dated-sentence
   baseline (``baselines.dated_sentence_baseline``).
2. Date accuracy of *covered* gold events (some candidate's evidence contains
   the gold trigger): the share whose date is right at the gold granularity
   (``metrics.date_agrees``; a covering candidate with a right date counts),
   split by the gold ``date_source`` (written / inferred) and by gold granularity.
3. The top miss patterns among dated gold events: not covered, or covered
   with the wrong date, labelled by the gold source/granularity, the source
   of the candidate's date (written / narrative / publication) and how the
   dates differ (earlier / later / too coarse), with a few short examples
   (trigger, gold date words, gold value, predicted value).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.evaluation.baselines import dated_sentence_baseline  # noqa: E402
from summarizer.evaluation.metrics import (  # noqa: E402
    covers,
    date_agrees,
    date_at_granularity,
    dated_event_counts,
    evidence_span,
    predicted_value,
    publication_date_baseline,
)
from summarizer.evaluation.references import (  # noqa: E402
    Reference,
    ReferenceEvent,
    load_references,
)
from summarizer.schemas import Event  # noqa: E402
from summarizer.segment import sentences  # noqa: E402
from summarizer.strategies import extractive  # noqa: E402
from summarizer.timeline.events import Candidate, candidates  # noqa: E402

DEFAULT_SETS = [
    ROOT / "eval" / "datasets" / "wikinews.jsonl",
    ROOT / "eval" / "datasets" / "sample.jsonl",
]


def event_of(cand: Candidate) -> Event:
    """The Event the pipeline builds from a candidate when no draft comes back (the rules
    strategy's event)."""
    return extractive.event_of(cand)


def tool_events(ref: Reference) -> list[Event]:
    return [event_of(c) for c in candidates(ref.text, sentences(ref.text), ref.publication_date)]


def _start_of(value: str | None) -> dt.date | None:
    """First day a TIMEX3-ish value names (enough to say earlier/later), else None."""
    if not value or not value[:4].isdigit():
        return None
    try:
        if len(value) >= 10:
            return dt.date.fromisoformat(value[:10])
        if len(value) == 7 and value[5:7].isdigit():
            return dt.date(int(value[:4]), int(value[5:7]), 1)
        if "-W" in value:
            return dt.date.fromisocalendar(int(value[:4]), int(value[6:8]), 1)
        if "-Q" in value:
            return dt.date(int(value[:4]), 3 * int(value[-1]) - 2, 1)
        return dt.date(int(value[:4]), 1, 1)
    except ValueError:
        return None


def miss_pattern(gold: ReferenceEvent, covering: list[Event], pub: dt.date | None) -> str:
    """A short label for why a dated gold event is not found."""
    head = f"gold {gold.date_source}/{gold.granularity}"
    if not covering:
        return f"{head}: not covered by any candidate"
    event = covering[0]  # the narrowest covering candidate
    value = predicted_value(event.date)
    if value is None:
        return f"{head}: predicted {event.date.source}, no value"
    g, p = _start_of(gold.date_value), _start_of(value)
    if date_at_granularity(value, gold.granularity or "") is None:
        how = "too coarse"
    elif g is None or p is None:
        how = "different"
    else:
        how = "later than gold" if p > g else "earlier than gold"
        if event.date.source == "publication" and gold.date_value and pub and g <= pub:
            how = "publication date, gold before it" if p > g else how
    return f"{head}: predicted {event.date.source}, {how}"


def score_set(path: Path, n_examples: int) -> None:
    refs = load_references(path)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    covered: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # key -> [covered, right]
    misses: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for ref in refs:
        text = ref.text
        systems = {
            "tool (code-side events)": tool_events(ref),
            "publication-date baseline": publication_date_baseline(ref),
            "dated-sentence baseline": dated_sentence_baseline(ref),
        }
        for name, events in systems.items():
            found, dated = dated_event_counts(events, ref.events, text)
            counts[name][0] += found
            counts[name][1] += dated
        events = systems["tool (code-side events)"]
        spans = [(evidence_span(e, text), e) for e in events]
        for gold in ref.dated_events:
            covering = sorted(
                (e for s, e in spans if covers(s, gold)),
                key=lambda e: e.evidence.span.end - e.evidence.span.start,
            )
            right = any(date_agrees(predicted_value(e.date), gold) for e in covering)
            if covering:
                for key in (
                    "all",
                    f"source={gold.date_source}",
                    f"granularity={gold.granularity}",
                    f"source={gold.date_source}, granularity={gold.granularity}",
                ):
                    covered[key][0] += 1
                    covered[key][1] += right
            if right:
                continue
            label = miss_pattern(gold, covering, ref.publication_date)
            misses[label] += 1
            if len(examples[label]) < n_examples:
                got = predicted_value(covering[0].date) if covering else "-"
                examples[label].append(
                    f"{ref.id[:28]}: trigger {gold.trigger!r}, date words "
                    f"{gold.date_text!r}, gold {gold.date_value}, got {got}"
                )
    n_dated = counts["tool (code-side events)"][1]
    print(f"== {path.name}: {len(refs)} documents, {n_dated} dated gold events ==")
    print("dated_event_recall (micro over documents):")
    for name, (found, dated) in counts.items():
        print(f"  {name:30s} {found:4d}/{dated:<4d} {100 * found / max(dated, 1):5.1f}%")
    print("date accuracy of covered gold events (a covering candidate has the right date):")
    for key in sorted(covered, key=lambda k: (k != "all", k.count(","), k)):
        n, ok = covered[key]
        print(f"  {key:45s} {ok:4d}/{n:<4d} {100 * ok / max(n, 1):5.1f}%")
    print("top miss patterns (dated gold events not found):")
    for label, n in misses.most_common(8):
        print(f"  {n:4d}  {label}")
        for line in examples[label]:
            print(f"          e.g. {line}")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=Path, nargs="+", default=DEFAULT_SETS)
    ap.add_argument("--examples", type=int, default=2, help="examples per miss pattern")
    args = ap.parse_args()
    for path in args.sets:
        score_set(path, args.examples)


if __name__ == "__main__":
    main()
