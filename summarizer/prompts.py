"""Prompt templates: Jinja2 files, one per task, rendered in a sandbox.

Templates live in the top-level ``prompts/`` folder (shipped inside the wheel as
``summarizer/prompts``); ``--prompts DIR`` overrides any of them by file name.
Undefined variables are errors, and every result records the sha256 of each
template it used, so an eval report can tell which prompt produced it.

Terms:

* **record**: the templates one document's run rendered, name -> hash. ``Prompts``
  is shared by every document a pipeline runs (at once, in threads), so the
  record is not kept on it: ``recording()`` opens one for the current context
  (thread or task), and ``render`` adds to the open one. ``used`` is everything
  this object ever rendered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from .errors import ConfigError
from .limits import TEMPLATE_VARIABLES

SYSTEM = "system"
SUMMARY = "summary"
HEADLINE = "headline"
EVENT = "event"
EVENTS_SINGLE = "events_single"
REASK = "reask"
COMPRESS = "compress"

ALL = (SYSTEM, SUMMARY, HEADLINE, EVENT, EVENTS_SINGLE, REASK, COMPRESS)

ARTICLE_FENCE = "</article>"

_RECORD: ContextVar[dict[str, str] | None] = ContextVar("prompts_record", default=None)


def builtin_dir() -> Path:
    here = Path(__file__).resolve().parent
    shipped = here / "prompts"  # inside an installed wheel
    return shipped if shipped.is_dir() else here.parent / "prompts"


def fence(text: str) -> str:
    """Text safe to put between the article fences.

    A closing fence inside it is defused, and so are chat-template markers:
    llama.cpp tokenises the whole chat with special tokens on, so a literal
    ``<|im_start|>`` in an article would otherwise open a real chat turn.
    """
    text = text.replace(ARTICLE_FENCE, "</ article>").replace("<article>", "< article>")
    return text.replace("<|", "<").replace("|>", ">")


@dataclass
class Prompts:
    """Renders templates; remembers the hash of each one used (see ``recording``)."""

    override_dir: Path | None = None
    used: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.override_dir is not None and not self.override_dir.is_dir():
            raise ConfigError(f"prompt folder {self.override_dir} does not exist")
        search = [str(self.override_dir)] if self.override_dir else []
        search.append(str(builtin_dir()))
        self._env = SandboxedEnvironment(
            loader=FileSystemLoader(search),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            autoescape=False,
        )
        self._env.globals.update(TEMPLATE_VARIABLES)  # every template may name the word limits

    def render(self, name: str, **values: object) -> str:
        try:
            template = self._env.get_template(f"{name}.j2")
            text = template.render(**values)
        except TemplateNotFound:
            raise ConfigError(f"prompt template {name}.j2 not found") from None
        except UndefinedError as exc:
            raise ConfigError(f"prompt template {name}.j2: {exc.message}") from None
        if template.filename:
            if name not in self.used:
                content = Path(template.filename).read_bytes()
                self.used[name] = hashlib.sha256(content).hexdigest()[:12]
            record = _RECORD.get()
            if record is not None:
                record.setdefault(name, self.used[name])
        return text.strip()

    @contextmanager
    def recording(self) -> Iterator[dict[str, str]]:
        """The templates rendered in this context (thread or task) until the block ends."""
        record: dict[str, str] = {}
        token = _RECORD.set(record)
        try:
            yield record
        finally:
            _RECORD.reset(token)

    def fingerprint(self) -> str:
        """One hash over every template (used or not), for cache keys."""
        digest = hashlib.sha256()
        for name in ALL:
            try:
                source, filename, _ = self._env.loader.get_source(self._env, f"{name}.j2")  # type: ignore[union-attr]
            except TemplateNotFound:
                continue
            digest.update(name.encode() + b"\0" + source.encode())
        return digest.hexdigest()[:16]
