"""The embedded backend: a GGUF model run in-process by llama-cpp-python.

Grammar-constrained JSON keeps the small model's answers parseable. The model
is loaded once per process (per file and settings) and shared; one lock
serialises calls, since a llama.cpp context serves one request at a time. The
fixed instructions come first in every prompt so llama.cpp can reuse their
KV cache from the previous call and each call pays only for its own tokens.

Two decoders: ``llama-cpp`` (llama-cpp-python's ``create_chat_completion``, one
request at a time) and ``batched`` (``decoding.BatchDecoder``: the greedy token
checked against the grammar first, several requests in one decode step). Both
render the prompt with the GGUF's own chat template. The batched decoder's calls go
through a pool (``pooling.CallPool``) that decodes the calls of every document in
flight in this process together.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..errors import ConfigError, InputError
from ..settings import usable_cores
from .base import ChatRequest, Completion, Message
from .model_file import MODEL_NAME, embedded_model_path, rebuild_if_corrupt
from .pooling import CallPool

if TYPE_CHECKING:  # an optional extra: imported where used, named here for the types
    from llama_cpp import Llama, LlamaGrammar
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    from llama_cpp.llama_types import ChatCompletionRequestMessage

    from .decoding import BatchDecoder, Job, Output

_LOCK = threading.Lock()
_OPEN: list[Llama | BatchDecoder] = []  # loaded models and decoders, oldest first


@atexit.register
def _release() -> None:
    # freed by the garbage collector after llama_cpp's module globals are gone, a Llama's
    # __del__ prints a traceback at exit; closed here, while they still exist, it does not
    decode_pool.cache_clear()
    _batch_decoder.cache_clear()
    _load.cache_clear()
    while _OPEN:
        with contextlib.suppress(Exception):
            _OPEN.pop().close()


MAX_THREADS = 8  # past this a 0.5B model's decode step gains nothing


@cache  # once a process: another count would load the weights again (``_load``'s key)
def default_threads() -> int:
    """llama.cpp's threads: the cores this process may use less those other work keeps busy
    (the 1-minute load average, scaled to them), at least one.

    llama.cpp's threads spin at each step's barrier waiting for the slowest; one that
    waits for a core another process holds stalls them all (bench/bench_speed.py measures
    2 threads against 1 beside two busy processes on 2 cores)."""
    cores = usable_cores()
    busy = os.getloadavg()[0] * cores / (os.cpu_count() or cores)
    return max(1, min(cores - round(busy), MAX_THREADS))


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, threads: int) -> Llama:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise ConfigError(
            "the embedded backend needs llama-cpp-python: pip install 'summarizer[local]'"
        ) from None
    try:
        llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise ConfigError(
            f"could not load model {path}: {exc}; if it is a file you gave with --model-path, "
            "check it is a GGUF model llama-cpp-python supports"
        ) from None
    _OPEN.append(llm)
    return llm


def gbnf_of(request: ChatRequest) -> str | None:
    """The GBNF text a request asks for: its own, else its JSON Schema's, else none."""
    if request.grammar is not None:
        return request.grammar
    if request.schema:
        return _schema_gbnf(json.dumps(request.schema, sort_keys=True))
    return None


@lru_cache(maxsize=32)
def _schema_gbnf(schema_json: str) -> str:
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return str(json_schema_to_gbnf(schema_json))


@lru_cache(maxsize=2)
def _batch_decoder(path: str, n_ctx: int, threads: int, parallel: int) -> BatchDecoder:
    from .decoding import BatchDecoder

    llm = _load(path, n_ctx, threads)
    decoder = BatchDecoder(llm.model, context_tokens=n_ctx, parallel=parallel, threads=threads)
    _OPEN.append(decoder)
    return decoder


@lru_cache(maxsize=2)
def decode_pool(decoder: BatchDecoder) -> CallPool[Job, Output]:
    """The pool in front of ``decoder``: the calls of the documents in flight decoded as one
    batch (``pooling``), one batch at a time under the model's lock."""

    def decode(jobs: list[Job]) -> list[Output | BaseException]:
        with _LOCK:
            return list(decoder.run_each(jobs))

    # a batch's rounds in the order of their prompts, not of their threads' timing
    return CallPool(decode, key=lambda jobs: [job.tokens for job in jobs])


def _formatter(llm: Llama) -> Jinja2ChatFormatter:
    """The GGUF chat template's formatter (what llama-cpp-python uses for this model)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        raise ConfigError("the batched decoder needs a GGUF with a chat template")
    eos, bos = llm.token_eos(), llm.token_bos()
    return Jinja2ChatFormatter(
        template=template,
        eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
        bos_token=llm._model.token_get_text(bos) if bos != -1 else "",
        stop_token_ids=[eos],
    )


@lru_cache(maxsize=256)
def _grammar(gbnf: str) -> LlamaGrammar:
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(gbnf, verbose=False)


def _llama_messages(messages: list[Message]) -> list[ChatCompletionRequestMessage]:
    # our system/user/assistant role and content pairs are what llama_cpp types per role
    return cast("list[ChatCompletionRequestMessage]", messages)


def grammar_of(request: ChatRequest) -> LlamaGrammar | None:
    """The llama.cpp grammar a request asks for (see ``gbnf_of``), or None."""
    gbnf = gbnf_of(request)
    return None if gbnf is None else _grammar(gbnf)


DECODERS = ("llama-cpp", "batched")


class EmbeddedBackend:
    name = "embedded"

    def __init__(
        self,
        *,
        cache_dir: Path,
        model_path: Path | None = None,
        context_tokens: int = 4096,
        threads: int | None = None,
        decoder: str = "batched",
        parallel: int = 4,
    ) -> None:
        if model_path is not None and not model_path.is_file():
            raise ConfigError(f"model file {model_path} does not exist")
        if decoder not in DECODERS:
            raise ConfigError(f"unknown decoder {decoder!r}; choose one of {', '.join(DECODERS)}")
        self.path = model_path or embedded_model_path(cache_dir)
        self.model = model_path.stem if model_path else MODEL_NAME
        self.context_tokens = context_tokens
        self.decoder = decoder
        self.threads = threads or default_threads()
        try:
            self._llm = _load(str(self.path), context_tokens, self.threads)
        except ConfigError:
            if model_path is not None or not rebuild_if_corrupt(cache_dir):
                raise  # the user's own file, or an intact one: the error says what failed
            self._llm = _load(str(self.path), context_tokens, self.threads)  # rebuilt: again
        self._batched = self._format = None
        if decoder == "batched":
            self._batched = _batch_decoder(str(self.path), context_tokens, self.threads, parallel)
            self._format = _formatter(self._llm)

    @property
    def supports_grammar(self) -> bool:
        return True  # llama.cpp samples only tokens the grammar admits

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def complete(self, request: ChatRequest) -> Completion:
        if self._batched is not None:
            return self.complete_many([request])[0]
        return self._complete_plain(request)

    def complete_many(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        """Every request's completion, in order; greedy ones decoded together when batched."""
        if self._batched is None:
            return [self._complete_plain(r) for r in requests]
        from .decoding import Job

        greedy = [i for i, r in enumerate(requests) if r.temperature == 0]
        jobs = [
            Job(
                tokens=self.prompt_tokens(requests[i].messages),
                grammar=gbnf_of(requests[i]),
                max_tokens=requests[i].max_tokens,
            )
            for i in greedy
        ]
        for job in jobs:  # too long a prompt fails its document before it joins a batch
            self._batched.check_length(job)
        # the calls of other documents in flight join these (see ``pooling``)
        outputs = decode_pool(self._batched).submit(jobs)
        done = {
            i: Completion(
                text=o.text,
                prompt_tokens=o.prompt_tokens,
                completion_tokens=o.completion_tokens,
                finish_reason=o.finish_reason,
            )
            for i, o in zip(greedy, outputs)
        }
        # sampling at a temperature is llama-cpp-python's (the loop is greedy only)
        return [done[i] if i in done else self._complete_plain(r) for i, r in enumerate(requests)]

    def prompt_tokens(self, messages: list[Message]) -> list[int]:
        """The chat prompt as ``create_chat_completion`` builds it: the GGUF's template,
        special tokens parsed."""
        assert self._format is not None, "prompts are rendered here for the batched decoder only"
        result = self._format(messages=_llama_messages(messages))
        return list(
            self._llm.tokenize(
                result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
            )
        )

    def _complete_plain(self, request: ChatRequest) -> Completion:
        grammar = grammar_of(request)
        with _LOCK:
            try:
                reply = self._llm.create_chat_completion(
                    messages=_llama_messages(request.messages),
                    grammar=grammar,
                    temperature=request.temperature,
                    max_tokens=request.max_tokens,
                )
            except ValueError as exc:  # llama.cpp raises ValueError when the prompt is too long
                raise InputError(  # the text's size, not the backend's fault: never retried
                    f"a passage of the text is longer than the model's context ({exc})"
                ) from None
        assert not isinstance(reply, Iterator), "not streamed: one response"
        choice = reply["choices"][0]
        usage = reply.get("usage") or {}
        return Completion(
            text=choice["message"].get("content") or "",
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            finish_reason=choice.get("finish_reason"),
        )
