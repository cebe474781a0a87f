"""Document loading: files, folders, JSON/JSONL records and stdin become ``Document`` objects.

Formats:

* plain text or Markdown, whose first line may be a header ``date YYYY-MM-DD Title``
  (the header is removed; the body that follows is the document text, so spans
  count from the body's first character). A Markdown ``# Title`` line gives the
  title when there is no header.
* ``.json``: one record or a list of records; ``.jsonl``: one record per line.
  A record has ``text`` and optionally ``id``, ``title``, ``date``.

Loading never stops a batch: ``iter_documents`` yields an ``InputError`` in place
of each document it could not read, and carries on with the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import InputError
from .schemas import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson"}
MAX_BYTES = 20 * 1024 * 1024  # a news pipeline never needs more; refuse before reading

_HEADER = re.compile(r"^\s*date\s+(\S+)\s*(.*)$", re.IGNORECASE)
_MD_TITLE = re.compile(r"^#\s+(.+?)\s*#*\s*$")


def parse_date(value: str, *, source: str | None = None) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"'{value}' is not a date in YYYY-MM-DD form", source=source) from None


def decode(data: bytes, *, source: str) -> str:
    """Text from bytes: UTF-8 (BOM allowed); binary or undecodable bytes are refused."""
    if b"\x00" in data[:8192]:
        raise InputError("looks like a binary file, not text", source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is not valid UTF-8 (byte {exc.start}); convert it, e.g. iconv -t UTF-8",
            source=source,
        ) from None


def parse_text(raw: str, *, doc_id: str, source: str | None = None) -> Document:
    """A plain-text or Markdown document, with its optional ``date`` header line."""
    raw = raw.replace("\ufeff", "", 1) if raw.startswith("\ufeff") else raw
    first, _, rest = raw.partition("\n")
    title: str | None = None
    date: dt.date | None = None
    header = _HEADER.match(first)
    if header and re.fullmatch(r"\d{4}-\d{2}-\d{2}", header.group(1)):
        date = parse_date(header.group(1), source=source)
        title = header.group(2).strip() or None
        body = rest.lstrip("\r\n")
    else:
        body = raw
        md = _MD_TITLE.match(first.strip())
        if md:
            title = md.group(1)
    if not body.strip():
        raise InputError("has no text to summarise" + (" (only a title)" if title else ""),
                         source=source)
    return Document(id=doc_id, text=body, title=title, date=date, source=source)


def parse_record(record: Any, *, default_id: str, source: str) -> Document:
    """A JSON record with ``text`` and optional ``id``, ``title``, ``date``."""
    if not isinstance(record, dict):
        raise InputError("a record must be a JSON object", source=source)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError("record has no 'text'", source=source)
    date = record.get("date") or record.get("publication_date")
    return Document(
        id=str(record.get("id") or default_id),
        text=text,
        title=record.get("title") or None,
        date=parse_date(str(date), source=source) if date else None,
        source=source,
    )


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"is {size / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB",
                             source=str(path))
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", source=str(path)) from None
    except PermissionError:
        raise InputError("permission denied", source=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory", source=str(path)) from None


def _iter_records(text: str, *, stem: str, source: str, jsonl: bool) -> Iterator[Document | InputError]:
    if not jsonl:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield InputError(f"invalid JSON at line {exc.lineno}: {exc.msg}", source=source)
            return
        records = data if isinstance(data, list) else [data]
        for i, record in enumerate(records, 1):
            yield _safe(lambda: parse_record(record, default_id=f"{stem}-{i}", source=source))
        return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(f"invalid JSON: {exc.msg}", source=where)
            continue
        yield _safe(lambda: parse_record(record, default_id=f"{stem}-{lineno}", source=where))


def _safe(make: Any) -> Document | InputError:
    try:
        return make()
    except InputError as exc:
        return exc


def iter_path(path: Path) -> Iterator[Document | InputError]:
    """Documents from one file or folder (folders: their text and record files, sorted)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        usable = [p for p in files if p.suffix.lower() in TEXT_SUFFIXES | RECORD_SUFFIXES]
        if not usable:
            yield InputError("folder has no .txt, .md, .json or .jsonl files", source=str(path))
        for file in usable:
            yield from iter_path(file)
        return
    source = str(path)
    try:
        text = decode(_read_bytes(path), source=source)
    except InputError as exc:
        yield exc
        return
    suffix = path.suffix.lower()
    if suffix in RECORD_SUFFIXES:
        yield from _iter_records(text, stem=path.stem, source=source, jsonl=suffix != ".json")
    else:
        yield _safe(lambda: parse_text(text, doc_id=path.stem, source=source))


def iter_stdin() -> Iterator[Document | InputError]:
    data = sys.stdin.buffer.read()
    try:
        text = decode(data, source="<stdin>")
    except InputError as exc:
        yield exc
        return
    stripped = text.lstrip()
    if stripped.startswith("{"):
        jsonl = "\n{" in stripped.strip()
        yield from _iter_records(text, stem="stdin", source="<stdin>", jsonl=jsonl)
    else:
        yield _safe(lambda: parse_text(text, doc_id="stdin", source="<stdin>"))


def iter_documents(sources: list[str]) -> Iterator[Document | InputError]:
    """Every document named by ``sources`` (paths, folders, or ``-`` for stdin), in order."""
    for source in sources:
        if source == "-":
            yield from iter_stdin()
        else:
            yield from iter_path(Path(source))


def as_document(value: str | Document, *, date: dt.date | None = None,
                title: str | None = None, doc_id: str = "document") -> Document:
    """What ``summarise`` accepts: a Document, or raw text (with an optional date header)."""
    if isinstance(value, Document):
        doc = value
    elif isinstance(value, str):
        doc = parse_text(value, doc_id=doc_id)
    else:
        raise InputError(f"expected text or a Document, got {type(value).__name__}")
    updates: dict[str, Any] = {}
    if date is not None:
        updates["date"] = date
    if title is not None:
        updates["title"] = title
    return doc.model_copy(update=updates) if updates else doc
