"""instructor on the benchmark documents, asked for the tool's own pydantic schema.

Runs in the peer virtualenv (instructor pins an older ``openai`` than the tool).
One call per document: the article with its publication date, and as the
response model the tool's ``Summary`` and a list of the tool's ``Event`` (the
same classes and validators the tool's results pass). ``Mode.JSON``: the
server is llama-cpp-python's, which takes ``json_object`` but neither tools nor
``json_schema``. instructor re-asks with the validation errors up to
``--max-retries`` times, as many re-asks as the tool allows itself.

Writes one JSON line per document: ``{"id", "seconds", "error", "answer", "raw"}``,
``answer`` being the validated ``{"summary", "events"}`` or null, ``raw`` the
model's last answer when instructor gave up (first 4,000 characters).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import instructor
from openai import OpenAI
from pydantic import BaseModel

from summarizer.schemas import Event, Summary

SYSTEM = "You summarise news articles and list the events they report, as JSON."
TASK = (
    "Summarise this article and list every event it reports, in order. For each event give "
    "its date resolved against the publication date, and as evidence the sentence that "
    "reports it, copied exactly, with its character offsets in the article."
)


class Answer(BaseModel):
    summary: Summary
    events: list[Event]


def prompt(doc: dict) -> str:
    head = f"Title: {doc['title']}\n" if doc.get("title") else ""
    return f"{head}Published: {doc.get('publication_date') or 'unknown'}\n\n{doc['text']}\n\n{TASK}"


def _last_text(exc: Exception) -> str | None:
    """The model's last answer when instructor gave up on it (for reading, not scoring)."""
    completion = getattr(exc, "last_completion", None)
    try:
        return completion.choices[0].message.content[:4000]
    except (AttributeError, IndexError, TypeError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--max-retries", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=2048)
    args = parser.parse_args()
    client = instructor.from_openai(
        OpenAI(base_url=args.base_url, api_key="bench", max_retries=0, timeout=1800),
        mode=instructor.Mode.JSON,
    )
    docs = [json.loads(line) for line in args.docs.read_text(encoding="utf-8").splitlines()]
    with args.out.open("w", encoding="utf-8") as out:
        for n, doc in enumerate(docs, 1):
            started = time.perf_counter()
            answer, error, raw = None, None, None
            try:
                reply = client.chat.completions.create(
                    model=args.model,
                    response_model=Answer,
                    max_retries=args.max_retries,
                    temperature=0.0,
                    max_tokens=args.max_tokens,
                    messages=[
                        {"role": "system", "content": SYSTEM},
                        {"role": "user", "content": prompt(doc)},
                    ],
                )
                answer = reply.model_dump(mode="json")
            except Exception as exc:  # noqa: BLE001 - a failed document is a result too
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
                raw = _last_text(exc)
            seconds = time.perf_counter() - started
            out.write(
                json.dumps(
                    {
                        "id": doc["id"],
                        "seconds": seconds,
                        "error": error,
                        "answer": answer,
                        "raw": raw,
                    }
                )
                + "\n"
            )
            out.flush()
            print(
                f"instructor {n}/{len(docs)} {doc['id']}: {seconds:.1f} s "
                f"{'ok' if error is None else error[:80]}",
                file=sys.stderr,
            )


if __name__ == "__main__":
    main()
