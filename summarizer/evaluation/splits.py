"""The tune/check split: a document's part, fixed by a hash of its id.

Weights are learned on **tune**; **check** is only reported, so a gain that shows on tune alone
is seen for the fit it is.
"""

from __future__ import annotations

import hashlib


def part_of(doc_id: str) -> str:
    """``tune`` or ``check``: sha256 of the id, even first byte -> tune."""
    return "tune" if hashlib.sha256(doc_id.encode("utf-8")).digest()[0] % 2 == 0 else "check"


__all__ = ["part_of"]
