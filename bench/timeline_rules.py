"""The model-free timeline: what the `rules` strategy emits, over a folder of articles.

Runs, for each article, exactly the event part of the pipeline without a model:
sentences, the injection guard's ``screen``, then ``summarizer.timeline.events.candidates``;
each candidate becomes an event whose quote is the candidate's text and whose
date is its date value. Writes the batch JSONL that
``../shared/tools/score_timeline.py score`` reads ({"id", "ok", "result"}).

Usage: python bench/timeline_rules.py DIR -o results.jsonl
       (DIR: article files, e.g. written by ``score_timeline.py texts trial DIR``)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.errors import InputError  # noqa: E402
from summarizer.guard import screen  # noqa: E402
from summarizer.loading import iter_path  # noqa: E402
from summarizer.segment import sentences  # noqa: E402
from summarizer.timeline.events import candidates  # noqa: E402


def timeline(text: str, date) -> list[dict]:
    """The events the model-free mode emits for one article."""
    sents, _ = screen(text, sentences(text))
    return [
        {
            "quote": c.text,
            "span": [c.start, c.end],
            "date": c.date.value,
            "source": c.date.source,
            "status": c.status,
        }
        for c in candidates(text, sents, date)
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("-o", "--output", type=Path, required=True)
    a = ap.parse_args()
    if not a.folder.is_dir():
        print(f"error: {a.folder} is not a folder", file=sys.stderr)
        return 3
    started, count, events = time.perf_counter(), 0, 0
    with a.output.open("w", encoding="utf-8") as out:
        for doc in iter_path(a.folder):
            if isinstance(doc, InputError):
                print(f"error: {doc}", file=sys.stderr)
                return 3
            found = timeline(doc.text, doc.date)
            out.write(json.dumps({"id": doc.id, "ok": True, "result": {"events": found}}) + "\n")
            count, events = count + 1, events + len(found)
    print(
        f"{count} articles, {events} events in {time.perf_counter() - started:.1f} s -> {a.output}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
