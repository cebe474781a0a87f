"""Our own decoding loop for the embedded model: cheap grammar checks, several sequences at once.

llama-cpp-python's sampler applies a grammar to all ~152k vocabulary entries at every
token, and its high-level API decodes one sequence at a time. At temperature 0 this loop,
like llama.cpp's own common sampler, checks only the greedy token against the grammar and
runs the full-vocabulary pass only when that token is rejected (the result is the same
token). It decodes up to ``parallel`` sequences in one ``llama_decode`` per step: the
prompt prefix they share (the system instructions) is computed once into sequence 0 and
copied to each slot by KV-cache metadata (the context has ``kv_unified``), and a finished
slot takes the next waiting prompt at once.

The weights are the loaded ``Llama``'s; this loop only adds a context of its own.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections import deque
from dataclasses import dataclass, field

import llama_cpp as lc
import numpy as np

from ..errors import BackendError, InputError

BATCH_TOKENS = 1024  # most tokens one llama_decode takes (prompt suffixes plus one token a slot)
_TOKEN_DATA = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)


@dataclass
class Job:
    """One prompt to complete: its tokens, an optional GBNF grammar, a token limit."""

    tokens: list[int]
    grammar: str | None = None
    max_tokens: int = 512


@dataclass
class Output:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" (end of generation or of the JSON value) or "length"


@dataclass
class _Slot:
    seq: int
    job_index: int = -1
    job: Job | None = None
    pending: list[int] = field(default_factory=list)  # tokens to feed at the next step
    pos: int = 0  # the position the next fed token takes
    out: bytearray = field(default_factory=bytearray)
    generated: int = 0
    sampler: ctypes.c_void_p | None = None
    json: _JsonEnd | None = None


class _JsonEnd:
    """Tracks whether the text so far is one complete JSON object or array."""

    def __init__(self) -> None:
        self.depth = 0
        self.started = False
        self.in_string = False
        self.escaped = False

    def feed(self, piece: str) -> bool:
        """Feed more text; True once the outermost value has closed."""
        for ch in piece:
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif ch == "\\":
                    self.escaped = True
                elif ch == '"':
                    self.in_string = False
            elif ch == '"':
                self.in_string = True
            elif ch in "{[":
                self.depth += 1
                self.started = True
            elif ch in "}]":
                self.depth -= 1
                if self.started and self.depth == 0:
                    return True
        return False


class BatchDecoder:
    """Greedy decoding of many prompts over one model, ``parallel`` at a time.

    Not thread-safe: the embedded backend holds its lock around ``run``.
    """

    def __init__(
        self,
        model: lc.llama_model_p,
        *,
        context_tokens: int,
        parallel: int,
        threads: int,
        threads_batch: int | None = None,
        share_prefix: bool = True,
    ) -> None:
        self.parallel = max(1, parallel)
        # off: every prompt computed whole, as a fresh llama-cpp-python context would (the
        # same logits bit for bit; a prompt's split changes near-tied greedy tokens)
        self.share_prefix = share_prefix
        self.context_tokens = context_tokens  # the most one sequence may hold, as the plain path
        self.n_ctx = context_tokens + self.parallel * 512  # shared cells count once
        params = lc.llama_context_default_params()
        params.n_ctx = self.n_ctx
        params.n_batch = BATCH_TOKENS
        params.n_ubatch = min(512, BATCH_TOKENS)
        params.n_seq_max = self.parallel + 1  # sequence 0 keeps the shared prefix
        params.n_threads = threads
        params.n_threads_batch = threads_batch or threads
        params.kv_unified = True
        # as llama-cpp-python's own context: flash attention's other summation order would
        # flip near-tied greedy tokens against the plain path
        params.flash_attn_type = lc.LLAMA_FLASH_ATTN_TYPE_DISABLED
        params.no_perf = True
        ctx = lc.llama_init_from_model(model, params)
        if not ctx:
            raise BackendError("llama.cpp could not make a decoding context", backend="embedded")
        self._ctx = ctx
        self._mem = lc.llama_get_memory(ctx)
        self._vocab = lc.llama_model_get_vocab(model)
        self.n_vocab = lc.llama_vocab_n_tokens(self._vocab)
        self._batch = lc.llama_batch_init(BATCH_TOKENS, 0, 1)
        self._prefix: list[int] = []  # what sequence 0 holds
        # the full-vocabulary candidates, reused for every grammar pass
        self._all = np.zeros(self.n_vocab, dtype=_TOKEN_DATA)
        self._all["id"] = np.arange(self.n_vocab, dtype=np.intc)
        self._one = (lc.llama_token_data * 1)()
        self._piece = ctypes.create_string_buffer(256)
        self.grammar_passes = 0  # full-vocabulary grammar passes (the cost this loop avoids)
        self.steps = 0

    def close(self) -> None:
        if self._ctx:
            lc.llama_batch_free(self._batch)
            lc.llama_free(self._ctx)
            self._ctx = None

    def __del__(self) -> None:  # the context is C memory the GC can't see
        with contextlib.suppress(Exception):  # interpreter shutdown: modules may be gone
            self.close()

    # --- the loop ---

    def run(self, jobs: list[Job]) -> list[Output]:
        """Every job's completion, in order. A prompt longer than the context raises, before
        any decoding; so does the first job that failed."""
        for job in jobs:
            self.check_length(job)
        outputs = self.run_each(jobs)
        for output in outputs:
            if isinstance(output, Exception):
                raise output
        return [o for o in outputs if not isinstance(o, Exception)]

    def check_length(self, job: Job) -> None:
        if len(job.tokens) + 1 > self.context_tokens:
            raise InputError(  # the text's size, not the backend's fault: never retried
                f"a passage of the text is longer than the model's context "
                f"({len(job.tokens)} tokens; the limit is {self.context_tokens})"
            )

    def run_each(self, jobs: list[Job]) -> list[Output | Exception]:
        """Every job's completion, in order, or in its place the error that failed that job
        alone (too long a prompt, a grammar that does not parse): the others are still
        decoded. An error of the decoder itself raises."""
        outputs: list[Output | Exception | None] = [None] * len(jobs)
        waiting: deque[int] = deque()
        for index, job in enumerate(jobs):
            try:
                self.check_length(job)
            except InputError as exc:
                outputs[index] = exc
            else:
                waiting.append(index)
        if self.share_prefix and waiting:
            self._share_prefix(shared_prefix([jobs[i].tokens for i in waiting]))
        slots = [_Slot(seq=s) for s in range(1, self.parallel + 1)]
        try:
            while waiting or any(slot.job for slot in slots):
                for slot in slots:
                    if slot.job is None and waiting and self._room(jobs[waiting[0]], slots):
                        index = waiting.popleft()
                        try:
                            self._start(slot, index, jobs)
                        except BackendError as exc:  # this job's grammar: it alone fails
                            outputs[index] = exc
                            self._free(slot)
                self._step(slots, outputs)
        finally:
            for slot in slots:
                self._free(slot)
        assert all(out is not None for out in outputs), "every job ends with an output"
        return [out for out in outputs if out is not None]

    def _room(self, job: Job, slots: list[_Slot]) -> bool:
        """Whether the KV cache has cells for one more sequence at its longest."""
        used = len(self._prefix) + sum(
            len(s.job.tokens) - len(self._prefix) + s.job.max_tokens
            for s in slots
            if s.job is not None
        )
        need = len(job.tokens) - len(self._prefix) + job.max_tokens
        return used + need <= self.n_ctx or all(s.job is None for s in slots)

    def _share_prefix(self, prefix: list[int]) -> None:
        """Sequence 0 holds ``prefix`` (at least one token short of every prompt)."""
        keep = _lcp(self._prefix, prefix)
        if keep < len(self._prefix):
            lc.llama_memory_seq_rm(self._mem, 0, keep, -1)
            self._prefix = self._prefix[:keep]
        rest = prefix[keep:]
        while rest:
            chunk, rest = rest[:BATCH_TOKENS], rest[BATCH_TOKENS:]
            self._fill(chunk, 0, len(self._prefix), logits_last=False)
            self._decode()
            self._prefix.extend(chunk)

    def _start(self, slot: _Slot, index: int, jobs: list[Job]) -> None:
        job = jobs[index]
        slot.job, slot.job_index = job, index
        slot.out, slot.generated = bytearray(), 0
        shared = len(self._prefix)
        if shared:
            lc.llama_memory_seq_cp(self._mem, 0, slot.seq, 0, shared)
        slot.pending, slot.pos = job.tokens[shared:], shared
        slot.sampler = self._grammar_sampler(job.grammar) if job.grammar else None
        slot.json = _JsonEnd() if job.grammar else None

    def _step(self, slots: list[_Slot], outputs: list[Output | Exception | None]) -> None:
        """One llama_decode: each busy slot's pending tokens; then one token sampled for each."""
        self._batch.n_tokens = 0
        fed: list[tuple[_Slot, int]] = []  # (slot, its logits' batch index)
        for slot in slots:
            if slot.job is None:
                continue
            room = BATCH_TOKENS - self._batch.n_tokens
            if room <= 0:
                break
            feed = slot.pending[:room]
            self._fill(feed, slot.seq, slot.pos, logits_last=len(feed) == len(slot.pending))
            slot.pos += len(feed)
            slot.pending = slot.pending[len(feed) :]
            if not slot.pending:
                fed.append((slot, self._batch.n_tokens - 1))
        self._decode()
        self.steps += 1
        for slot, index in fed:
            token = self._sample(slot, index)
            finish = self._advance(slot, token)
            if finish:
                assert slot.job is not None
                outputs[slot.job_index] = Output(
                    text=slot.out.decode("utf-8", errors="ignore"),
                    prompt_tokens=len(slot.job.tokens),
                    completion_tokens=slot.generated,
                    finish_reason=finish,
                )
                self._free(slot)

    def _advance(self, slot: _Slot, token: int) -> str | None:
        """Take the sampled token; the finish reason when the sequence has ended."""
        assert slot.job is not None
        if lc.llama_vocab_is_eog(self._vocab, token):
            return "stop"
        slot.generated += 1
        piece = self._token_text(token)
        slot.out += piece
        if slot.json is not None and slot.json.feed(piece.decode("utf-8", errors="ignore")):
            return "stop"
        if slot.generated >= slot.job.max_tokens:
            return "length"
        slot.pending = [token]
        return None

    def _free(self, slot: _Slot) -> None:
        if slot.job is not None:
            lc.llama_memory_seq_rm(self._mem, slot.seq, -1, -1)
        if slot.sampler is not None:
            lc.llama_sampler_free(slot.sampler)
        slot.job, slot.sampler, slot.json, slot.pending = None, None, None, []

    # --- llama.cpp calls ---

    def _fill(self, tokens: list[int], seq: int, pos: int, *, logits_last: bool) -> None:
        batch = self._batch
        for offset, token in enumerate(tokens):
            i = batch.n_tokens
            batch.token[i] = token
            batch.pos[i] = pos + offset
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = seq
            batch.logits[i] = 0
            batch.n_tokens += 1
        if logits_last and tokens:
            batch.logits[batch.n_tokens - 1] = 1

    def _decode(self) -> None:
        if self._batch.n_tokens == 0:
            return
        code = lc.llama_decode(self._ctx, self._batch)
        if code != 0:
            raise BackendError(f"llama_decode failed (code {code})", backend="embedded")
        self._batch.n_tokens = 0

    def _grammar_sampler(self, grammar: str) -> ctypes.c_void_p:
        sampler = lc.llama_sampler_init_grammar(self._vocab, grammar.encode("utf-8"), b"root")
        if not sampler:
            raise BackendError("the request's grammar does not parse", backend="embedded")
        return sampler

    def _sample(self, slot: _Slot, index: int) -> int:
        """The greedy token, among those the grammar allows (checked cheaply first)."""
        pointer = lc.llama_get_logits_ith(self._ctx, index)
        logits = np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))
        token = int(np.argmax(logits))
        if slot.sampler is None:
            return token
        one = self._one
        # llama_cpp annotates ``id`` as c_int32; a ctypes field takes (and stores) a plain int
        one[0].id, one[0].logit, one[0].p = token, float(logits[token]), 0.0  # type: ignore[assignment]
        single = lc.llama_token_data_array(data=one, size=1, selected=-1, sorted=False)
        lc.llama_sampler_apply(slot.sampler, ctypes.byref(single))
        if single.data[0].logit == float("-inf"):  # rejected: the full pass
            self.grammar_passes += 1
            everything = self._all
            everything["logit"] = logits
            everything["p"] = 0.0
            whole = lc.llama_token_data_array(
                data=everything.ctypes.data_as(lc.llama_token_data_p),
                size=self.n_vocab,
                selected=-1,
                sorted=False,
            )
            lc.llama_sampler_apply(slot.sampler, ctypes.byref(whole))
            token = int(np.argmax(everything["logit"]))
            if everything["logit"][token] == float("-inf"):
                raise BackendError("the grammar allows no token", backend="embedded")
        lc.llama_sampler_accept(slot.sampler, token)
        return token

    def _token_text(self, token: int) -> bytes:
        size = lc.llama_token_to_piece(self._vocab, token, self._piece, len(self._piece), 0, False)
        if size < 0:  # a longer piece than the buffer
            self._piece = ctypes.create_string_buffer(-size)
            size = lc.llama_token_to_piece(
                self._vocab, token, self._piece, len(self._piece), 0, False
            )
        return self._piece.raw[:size]


def _lcp(a: list[int], b: list[int]) -> int:
    """How many leading tokens ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def shared_prefix(prompts: list[list[int]]) -> list[int]:
    """The longest prefix every prompt shares, at least one token short of each (a prompt's
    last token is decoded in its own slot, for its logits)."""
    if not prompts:
        return []
    first = prompts[0]
    n = min(len(p) for p in prompts) - 1
    for other in prompts[1:]:
        n = min(n, _lcp(first, other))
    return first[: max(0, n)]
