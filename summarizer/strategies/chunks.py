"""How a strategy cuts a document that may not fit the model's context window.

The budget is what the context leaves once the instructions and the answer
have their room; chunks overlap by a tenth of it (see ``summarizer.chunking``).
"""

from __future__ import annotations

from ..chunking import Chunk, TokenCounter, chunk
from ..segment import Sentence
from ..settings import Settings

CHUNK_RESERVE_TOKENS = 1500  # instructions plus the answer, within the context window
MIN_CHUNK_TOKENS = 512


def chunk_budget(settings: Settings) -> int:
    """Tokens a chunk's text may take; a reduce question (instructions and all) as well."""
    return max(MIN_CHUNK_TOKENS, settings.context_tokens - CHUNK_RESERVE_TOKENS)


def cut(text: str, sents: list[Sentence], settings: Settings, count: TokenCounter) -> list[Chunk]:
    budget = chunk_budget(settings)
    return chunk(text, sents, budget=budget, overlap=budget // 10, count=count)
