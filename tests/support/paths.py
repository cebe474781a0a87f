"""Where things are: the repository, the shared data beside it, the sample article, a test key."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# the shared data sets sit beside the main checkout; a git worktree is one level deeper
SHARED = next(
    (parent / "shared" for parent in REPO.parents[:2] if (parent / "shared").is_dir()),
    REPO.parent / "shared",
)
SAMPLE = REPO / "examples" / "kremlin-peace-talks-2025-11-13.txt"
# an API key that must never show up in any output (tests grep for it)
TEST_KEY = "sk-test-DO-NOT-LEAK-0123456789abcdef"
