"""Entities a reader follows, and which events are about them.

Terms:

* **entity**: a company, product or person given by name ("General Motors", "Airbus
  A380", "Steve Jobs"), with any aliases the user adds.
* **alias**: a form that means the entity wherever it stands: the name itself, the name
  without a corporate suffix ("Apple Inc." -> "Apple"), its acronym ("General Motors" ->
  "GM"), the name's tail of two words or more ("Beatles Apple Corps" -> "Apple Corps"), and
  forms an article defines in parentheses ("General Motors Corp. (GM)"). Between two words
  of the name one extra word may stand ("iTunes store" finds "iTunes Music Store").
* **short form**: the name's last word ("Jobs", "3G"). Alone it could mean someone else, so
  it counts only after the name or an alias appeared earlier in the same document (a person
  by surname after first mention). A last word of three characters or more mixing letters
  and digits is a model code ("A380", "the A380") and counts as an alias.
* **about**: an event is about the entity when its quote mentions it (an alias, or a short
  form after a first mention), or one of its actors does. Measured on the SemEval-2015
  trial timelines (docs/timeline-crossdoc.md).

The matching reads only what a ``Result`` keeps (the title and the events' quotes), so a
run output merges without the article texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..schemas import Event

_SUFFIXES = {"inc", "corp", "corporation", "co", "ltd", "plc", "llc", "ag", "sa", "gmbh"}
_FOLLOWERS = ("Inc", "Corp", "Corporation", "Co", "Ltd", "Plc", "LLC", "Computer", "Computers")
# measured on the trial tune entities (docs/timeline-crossdoc.md)
LONGER_NAMES = False  # tune F1 0.550 with, 0.553 without
_CODE = re.compile(r"[A-Za-z]")
_ACRONYM = r"[A-Z][A-Za-z0-9&.]{1,9}"


@dataclass(frozen=True)
class Entity:
    """An entity to follow: its name and any aliases the caller knows."""

    name: str
    aliases: tuple[str, ...] = ()

    @classmethod
    def parse(cls, spec: str) -> Entity:
        """``"General Motors"`` or ``"General Motors=GM,GM Corp"`` (name, then aliases)."""
        name, _, rest = spec.partition("=")
        aliases = tuple(a.strip() for a in rest.split(",") if a.strip())
        return cls(name.strip(), aliases)


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"\s+", name.strip()) if w]


def _strip_suffix(words: list[str]) -> list[str]:
    while len(words) > 1 and words[-1].lower().rstrip(".,") in _SUFFIXES:
        words = words[:-1]
    return words


def name_forms(entity: Entity) -> tuple[list[str], list[str]]:
    """The entity's aliases and short forms, derived from its name (see the module terms)."""
    words = _words(entity.name)
    if not words:
        raise ValueError("an entity needs a name")
    aliases = [entity.name.strip(), *entity.aliases]
    core = _strip_suffix(words)
    aliases.append(" ".join(core))
    for start in range(1, len(core) - 1):  # the tail of two words or more
        aliases.append(" ".join(core[start:]))
    capitals = [w for w in core if w[:1].isupper()]
    if len(core) >= 2 and len(capitals) == len(core) and all(w.isalpha() for w in core):
        aliases.append("".join(w[0] for w in core))  # General Motors -> GM
    short: list[str] = []
    last = core[-1]
    if len(core) >= 2 and len(last) >= 2 and any(c.isalpha() for c in last):
        short.append(last)
    return list(dict.fromkeys(a for a in aliases if a)), short


def _pattern(form: str) -> str:
    """A form as a regex: one optional extra word between its words, possessive allowed."""
    parts = [re.escape(w) for w in _words(form)]
    return r"(?:\s+\S+)?\s+".join(parts)


def _compile(forms: Sequence[str]) -> re.Pattern[str] | None:
    if not forms:
        return None
    ordered = sorted(set(forms), key=len, reverse=True)
    flags = 0
    alternatives = []
    for form in ordered:
        body = _pattern(form)
        # a one-word form keeps its case ("GM", "Jobs"); longer names match in any case
        alternatives.append(body if " " not in form.strip() else f"(?i:{body})")
    # a name followed by another capitalised word or a number is a longer name, another
    # entity ("Apple Corps", "iPod Nano", "iPhone 4"), unless that word is a company suffix
    longer = r"(?!\s+(?!(?:" + "|".join(_FOLLOWERS) + r")\b)(?:[A-Z0-9]))"
    return re.compile(
        r"(?<![\w-])(?:"
        + "|".join(alternatives)
        + r")(?![\w-])"
        + (longer if LONGER_NAMES else ""),
        flags,
    )


def defined_aliases(entity: Entity, texts: Iterable[str]) -> list[str]:
    """Acronyms an article defines for the entity in parentheses: "General Motors (GM)"."""
    aliases, _ = name_forms(entity)
    names = "|".join(f"(?:{_pattern(a)})" for a in aliases if " " in a)
    if not names:
        return []
    pattern = re.compile(rf"(?i:{names})[\w.,\s]{{0,12}}?\((?-i:({_ACRONYM}))\)")
    found: list[str] = []
    for text in texts:
        found += [m.group(1).rstrip(".") for m in pattern.finditer(text)]
    return list(dict.fromkeys(f for f in found if f.upper() == f or f[:1].isupper()))


# a sentence opening on a pronoun continues the one before: "He announced..." after "Jobs ...";
# measured on the trial tune entities (docs/timeline-crossdoc.md)
CARRY_PRONOUNS = True
_PRONOUN_START = re.compile(
    r"^\W*(?:\w+\s+){0,3}?(?:He|She|His|Her|It|Its|They|Their|The company|The firm)\b"
)


def _inside(event: Event, events: Sequence[Event], order: list[int], i: int) -> bool:
    """Whether ``event`` is a clause inside an earlier event's sentence."""
    span = event.evidence.span
    return any(
        j != i
        and events[j].evidence.span.start <= span.start < events[j].evidence.span.end
        and events[j].evidence.span.start < span.start
        for j in order
    )


@dataclass
class EntityMatcher:
    """Finds one entity in a document's title and quotes, in document order."""

    entity: Entity
    extra_aliases: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        aliases, short = name_forms(self.entity)
        # a model code ("A380", "F-35A") means the entity even before the full name appears
        codes = [s for s in short if len(s) >= 3 and _CODE.search(s) and re.search(r"\d", s)]
        self.aliases = list(dict.fromkeys([*aliases, *codes, *self.extra_aliases]))
        self.short = [s for s in short if s not in self.aliases]
        self._alias = _compile(self.aliases)
        self._short = _compile(self.short)

    def mentions(self, text: str, *, introduced: bool) -> bool:
        """Whether ``text`` names the entity; short forms count once ``introduced``."""
        if self._alias is not None and self._alias.search(text):
            return True
        return introduced and self._short is not None and bool(self._short.search(text))

    def about(self, title: str | None, events: Sequence[Event]) -> list[bool]:
        """For each of one document's events, whether it is about the entity.

        The document is read in order (title first) so that a short form counts only
        after a first full mention."""
        introduced = bool(title) and self.mentions(title or "", introduced=False)
        order = sorted(range(len(events)), key=lambda i: events[i].evidence.span.start)
        verdict = [False] * len(events)
        previous = False  # whether the sentence before was about the entity
        for i in order:
            event = events[i]
            named = self.mentions(event.evidence.quote, introduced=introduced)
            if self._alias is not None and self._alias.search(event.evidence.quote):
                introduced = True
            by_actor = any(self.mentions(a, introduced=introduced) for a in event.actors)
            carried = (
                CARRY_PRONOUNS and previous and bool(_PRONOUN_START.match(event.evidence.quote))
            )
            verdict[i] = named or by_actor or carried
            if not _inside(event, events, order, i):
                previous = verdict[i]
        return verdict


__all__ = ["Entity", "EntityMatcher", "defined_aliases", "name_forms"]
