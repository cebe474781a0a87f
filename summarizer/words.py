"""Shared word lists: words several modules recognise, kept once so they cannot drift apart.

reporting verb
    A word that attributes what a sentence says to a source: "said", "told", "according
    to", "denied". Listed in every form a news sentence uses (past, present, base, and the
    adverb "reportedly"), since no stemmer runs; a pattern built from the list matches any.
noun form
    A reporting verb that is also a common noun ("reports of ...", "claims from ..."):
    a check that must not take a noun for a verb leaves these out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REPORTING_VERBS = frozenset(
    """
    said says say saying told tells tell announced announces announce
    claimed claims claim alleged alleges allege reported reports reportedly insisted insists
    insist stated states warned warns accused accuses accuse believes believed suggested
    suggests added adds argued argues argue denied denies vowed vows urged urges confirmed confirms
    quoted disclosed revealed noted explained wrote declared described describes describe
    """.split()
) | {"according to"}
NOUN_FORMS = frozenset({"claims", "claim", "reports", "states"})


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of words (longest first, so "says" wins over "say"), spaces loose."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in ordered)


def reporting_pattern(*, nouns: bool = True) -> str:
    """``\\b(?:said|says|...)\\b`` over the reporting verbs, without the noun forms if asked."""
    words = REPORTING_VERBS if nouns else REPORTING_VERBS - NOUN_FORMS
    return r"\b(?:" + alternation(words) + r")\b"


REPORTING = re.compile(reporting_pattern(), re.IGNORECASE)
