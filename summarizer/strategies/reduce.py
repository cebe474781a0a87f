"""The reduce climb: partial summaries (one per chunk) reduced, level by level, to one.

Each level cuts its summaries into consecutive groups whose rendered question
fits the chunk budget (``Reducer.groups``) and asks one summary per group of
two or more, the level's questions together; a group of one goes up as it is.
Some group always holds two or more, so every level is shorter than the one below and the climb ends in one
summary; as summaries are clipped so that any two fit one question, a level is
at most half as long, rounded up. Each reduced summary meets the same checks
as a chunk's, against the whole document. A reduce that fails stops the climb
and the level's first summary stands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..chunking import TokenCounter
from ..schemas import SummaryDraft

REDUCE_JOIN_TOKENS = 8  # a part's "Part N: " label and the blank line before it

Group = tuple[list[int], str | None]  # member indices, and the article of their reduce question


def parts_article(bodies: list[str]) -> str:
    """The article of a reduce question: the partial summaries, numbered from 1."""
    return "\n\n".join(f"Part {i}: {body}" for i, body in enumerate(bodies, 1))


@dataclass
class Reducer:
    """One document's climb.

    ``summarise(articles)`` asks (and checks) a summary of each reduce question's
    article, the questions together; ``question_tokens(article)`` is the size of that whole rendered
    question; ``count`` counts tokens; ``budget`` bounds every question.
    """

    summarise: Callable[[list[str]], list[SummaryDraft | None]]
    question_tokens: Callable[[str], int]
    count: TokenCounter
    budget: int
    warnings: list[str]

    def climb(self, drafts: list[SummaryDraft]) -> SummaryDraft:
        """Partial summaries (in document order) reduced to one."""
        level = list(drafts)
        depth = 0
        while len(level) > 1:
            groups = self.groups(level)
            if groups is None:
                self.warnings.append(
                    f"summary: {len(level)} partial summaries cannot be reduced "
                    f"within {self.budget} tokens; the first one stands"
                )
                return level[0]
            depth += 1
            # a level's reduces are independent: asked together
            reduced = iter(self.summarise([a for _, a in groups if a is not None]))
            above = [
                level[members[0]] if article is None else next(reduced)
                for members, article in groups
            ]
            if any(draft is None for draft in above):
                self.warnings.append(
                    f"summary: reduce level {depth} failed; the summary covers "
                    "only the start of the document"
                )
                return above[0] or level[0]
            level = [draft for draft in above if draft is not None]
        return level[0]

    def groups(self, level: list[SummaryDraft]) -> list[Group] | None:
        """``level`` cut into consecutive groups, each with the article of its reduce question.

        A group's article is its summaries as ``Part i: <abstract>`` and ``- <key point>``
        lines, numbered from 1 in each group; the whole rendered question (instructions,
        title and article) is at most the budget. Each summary is first clipped (every
        line to its first words) to half the room the instructions leave, so any two
        consecutive summaries fit one question; groups then take as many more as fit. A
        group of one has no article (it needs no reduce). None when not even two clipped
        summaries fit (a title near the budget).
        """
        room = self.budget - self.question_tokens("")
        cap = room // 2 - REDUCE_JOIN_TOKENS
        while cap > 0:
            bodies = [self.part_body(draft, cap) for draft in level]
            if None not in bodies:
                groups = self._group_parts([b for b in bodies if b is not None])
                if any(len(members) > 1 for members, _ in groups):
                    return groups
            cap //= 2  # the tokenizer counts a join dearer than the parts: clip harder
        return None

    def _group_parts(self, bodies: list[str]) -> list[Group]:
        groups: list[Group] = []
        members: list[int] = []
        article = ""
        for i, _ in enumerate(bodies):
            candidate = parts_article([bodies[j] for j in members + [i]])
            if members and self.question_tokens(candidate) > self.budget:
                groups.append((members, article if len(members) > 1 else None))
                members, article = [], ""
                candidate = parts_article([bodies[i]])
            members.append(i)
            article = candidate
        groups.append((members, article if len(members) > 1 else None))
        return groups

    def part_body(self, draft: SummaryDraft, cap: int) -> str | None:
        """A summary as reduce input: its abstract, then its key points, within ``cap`` tokens.

        Too long, every line keeps only its first words, as many as fit (found by
        bisection); None when not even one word a line fits."""
        lines = [" ".join(draft.abstract.split())] + [
            f"- {' '.join(p.split())}" for p in draft.key_points
        ]

        def clipped(words: int) -> str:
            return "\n".join(" ".join(line.split()[:words]) for line in lines)

        most = max(len(line.split()) for line in lines)
        if self.count(clipped(most)) <= cap:
            return clipped(most)
        low, high = 0, most  # clipped(low) fits (or low == 0), clipped(high) does not
        while high - low > 1:
            middle = (low + high) // 2
            if self.count(clipped(middle)) <= cap:
                low = middle
            else:
                high = middle
        # a key point keeps its dash and one word at least
        return clipped(low) if low >= 2 else None
