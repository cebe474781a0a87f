"""The tool's overhead over bare llama.cpp: the same prompts, the same grammar, the same model.

1. The pipeline summarises the sample article on the embedded model through a
   *recording* backend, which writes down every request it passes on.
2. The recorded requests are replayed straight into
   ``Llama.create_chat_completion`` with the grammar built from the same
   schema (one grammar per schema, as a careful caller would keep them).

Ratio = pipeline seconds ÷ bare seconds, each the faster of two runs taken
in the order pipeline, bare, bare, pipeline. The model's state is reset before
each run so none inherits another's prompt cache. The response cache is
off. Target: ≤ 1.05.

3. The same replay with the model's state reset before every call measures
   what keeping the shared prompt prefix (system prompt, then the template's
   fixed opening) in llama.cpp's KV cache saves.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from _loopback import REPO

from summarizer.backends.base import ChatRequest, Completion
from summarizer.pipeline import Pipeline
from summarizer.settings import Settings

SAMPLE = REPO / "examples" / "kremlin-peace-talks-2025-11-13.txt"


class Recording:
    """A backend that passes requests on and keeps a copy of each."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.supports_grammar = inner.supports_grammar
        self.model = inner.model
        self.requests: list[ChatRequest] = []
        self.completion_tokens = 0

    def complete(self, request: ChatRequest) -> Completion:
        self.requests.append(request)
        completion: Completion = self.inner.complete(request)
        self.completion_tokens += completion.completion_tokens
        print(
            f"  call {len(self.requests)}: {completion.completion_tokens} tokens", file=sys.stderr
        )
        return completion

    def count_tokens(self, text: str) -> int:
        return int(self.inner.count_tokens(text))


def bare(llm: Any, requests: list[ChatRequest], *, reuse_prefix: bool = True) -> tuple[float, int]:
    from llama_cpp import LlamaGrammar

    grammars: dict[str, Any] = {}
    tokens = 0
    started = time.perf_counter()
    for request in requests:
        grammar = None
        if request.schema:
            key = json.dumps(request.schema, sort_keys=True)
            if key not in grammars:
                grammars[key] = LlamaGrammar.from_json_schema(key, verbose=False)
            grammar = grammars[key]
        if not reuse_prefix:
            llm.reset()  # forget the previous prompt: this call evaluates all its tokens
        reply = llm.create_chat_completion(
            messages=request.messages,
            grammar=grammar,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
        )
        tokens += reply["usage"]["completion_tokens"]
    return time.perf_counter() - started, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--document", type=Path, default=SAMPLE)
    parser.add_argument(
        "--paragraphs",
        type=int,
        default=0,
        help="only the first N paragraphs (0: all), for a quicker run",
    )
    args = parser.parse_args()
    from summarizer.backends import embedded
    from summarizer.backends.embedded import EmbeddedBackend

    settings = Settings(cache=False)
    inner = EmbeddedBackend(cache_dir=settings.cache_dir, context_tokens=settings.context_tokens)
    llm = inner._llm
    text = args.document.read_text(encoding="utf-8")
    if args.paragraphs:
        text = "\n\n".join(text.split("\n\n")[: args.paragraphs + 1])  # + the header line
    from summarizer.loading import as_document

    document = as_document(text, doc_id=args.document.stem)
    llm.create_chat_completion(
        messages=[{"role": "user", "content": "Hi"}], max_tokens=4
    )  # warm up

    def run_pipeline() -> tuple[float, Recording, Any]:
        recording = Recording(inner)
        pipeline = Pipeline(settings, backend=recording)
        llm.reset()
        embedded._grammar.cache_clear()  # the pipeline builds its grammars inside its time too
        started = time.perf_counter()
        result = pipeline.run(document)
        return time.perf_counter() - started, recording, result

    def run_bare(requests: list[ChatRequest]) -> tuple[float, int]:
        llm.reset()
        return bare(llm, requests)

    # A B B A: a machine that speeds up or slows down over the minutes (CPU boost, a
    # neighbour on the host) weighs on both sides alike; each side keeps its faster run
    tool_1, recording, result = run_pipeline()
    bare_1, bare_tokens = run_bare(recording.requests)
    bare_2, _ = run_bare(recording.requests)
    tool_2, again, _ = run_pipeline()
    if [r.messages for r in again.requests] != [r.messages for r in recording.requests]:
        print("note: the second pipeline run asked other questions than the first", file=sys.stderr)
    tool_s, bare_s = min(tool_1, tool_2), min(bare_1, bare_2)

    llm.reset()
    cold_s, _ = bare(llm, recording.requests, reuse_prefix=False)

    print(
        f"overhead: {args.document.name} on the embedded model "
        f"({len(recording.requests)} calls, {len(result.events)} events)"
    )
    print(f"{'run':<24} {'seconds':>8} {'completion tokens':>18}")
    print(
        f"{'summarizer pipeline':<24} {tool_s:>8.2f} {recording.completion_tokens:>18}"
        f"   (runs 1 and 4: {tool_1:.2f}, {tool_2:.2f})"
    )
    print(
        f"{'bare llama_cpp replay':<24} {bare_s:>8.2f} {bare_tokens:>18}"
        f"   (runs 2 and 3: {bare_1:.2f}, {bare_2:.2f})"
    )
    print(f"{'bare, no prefix reuse':<24} {cold_s:>8.2f} {'':>18}")
    print(f"ratio pipeline / bare: {tool_s / bare_s:.3f} (target <= 1.05)")
    print(
        f"prefix reuse (KV cache kept across calls) saves {1 - bare_s / cold_s:.1%} of the "
        f"bare time: the shared instructions come first in every prompt"
    )


if __name__ == "__main__":
    main()
