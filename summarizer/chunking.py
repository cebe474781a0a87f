"""Chunking: cutting a long document into pieces that fit the model's context window.

A **chunk** is a ``[start, end)`` span of the document made of whole
paragraphs (whole sentences when one paragraph is too long), at most
``budget`` tokens by the backend's own count, and overlapping the previous
chunk by about ``overlap`` tokens so an event that straddles a cut is seen
whole at least once. Offsets are into the original text, so anything found
in a chunk maps back to the whole document by adding the chunk's start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .segment import Sentence
from .settings import Settings

TokenCounter = Callable[[str], int]
CHUNK_RESERVE_TOKENS = 1500  # instructions plus the answer, within the context window
MIN_CHUNK_TOKENS = 512
CHARS_PER_TOKEN = 3.5  # English with BPE tokenizers, a little high on purpose


def estimate_tokens(text: str) -> int:
    """A safe (high) token count when no tokenizer is known: 3.5 ASCII characters a token,
    and a token for every other character (a BPE token rarely spans more than one CJK
    character; for accented or Cyrillic text this overcounts, which only makes chunks smaller)."""
    other = 0 if text.isascii() else sum(1 for ch in text if ord(ch) > 127)
    return int((len(text) - other) / CHARS_PER_TOKEN) + other + 1


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int
    end: int
    sentences: tuple[Sentence, ...]


def chunk(
    text: str,
    sents: list[Sentence],
    *,
    budget: int,
    overlap: int = 0,
    count: TokenCounter = estimate_tokens,
) -> list[Chunk]:
    """Chunks of at most ``budget`` tokens covering every sentence, in order.

    Each chunk grows by whole paragraphs and ends at a paragraph's end when it
    can; a paragraph too long to fit is taken sentence by sentence. The next
    chunk starts ``overlap`` tokens' worth of sentences before the end. A
    single sentence longer than the budget becomes a chunk of its own (the
    caller truncates or warns); nothing is ever dropped.
    """
    if not sents:
        return []
    # each sentence is counted once; a span's size is the sum (plus one token per join)
    prefix = [0]
    for sentence in sents:
        prefix.append(prefix[-1] + count(sentence.text) + 1)

    def tokens(first: int, last: int) -> int:
        return prefix[last + 1] - prefix[first]

    chunks: list[Chunk] = []
    first = 0
    while True:

        def fits(end: int, first: int = first) -> bool:
            return tokens(first, end) <= budget

        last = _extend(sents, first, fits)
        members = tuple(sents[first : last + 1])
        chunks.append(Chunk(len(chunks), members[0].start, members[-1].end, members))
        if last == len(sents) - 1:
            return chunks
        nxt = last + 1
        while nxt - 1 > first + 1 and tokens(nxt - 1, last) <= overlap:
            nxt -= 1
        first = nxt


def _extend(sents: list[Sentence], first: int, fits: Callable[[int], bool]) -> int:
    """The last sentence index of a chunk starting at ``first``."""
    last = first
    while last + 1 < len(sents):
        at_paragraph_end = sents[last + 1].paragraph != sents[last].paragraph
        end = last + 1
        while end + 1 < len(sents) and sents[end + 1].paragraph == sents[last + 1].paragraph:
            end += 1
        if fits(end):
            last = end  # the whole next paragraph fits
        elif not at_paragraph_end and fits(last + 1):
            last += 1  # finish the paragraph we are in, sentence by sentence
        else:
            break
    return last


def chunk_budget(settings: Settings) -> int:
    """Tokens a chunk's text may take; a reduce question (instructions and all) as well: what
    the context leaves once the instructions and the answer have their room."""
    return max(MIN_CHUNK_TOKENS, settings.context - CHUNK_RESERVE_TOKENS)


def cut(text: str, sents: list[Sentence], settings: Settings, count: TokenCounter) -> list[Chunk]:
    """A document cut for a strategy: chunks of ``chunk_budget`` overlapping by a tenth of it."""
    budget = chunk_budget(settings)
    return chunk(text, sents, budget=budget, overlap=budget // 10, count=count)
