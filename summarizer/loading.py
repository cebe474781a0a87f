"""Document loading: files, folders, JSON/JSONL records and stdin become ``Document`` objects.

Formats:

* plain text or Markdown, whose first line may be a header ``date YYYY-MM-DD Title``
  (the header is removed; the body that follows is the document text, and
  ``Document.offset`` says where it starts, so a result's spans still index the
  text as given). A Markdown ``# Title`` line gives the
  title when there is no header.
* ``.json``: one record or a list of records; ``.jsonl``: one record per line.
  A record has ``text`` and optionally ``id``, ``title``, ``date``.
* ``.parquet``: one record per row, the same columns (needs pyarrow, which the
  ``ray`` extra brings); a date column may hold real dates or timestamps.
* a **news page**: an ``.html`` file, any text that opens as HTML, or an ``http(s)://`` URL
  (fetched, redirects followed). Its article is extracted with trafilatura: the body without
  navigation, adverts, scripts and comments, the title, and the publication date from the
  page's metadata. The Document's text is the extracted text (``extracted`` is set): spans
  index it, and the result carries it.

A folder gives the files under it with a document extension (``FOLDER_EXTENSIONS``,
or the ones asked for), hidden files and folders (``.git/``) left out;
``folder_files`` says what was skipped. Every runner reads its inputs here, so
the same sources give the same documents whichever engine runs them.

Loading never stops a batch: ``iter_documents`` yields an ``InputError`` in place
of each document it could not read (an **item** is either), and carries on.

Encodings: UTF-8 (with or without a BOM), and UTF-16/UTF-32 when a BOM says so or,
without one, when the zero bytes say so unmistakably (every other byte of mostly
ASCII text is zero: ``bom_less_codec``). Anything else is refused with a hint (e.g. "looks like Windows-1252") rather than
guessed: a wrong guess silently changes the text every evidence span points
into. Callers that know the encoding pass ``encoding=``. Binary files (NUL or
control bytes, or a known magic number such as PDF or ZIP) are refused, and no
source is read past ``MAX_BYTES``, so ``/dev/zero`` or a huge file fails fast.

A record's fields are checked one by one (``text`` and ``title`` strings, ``id`` a
string or number), so a wrong-typed field is that record's ``InputError``, naming
file and line, never an error that stops the walk. A publication date must lie in
``DATE_RANGE`` (relative-date arithmetic stays within ``datetime``'s years 1-9999),
and a text needs at least ``MIN_TEXT_CHARS`` letters or digits to be summarised
(``check_text``).
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import InputError
from .schemas import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
PAGE_SUFFIXES = {".html", ".htm", ".xhtml"}
# what a folder gives unless told otherwise
FOLDER_EXTENSIONS = (".txt", ".md", ".json", ".jsonl", ".parquet", ".html", ".htm")
PARQUET_BATCH_ROWS = 1024  # rows read at a time: memory stays flat on a big file
MIB = 1024 * 1024
MAX_BYTES = 20 * MIB  # a news pipeline never needs more; refuse before reading
FUTURE_SLACK_DAYS = 1  # time zones: a paper dated tomorrow somewhere is not an error
CONTROL_SHARE = 0.05  # text has almost no C0 control bytes besides tab, CR, LF, FF
# publication dates: far enough from datetime's ends (years 1 and 9999) that "a century
# ago" or "next decade" cannot overflow, wide enough for any archive
DATE_RANGE = (dt.date(1000, 1, 1), dt.date(8999, 12, 31))
MIN_TEXT_CHARS = 3  # letters or digits: a headline and a key point need three characters
# BOM-less UTF-16/32: share of code units whose high bytes are all zero (mostly ASCII text)
WIDE_ZERO_SHARE = 0.5

_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = {  # file signatures people hand a text tool by mistake
    b"%PDF": "a PDF file, not text; extract its text first (e.g. pdftotext)",
    b"PK\x03\x04": "a ZIP archive (or .docx/.odt), not text; extract its text first",
    b"\x1f\x8b": "a gzip file, not text; decompress it first",
    b"\x89PNG": "a PNG image, not text",
    b"\xff\xd8\xff": "a JPEG image, not text",
    b"GIF8": "a GIF image, not text",
    b"{\\rtf": "an RTF document, not plain text; save it as plain text first",
}
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))

Item = Document | InputError  # one input: its document, or why it could not be read

_HEADER = re.compile(r"^\s*date\s+(\S+)\s*(.*)$", re.IGNORECASE)
_DATE_LIKE = re.compile(r"\d{1,4}[-./]\d{1,2}([-./]\d{1,4})?|\d{8}")
_MD_TITLE = re.compile(r"^#\s+(.+?)\s*#*\s*$")
_URL = re.compile(r"https?://\S+\Z", re.IGNORECASE)
_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
# an article has at least one line that reads as a sentence: six words, then a full stop
_SENTENCE_LINE = re.compile(r"^(?=(?:\W*\w+\b){6}).*[.!?][\"'”’)]?\s*$", re.M)
_MARKUP = re.compile(r"<(?:p|div|article|section|h[1-6]|span|br)\b", re.I)  # a saved fragment
FETCH_TIMEOUT_S = 30.0
FETCHED_PAGES_KEPT = 64  # a batch walks its inputs twice (count, then work): fetch a page once
USER_AGENT = "summarizer (news article reader)"


def parse_date(value: str, *, source: str | None = None) -> dt.date:
    """A YYYY-MM-DD publication date within ``DATE_RANGE``."""
    try:
        date = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"'{value}' is not a date in YYYY-MM-DD form", source=source) from None
    return check_date(date, source=source)


def check_date(date: dt.date, *, source: str | None = None) -> dt.date:
    """``date`` if it lies in ``DATE_RANGE``, else an ``InputError`` naming the range."""
    first, last = DATE_RANGE
    if not first <= date <= last:
        raise InputError(
            f"the date {date.isoformat()} is outside the supported range "
            f"{first.isoformat()} to {last.isoformat()}",
            source=source,
        )
    return date


def check_text(text: str, *, source: str | None = None) -> None:
    """An ``InputError`` for a text too short to summarise (fewer than ``MIN_TEXT_CHARS``
    letters or digits: "x", "Hi", "?!")."""
    found = sum(map(str.isalnum, text))
    if found < MIN_TEXT_CHARS:
        shown = text.strip()[:20]
        raise InputError(
            f"has too little text to summarise ({shown!r}: {found} letters or digits; "
            f"at least {MIN_TEXT_CHARS} needed)",
            source=source,
        )


def bom_less_codec(data: bytes) -> str | None:
    """ "utf-16-le"/"utf-16-be"/"utf-32-le"/"utf-32-be" for BOM-less wide text, else None.

    Mostly-ASCII text in UTF-16 has a zero byte in every code unit, always on the same
    side; UTF-32 has three. Binary data has zeros scattered on both sides, so it is
    not mistaken for text (and the decoded text still faces the control-byte check)."""
    head = data[:8192]
    for width, codec in ((4, "utf-32"), (2, "utf-16")):
        units = [head[i : i + width] for i in range(0, len(head) - width + 1, width)]
        if len(units) < 2 or len(head) % width:
            continue
        zero = b"\x00" * (width - 1)
        little = sum(u[1:] == zero and u[0] != 0 for u in units)
        big = sum(u[:-1] == zero and u[-1] != 0 for u in units)
        for count, order in ((little, "le"), (big, "be")):
            if count >= WIDE_ZERO_SHARE * len(units) and not any(
                u == b"\x00" * width for u in units
            ):
                return f"{codec}-{order}"
    return None


def decode(data: bytes, *, source: str, encoding: str | None = None) -> str:
    """Text from bytes: UTF-8, or UTF-16/32 with a BOM; binary or other encodings are refused."""
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise InputError(f"unknown encoding '{encoding}'", source=source) from None
        except UnicodeDecodeError as exc:
            raise InputError(f"is not valid {encoding} (byte {exc.start})", source=source) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"starts with a {codec.upper()} byte-order mark but is not "
                    f"valid {codec.upper()} (byte {exc.start})",
                    source=source,
                ) from None
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"looks like {what}", source=source)
    wide = bom_less_codec(data) if b"\x00" in data[:8192] else None
    if wide:
        try:
            text = data.decode(wide)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"looks like {wide.upper()} without a byte-order mark but is not valid "
                f"{wide.upper()} (byte {exc.start}); pass --encoding",
                source=source,
            ) from None
        if not any(ch in text for ch in _CONTROL.decode("ascii")):
            return text
    head = data[:8192]
    if b"\x00" in data or sum(head.count(c) for c in _CONTROL) > CONTROL_SHARE * len(head):
        raise InputError("looks like a binary file, not text", source=source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is not valid UTF-8 (byte {exc.start}){_guess(data)}", source=source
        ) from None


def _guess(data: bytes) -> str:
    """A hint naming the likely legacy encoding, for the refusal message."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return "; convert it to UTF-8, e.g. iconv -f ENCODING -t UTF-8"
    # Western European text in cp1252 is mostly ASCII with a few accented letters
    odd = sum(1 for ch in text if ord(ch) > 127 and not ch.isalpha() and ch not in "’‘“”–—…€£°·«»")
    if odd <= 0.01 * len(text):
        return "; it looks like Windows-1252/Latin-1: convert it, e.g. iconv -f CP1252 -t UTF-8"
    return "; convert it to UTF-8, e.g. iconv -f ENCODING -t UTF-8"


def date_cell(value: Any) -> str | None:
    """A date cell as YYYY-MM-DD: a string, a date, a datetime or a timestamp (Parquet, pandas).

    Anything else is returned as text, for ``parse_record`` to say what is wrong with it."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}|$)", text)
    return match.group(1) if match else text


def parse_text(raw: str, *, doc_id: str, source: str | None = None) -> Document:
    """A plain-text or Markdown document, with its optional ``date`` header line."""
    given = len(raw)  # the body is a suffix of what was given: its offset is the difference
    raw = raw.replace("\ufeff", "", 1) if raw.startswith("\ufeff") else raw
    first, _, rest = raw.partition("\n")
    title: str | None = None
    date: dt.date | None = None
    header = _HEADER.match(first)
    if header and re.fullmatch(r"\d{4}-\d{2}-\d{2}", header.group(1)):
        date = parse_date(header.group(1), source=source)
        title = header.group(2).strip() or None
        body = rest.lstrip("\r\n")
    elif header and _DATE_LIKE.fullmatch(header.group(1).rstrip(",")):
        # "date 13/11/2025 Title" is a header with a date we must not guess (13/11 or 11/13?)
        raise InputError(
            f"the date header '{header.group(1)}' is not in YYYY-MM-DD form", source=source
        )
    else:
        body = raw
        md = _MD_TITLE.match(first.strip())
        if md:
            title = md.group(1)
            if not rest.strip():  # the body keeps its "# Title" line; a title alone is no text
                body = ""
    if not body.strip():
        raise InputError(
            "has no text to summarise" + (" (only a title)" if title else ""), source=source
        )
    check_text(body, source=source)
    return Document(
        id=doc_id, text=body, title=title, date=date, source=source, offset=given - len(body)
    )


def is_url(source: str) -> bool:
    return _URL.match(source) is not None


def looks_like_html(text: str) -> bool:
    """Whether a text opens as an HTML page (a doctype, ``<html>``, ``<head>`` or ``<body>``)."""
    return _HTML_START.match(text[:4096]) is not None


def url_id(url: str) -> str:
    """A document id for a URL: the last part of its path (``/news/boeing-777.html`` ->
    ``boeing-777``), else its host."""
    host, _, path = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0].partition("/")
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return (Path(last).stem or last) if last else host


def parse_page(html: str, *, doc_id: str, source: str, url: str | None = None) -> Document:
    """The article of an HTML page; InputError (naming ``source``) when it has none."""
    # on use only: trafilatura (lxml, its date parser) takes a third of a second to import
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
    )
    text = str(getattr(extracted, "text", None) or "").strip()
    if not _SENTENCE_LINE.search(text):  # menus and link lists are no article
        raise InputError("no article text found in the page", source=source)
    title = str(getattr(extracted, "title", None) or "").strip() or None
    if title and text.startswith(title + "\n"):
        text = text[len(title) + 1 :].lstrip()  # the headline is the title, not a body sentence
    date = None
    if value := getattr(extracted, "date", None):
        try:
            date = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            date = None  # a date the page states but we cannot read: the caller's --date serves
    return Document(id=doc_id, text=text, title=title, date=date, source=source, extracted=True)


@lru_cache(maxsize=FETCHED_PAGES_KEPT)
def fetch_page(url: str, *, timeout_s: float = FETCH_TIMEOUT_S) -> Document:
    """The article at ``url``, redirects followed; InputError naming the URL for an HTTP error,
    a failed connection, a page over ``MAX_BYTES``, something that is not a page, or a page
    with no article."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body = response.read(MAX_BYTES + 1)
            content_type = response.headers.get("Content-Type", "")
            charset = response.headers.get_content_charset() or "utf-8"
            final = response.geturl()
    except urllib.error.HTTPError as exc:
        raise InputError(f"HTTP {exc.code} {exc.reason}".rstrip(), source=url) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise InputError(f"could not be fetched ({reason})", source=url) from None
    if len(body) > MAX_BYTES:
        raise InputError(f"is larger than the {MAX_BYTES // MIB} MB limit", source=url)
    try:
        text = body.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        text = body.decode("utf-8", errors="replace")
    if "html" not in content_type and not looks_like_html(text):
        raise InputError(f"is not a web page ({content_type or 'no content type'})", source=url)
    source = url if final == url else f"{url} (redirected to {final})"
    return parse_page(text, doc_id=url_id(url), source=source, url=final)


def parse_record(record: Any, *, default_id: str, source: str) -> Document:
    """A JSON record with ``text`` and optional ``id``, ``title``, ``date``."""
    if not isinstance(record, dict):
        raise InputError("a record must be a JSON object", source=source)
    text = record.get("text")
    if text is not None and not isinstance(text, str):
        raise InputError(f"'text' must be a string, not {_json_type(text)}", source=source)
    if not text or not text.strip():
        raise InputError("record has no 'text'", source=source)
    check_text(text, source=source)
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        raise InputError(f"'title' must be a string, not {_json_type(title)}", source=source)
    doc_id = record.get("id")
    if doc_id is not None and (isinstance(doc_id, bool) or not isinstance(doc_id, (str, int))):
        raise InputError(
            f"'id' must be a string or a number, not {_json_type(doc_id)}", source=source
        )
    date = record.get("date") or record.get("publication_date")
    if date and not isinstance(date, (str, dt.date)):
        raise InputError(
            f"'date' must be a YYYY-MM-DD string, not {_json_type(date)}", source=source
        )
    return Document(
        id=str(doc_id if doc_id not in (None, "") else default_id),
        text=text,
        title=title or None,
        date=parse_date(str(date), source=source) if date else None,
        source=source,
    )


def _json_type(value: Any) -> str:
    """The JSON name of a value's type, for a record's error line."""
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
    }
    return next(
        (name for kind, name in names.items() if isinstance(value, kind)), type(value).__name__
    )


def _too_big(size: float) -> str:
    return f"is {size / MIB:.0f} MB; the limit is {MAX_BYTES // MIB} MB"


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refuse on the size alone, before reading a byte
            raise InputError(_too_big(size), source=str(path))
        with path.open("rb") as handle:
            # a FIFO or device (/dev/zero, <(curl ...)) has no size: read one byte past the limit
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(f"is larger than the {MAX_BYTES // MIB} MB limit", source=str(path))
        return data
    except FileNotFoundError:
        raise InputError("no such file", source=str(path)) from None
    except PermissionError:
        raise InputError("permission denied", source=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory", source=str(path)) from None


def _iter_records(
    text: str, *, stem: str, source: str, jsonl: bool
) -> Iterator[Document | InputError]:
    if not jsonl:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield InputError(f"invalid JSON at line {exc.lineno}: {exc.msg}", source=source)
            return
        records = data if isinstance(data, list) else [data]
        if not records:
            yield InputError("has no records (an empty JSON list)", source=source)
        for i, record in enumerate(records, 1):
            yield _safe(
                partial(parse_record, record, default_id=f"{stem}-{i}", source=source), source
            )
        return
    if not text.strip():  # an empty .jsonl is a mistake to report, not a batch of nothing
        yield InputError("has no records", source=source)
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
        yield _safe(
            partial(parse_record, record, default_id=f"{stem}-{lineno}", source=where), where
        )


def iter_parquet(path: Path) -> Iterator[Item]:
    """Documents from a Parquet file's rows (``text``, optional ``id``, ``title``, ``date``)."""
    source = str(path)
    try:  # the ray extra: a plain install reads every other format without it
        import pyarrow.parquet as pq
    except ImportError:
        yield InputError(
            "reading Parquet needs pyarrow: pip install 'summarizer[ray]'", source=source
        )
        return
    try:
        reader = pq.ParquetFile(path)
    except FileNotFoundError:
        yield InputError("no such file", source=source)
        return
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a bad file
        yield InputError(f"is not a readable Parquet file ({exc})", source=source)
        return
    names = reader.schema_arrow.names
    if "text" not in names:
        yield InputError("has no 'text' column", source=source)
        return
    if reader.metadata.num_rows == 0:
        yield InputError("has no rows", source=source)
        return
    columns = [c for c in ("id", "text", "title", "date", "publication_date") if c in names]
    row = 0
    for batch in reader.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
        for record in batch.to_pylist():
            row += 1
            for key in ("date", "publication_date"):
                if key in record:
                    record[key] = date_cell(record[key])
            yield _safe(
                partial(
                    parse_record, record, default_id=f"{path.stem}-{row}", source=f"{source}:{row}"
                ),
                f"{source}:{row}",
            )


def _safe(make: Callable[[], Document], source: str | None = None) -> Document | InputError:
    """The document, or the error that one input caused (never raised: the walk goes on)."""
    try:
        return make()
    except InputError as exc:
        return exc
    except ValidationError as exc:  # a field the checks above let through: still this input's
        first = exc.errors()[0]
        field_name = ".".join(str(p) for p in first["loc"]) or "record"
        return InputError(f"'{field_name}': {first['msg']}", source=source)


def extensions_of(names: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Extensions as given (``md``, ``.HTML``) in one form (``.md``, ``.html``)."""
    if not names:
        return FOLDER_EXTENSIONS
    return tuple(dict.fromkeys("." + n.strip().lower().lstrip(".") for n in names if n.strip()))


@dataclass
class FolderFiles:
    """What a folder gives: its document files (sorted), and what was left out and why."""

    files: list[Path]
    hidden: int = 0  # files that are hidden or inside a hidden folder
    other: dict[str, int] = field(default_factory=dict)  # extension ("" none) -> files skipped

    def skipped_note(self, folder: Path) -> str | None:
        """One line naming what was skipped, or None when nothing was."""
        parts = []
        if self.hidden:
            parts.append(f"{self.hidden} hidden files")
        if self.other:
            kinds = ", ".join(
                f"{n} {ext or '(no extension)'}"
                for ext, n in sorted(self.other.items(), key=lambda kv: (-kv[1], kv[0]))
            )
            parts.append(
                f"{sum(self.other.values())} files of other types ({kinds}; --ext takes them)"
            )
        return f"{folder}: skipped {' and '.join(parts)}" if parts else None


def folder_files(folder: Path, extensions: tuple[str, ...] = FOLDER_EXTENSIONS) -> FolderFiles:
    found = FolderFiles(files=[])
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            found.hidden += 1
        elif path.suffix.lower() in extensions:
            found.files.append(path)
        else:
            suffix = path.suffix.lower()
            found.other[suffix] = found.other.get(suffix, 0) + 1
    return found


def iter_path(
    path: Path, *, encoding: str | None = None, extensions: tuple[str, ...] = FOLDER_EXTENSIONS
) -> Iterator[Document | InputError]:
    """Documents from one file or folder (folders: see ``folder_files``)."""
    if path.is_dir():
        found = folder_files(path, extensions)
        if not found.files:
            skipped = found.skipped_note(path)
            why = f" ({skipped.split(': ', 1)[1]})" if skipped else ""
            yield InputError(f"folder has no {', '.join(extensions)} files{why}", source=str(path))
        for file in found.files:
            yield from iter_path(file, encoding=encoding)
        return
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        yield from iter_parquet(path)
        return
    source = str(path)
    try:
        text = decode(_read_bytes(path), source=source, encoding=encoding)
    except InputError as exc:
        yield exc
        return
    if suffix in RECORD_SUFFIXES:
        yield from _iter_records(text, stem=path.stem, source=source, jsonl=suffix != ".json")
    elif looks_like_html(text) or (suffix in PAGE_SUFFIXES and _MARKUP.search(text[:4096])):
        yield _safe(partial(parse_page, text, doc_id=path.stem, source=source))
    else:
        yield _safe(lambda: parse_text(text, doc_id=path.stem, source=source), source)


def iter_stdin(*, encoding: str | None = None) -> Iterator[Document | InputError]:
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        yield InputError(f"is larger than the {MAX_BYTES // MIB} MB limit", source="<stdin>")
        return
    try:
        text = decode(data, source="<stdin>", encoding=encoding)
    except InputError as exc:
        yield exc
        return
    stripped = text.lstrip()
    if stripped.startswith("{"):
        jsonl = "\n{" in stripped.strip()
        yield from _iter_records(text, stem="stdin", source="<stdin>", jsonl=jsonl)
    elif looks_like_html(text):
        yield _safe(partial(parse_page, text, doc_id="stdin", source="<stdin>"))
    else:
        yield _safe(lambda: parse_text(text, doc_id="stdin", source="<stdin>"), "<stdin>")


def iter_documents(
    sources: list[str],
    *,
    encoding: str | None = None,
    extensions: tuple[str, ...] = FOLDER_EXTENSIONS,
) -> Iterator[Document | InputError]:
    """Every document named by ``sources`` (paths, folders, or ``-`` for stdin), in order."""
    for source in sources:
        if source == "-":
            yield from iter_stdin(encoding=encoding)
        elif is_url(source):
            yield _safe(partial(fetch_page, source))
        else:
            yield from iter_path(Path(source), encoding=encoding, extensions=extensions)


def date_warnings(document: Document, *, today: dt.date | None = None) -> list[str]:
    """Warnings about a publication date that is odd but usable (a run goes on with them).

    A date in the future is kept, not refused: embargoed copy and time zones make
    it happen, and refusing would lose the document. But every relative date
    ("yesterday") resolves against it, so the result says so.
    """
    if document.date is None:
        return []
    today = today or dt.date.today()
    if (document.date - today).days > FUTURE_SLACK_DAYS:
        return [
            f"publication date {document.date.isoformat()} is in the future "
            f"(today is {today.isoformat()}); relative dates are resolved against it"
        ]
    return []


def as_document(
    value: str | Document,
    *,
    date: dt.date | None = None,
    title: str | None = None,
    doc_id: str = "document",
) -> Document:
    """What ``summarise`` accepts: a Document, raw text (with an optional date header), the HTML
    of a news page, or an ``http(s)://`` URL to fetch one from."""
    if isinstance(value, Document):
        doc = value
    elif isinstance(value, str) and is_url(value.strip()):
        doc = fetch_page(value.strip())
    elif isinstance(value, str) and looks_like_html(value):
        doc = parse_page(value, doc_id=doc_id, source=doc_id)
    elif isinstance(value, str):
        doc = parse_text(value, doc_id=doc_id)
    else:
        raise InputError(f"expected text or a Document, got {type(value).__name__}")
    updates: dict[str, Any] = {}
    if date is not None:
        updates["date"] = check_date(date)
    if title is not None:
        updates["title"] = title
    return doc.model_copy(update=updates) if updates else doc
