"""A long report end to end on the embedded model: does the whole path hold at ~100,000 tokens?

The report is the shipped Wikinews articles (CC BY 2.5) joined as paragraphs,
repeated until it is ``--tokens`` tokens long by the embedded model's own
tokenizer (loaded ``vocab_only``: no weights). It goes through ``Pipeline``
on the embedded model with the default settings (decomposed strategy;
``--strategy single`` for chunked single calls), response cache off so every
call is a real one. Prints the size, the calls and tokens spent, the wall
time, and checks the output: every event's span must slice the *whole* text
to its quote, and the first and last events show the offsets reach its end.

Decomposed asks once per event clause: at 100k tokens that is thousands of
calls, hours on two cores. ``--tokens 5000`` is a quick run; ``--build-only``
builds and measures the report without asking the model anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from typing import Any, Self

from _loopback import REPO

from summarizer.backends.base import ChatRequest, Completion
from summarizer.chunking import CHUNK_RESERVE_TOKENS, MIN_CHUNK_TOKENS, chunk
from summarizer.errors import SummarizerError
from summarizer.pipeline import Pipeline
from summarizer.schemas import Document, Result
from summarizer.segment import sentences
from summarizer.settings import Settings

WIKINEWS = REPO / "eval" / "datasets" / "wikinews.jsonl"
PUBLISHED = dt.date(2011, 10, 6)  # the last article's date
REPORT_EVERY_S = 30.0  # plain progress lines on stderr when it is not a terminal


def vocabulary(settings: Settings) -> Any:
    """The embedded model's tokenizer alone (``vocab_only``: the weights are not loaded)."""
    from llama_cpp import Llama

    from summarizer.backends.model_file import embedded_model_path

    path = settings.model_path or embedded_model_path(settings.cache_dir)
    return Llama(model_path=str(path), vocab_only=True, verbose=False)


def build_report(tokens: int, count: Any) -> str:
    """Wikinews articles as paragraphs, cycled until the text has at least ``tokens`` tokens."""
    texts = [
        " ".join(json.loads(line)["text"].split("\n"))
        for line in WIKINEWS.read_text(encoding="utf-8").splitlines()
    ]
    sizes = [count(t) + 1 for t in texts]  # + the paragraph break
    parts: list[str] = []
    total = 0
    while True:
        while total < tokens:
            total += sizes[len(parts) % len(texts)]
            parts.append(texts[len(parts) % len(texts)])
        text = "\n\n".join(parts)
        total = count(text)  # the parts' sum is close; the whole text's count decides
        if total >= tokens:
            return text


class Watched:
    """Passes calls on to the model and shows how far the run has got."""

    def __init__(self, inner: Any, expected: int | None) -> None:
        self.inner = inner
        self.name = inner.name
        self.supports_grammar = inner.supports_grammar
        self.model = inner.model
        self.expected = expected
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.kinds: dict[str, int] = {}
        self.started = time.perf_counter()
        self._last_line = self.started
        self._progress: Any = None
        self._task: Any = None

    def count_tokens(self, text: str) -> int:  # the pipeline chunks by the model's own count
        return int(self.inner.count_tokens(text))

    def __enter__(self) -> Self:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._progress.start()
            self._task = self._progress.add_task("model calls", total=self.expected)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def complete(self, request: ChatRequest) -> Completion:
        props = sorted((request.schema or {}).get("properties") or {})
        kind = (
            "events"
            if "events" in props
            else "summary"
            if "key_points" in props
            else "headline"
            if props == ["headline"]
            else "event"
            if "description" in props
            else "other"
        )
        if len(request.messages) > 2:  # system, question, then an answer and the re-ask
            kind += " re-ask"
        completion: Completion = self.inner.complete(request)
        self.calls += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        self._show(kind, completion)
        return completion

    def _show(self, kind: str, completion: Completion) -> None:
        now = time.perf_counter()
        line = (
            f"{kind} call: {self.prompt_tokens:,} prompt + {self.completion_tokens:,} "
            f"completion tokens so far"
        )
        if self._progress is not None:
            self._progress.update(self._task, completed=self.calls, description=line)
        elif now - self._last_line >= REPORT_EVERY_S or self.calls == 1:
            self._last_line = now
            of = f"/~{self.expected}" if self.expected else ""
            print(
                f"  [{now - self.started:7.0f} s] call {self.calls}{of}: {line}",
                file=sys.stderr,
                flush=True,
            )


def expected_calls(strategy: str, text: str, chunks: int, date: dt.date) -> int:
    """Calls with no re-ask: per chunk an events and a summary call (+ the reduce), or
    per event clause a description (+ the headline)."""
    if strategy == "single":
        return 2 * chunks + (chunks > 1)
    from summarizer.timeline.events import candidates

    return len(candidates(text, sentences(text), date)) + 1


def check(result: Result, text: str) -> tuple[int, list[str]]:
    """Events whose span slices the whole text to their quote, and the others, described."""
    good, bad = 0, []
    for event in result.events:
        span = event.evidence.span
        if text[span.start : span.end] == event.evidence.quote:
            good += 1
        else:
            bad.append(
                f"{span.start}-{span.end}: {event.evidence.quote[:60]!r} "
                f"!= {text[span.start : span.end][:60]!r}"
            )
    return good, bad


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tokens",
        type=int,
        default=100_000,
        help="report length by the embedded model's tokenizer (default 100,000)",
    )
    parser.add_argument("--strategy", choices=["decomposed", "single"], default="decomposed")
    parser.add_argument(
        "--date",
        type=dt.date.fromisoformat,
        default=PUBLISHED,
        help=f"the report's publication date (default {PUBLISHED})",
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="build and measure the report, count its chunks; ask the model nothing",
    )
    args = parser.parse_args()

    settings = Settings(strategy=args.strategy, cache=False)
    vocab = vocabulary(settings)

    def count(text: str) -> int:
        return len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    text = build_report(args.tokens, count)
    tokens = count(text)
    budget = max(MIN_CHUNK_TOKENS, settings.context_tokens - CHUNK_RESERVE_TOKENS)
    chunks = chunk(text, sentences(text), budget=budget, overlap=budget // 10, count=count)
    expected = expected_calls(args.strategy, text, len(chunks), args.date)
    print(
        f"long report: {len(text):,} characters, {tokens:,} tokens (embedded tokenizer), "
        f"{len(chunks)} chunks of <= {budget} tokens (context {settings.context_tokens})"
    )
    print(f"strategy {args.strategy}: ~{expected:,} model calls expected without re-asks")
    if args.build_only:
        return

    from summarizer.backends import make_backend

    document = Document(
        id="long-report",
        text=text,
        title="Apple in Wikinews, 2005-2011",
        date=args.date,
        source=str(WIKINEWS),
    )
    with Watched(make_backend(settings), expected) as backend:
        pipeline = Pipeline(settings, backend=backend)
        started = time.perf_counter()
        try:
            result = pipeline.run(document)
        except SummarizerError as exc:
            seconds = time.perf_counter() - started
            print(
                f"FAILED after {seconds:.0f} s and {backend.calls} calls "
                f"({backend.kinds}): {type(exc).__name__}: {exc}"
            )
            sys.exit(1)
        seconds = time.perf_counter() - started

    usage = result.provenance.usage
    good, bad = check(result, text)
    dated = [e for e in result.events if e.date.value]
    written = [e for e in dated if e.date.source == "written"]
    print(f"{'characters':<34} {len(text):>12,}")
    print(f"{'tokens (embedded tokenizer)':<34} {tokens:>12,}")
    if args.strategy == "single":
        print(
            f"{'chunks':<34} {len(chunks):>12,}  (events questions asked: {backend.kinds.get('events', 0)})"
        )
    print(f"{'model calls':<34} {usage.calls:>12,}  {dict(sorted(backend.kinds.items()))}")
    print(f"{'prompt tokens':<34} {usage.prompt_tokens:>12,}")
    print(f"{'completion tokens':<34} {usage.completion_tokens:>12,}")
    print(f"{'wall seconds':<34} {seconds:>12,.1f}  ({seconds / max(1, usage.calls):.2f} s a call)")
    print(f"{'events':<34} {len(result.events):>12,}")
    print(f"{'events whose span slices the text':<34} {good:>12,}  (must be all)")
    print(f"{'dated events':<34} {len(dated):>12,}  ({len(written):,} from date words)")
    print(
        f"{'summary':<34} {'yes' if result.summary else 'NO':>12}  "
        f"{(result.summary.headline if result.summary else '')[:60]}"
    )
    print(f"{'warnings':<34} {len(result.warnings):>12,}")
    for label, event in (("first event", result.events[:1]), ("last event", result.events[-1:])):
        for e in event:
            print(
                f"{label:<34} {e.evidence.span.start:>7,}-{e.evidence.span.end:<7,} of {len(text):,}: "
                f"{e.evidence.quote[:50]!r} ({e.date.value})"
            )
    if bad:
        print(f"{len(bad)} events have spans that do not slice the text to their quote:")
        for line in bad[:10]:
            print(f"  {line}")
        sys.exit(1)


if __name__ == "__main__":
    main()
