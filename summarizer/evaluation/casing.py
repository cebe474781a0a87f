"""Text as some corpora and recognisers hand it over: lower-cased and tokenised.

**Lower-cased, tokenised** (``lower_tokenised``): each sentence (the eval splitter's) split
into Penn-Treebank tokens by nltk's ``TreebankWordTokenizer`` (a space around every stop and
comma, ``-lrb-``/``-rrb-`` for brackets, ```` `` ```` and ``''`` for double quotes, ``n't``
apart), joined by single spaces and lower-cased: the form of the tokenised CNN/DailyMail
releases. Used to check that selection holds up on such text.
"""

from __future__ import annotations

from nltk.tokenize import TreebankWordTokenizer  # type: ignore[import-untyped]

from .metrics import sentences

_TOKENIZER = TreebankWordTokenizer()


def lower_tokenised(text: str) -> str:
    """``text`` lower-cased and tokenised (module doc)."""
    return " ".join(
        " ".join(_TOKENIZER.tokenize(sentence, convert_parentheses=True)).lower()
        for sentence in sentences(text)
    )


__all__ = ["lower_tokenised"]
