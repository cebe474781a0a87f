"""LangExtract on the benchmark documents, through its OpenAI-compatible provider.

Runs in the peer virtualenv. LangExtract's own way: a task description, one
worked example (written here, not taken from any benchmark document), its
default chunking (1,000 characters), at most ``--max-tokens`` per chunk's
answer (left unset, the small model can write until the context is full), JSON mode (``json_object``; the server
rejects ``json_schema``, so schema constraints are off), temperature 0. The
publication date is passed as ``additional_context``, which LangExtract puts
into every chunk's prompt, so each chunk can resolve relative dates.

A chunk whose answer does not parse is skipped by LangExtract with a logged
warning; those warnings are counted per document (``parse_errors``): a
document is schema-valid only when none of its chunks failed.

Writes one JSON line per document: ``{"id", "seconds", "error",
"parse_errors", "extractions": [{"text", "start", "end", "alignment",
"attributes"}]}`` (``start``/``end`` null when LangExtract could not align).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import langextract as lx
from langextract.providers.openai import OpenAILanguageModel

DESCRIPTION = (
    "Extract the events this news article reports: things that happened, were said, claimed "
    "or planned, in order of appearance. extraction_text is the exact clause from the text "
    "that reports the event; do not paraphrase. Attributes: description (at most 12 words), "
    "date (the event's date resolved against the publication date given before the text, as "
    "YYYY-MM-DD, YYYY-MM or YYYY; empty if the text does not say), date_words (the words "
    "that say when, copied exactly, or empty) and status (fact, claim or planned)."
)

EXAMPLE = lx.data.ExampleData(
    text=(
        "The city council approved the new transport budget on Tuesday, two weeks after "
        "a first vote failed. The mayor said work on the river bridge would start next "
        "month."
    ),
    extractions=[
        lx.data.Extraction(
            extraction_class="event",
            extraction_text="The city council approved the new transport budget on Tuesday",
            attributes={
                "description": "Council approves transport budget",
                "date": "2024-03-05",
                "date_words": "on Tuesday",
                "status": "fact",
            },
        ),
        lx.data.Extraction(
            extraction_class="event",
            extraction_text="a first vote failed",
            attributes={
                "description": "First budget vote fails",
                "date": "2024-02-20",
                "date_words": "two weeks after",
                "status": "fact",
            },
        ),
        lx.data.Extraction(
            extraction_class="event",
            extraction_text="work on the river bridge would start next month",
            attributes={
                "description": "Bridge work to start",
                "date": "2024-04",
                "date_words": "next month",
                "status": "planned",
            },
        ),
    ],
)


class _ParseErrors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "suppress_parse_errors" in record.getMessage():
            self.count += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--max-tokens", type=int, default=1024, help="per chunk's answer")
    args = parser.parse_args()
    counter = _ParseErrors()
    logging.getLogger().addHandler(counter)
    model = OpenAILanguageModel(
        model_id=args.model,
        api_key="bench",
        base_url=args.base_url,
        temperature=0.0,
        max_workers=1,
        max_output_tokens=args.max_tokens,
    )
    docs = [json.loads(line) for line in args.docs.read_text(encoding="utf-8").splitlines()]
    with args.out.open("w", encoding="utf-8") as out:
        for n, doc in enumerate(docs, 1):
            counter.count = 0
            started = time.perf_counter()
            extractions, error = [], None
            try:
                annotated = lx.extract(
                    text_or_documents=doc["text"],
                    prompt_description=DESCRIPTION,
                    examples=[EXAMPLE],
                    model=model,
                    fence_output=False,
                    use_schema_constraints=False,
                    max_workers=1,
                    batch_length=1,
                    additional_context=f"Publication date: {doc.get('publication_date') or 'unknown'}",
                    show_progress=False,
                )
                for e in annotated.extractions or []:
                    interval = e.char_interval
                    extractions.append(
                        {
                            "text": e.extraction_text,
                            "start": interval.start_pos if interval else None,
                            "end": interval.end_pos if interval else None,
                            "alignment": e.alignment_status.value if e.alignment_status else None,
                            "attributes": e.attributes or {},
                        }
                    )
            except Exception as exc:  # noqa: BLE001 - a failed document is a result too
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
            seconds = time.perf_counter() - started
            out.write(
                json.dumps(
                    {
                        "id": doc["id"],
                        "seconds": seconds,
                        "error": error,
                        "parse_errors": counter.count,
                        "extractions": extractions,
                    }
                )
                + "\n"
            )
            out.flush()
            print(
                f"langextract {n}/{len(docs)} {doc['id']}: {seconds:.1f} s, "
                f"{len(extractions)} extractions, {counter.count} chunk parse errors"
                f"{'' if error is None else ' ' + error[:80]}",
                file=sys.stderr,
            )


if __name__ == "__main__":
    main()
