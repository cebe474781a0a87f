"""Document loading: headers, formats, stdin, and bad input as clear errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from support.paths import SAMPLE

from summarizer.errors import InputError
from summarizer.loading import as_document, iter_documents, parse_text
from summarizer.schemas import Document


def test_sample_header_gives_date_title_and_body() -> None:
    doc = parse_text(SAMPLE.read_text(encoding="utf-8"), doc_id="sample")
    assert doc.date == dt.date(2025, 11, 13)
    assert doc.title is not None and doc.title.startswith("Kremlin Claims Willingness")
    assert doc.text.startswith("Russia has declared its readiness")


def test_markdown_title_and_no_date() -> None:
    doc = parse_text("# Big news\n\nSomething happened on Monday.", doc_id="md")
    assert doc.title == "Big news" and doc.date is None
    assert doc.text.startswith("# Big news")


def test_only_a_title_is_refused() -> None:
    with pytest.raises(InputError, match="only a title"):
        parse_text("date 2025-01-01 Just a title\n\n  \n", doc_id="t")


def test_impossible_date_header_is_refused() -> None:
    with pytest.raises(InputError, match="not a date"):
        parse_text("date 2025-02-30 Title\nBody text here.", doc_id="t")


def test_jsonl_bad_line_is_reported_and_others_run(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "First article.", "date": "2024-05-01"}),
                "{not json",
                json.dumps({"text": "Second article."}),
                json.dumps({"id": "c"}),
            ]
        ),
        encoding="utf-8",
    )
    items = list(iter_documents([str(path)]))
    assert isinstance(items[0], Document) and items[0].date == dt.date(2024, 5, 1)
    assert isinstance(items[1], InputError) and "news.jsonl:2" in str(items[1])
    assert isinstance(items[2], Document) and items[2].id == "news-3"
    assert isinstance(items[3], InputError) and "no 'text'" in str(items[3])


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "no text"),
        (b"   \n\t\n", "no text"),
        (b"\x00\x01\x02binary", "binary"),
        (b"caf\xe9 au lait", "not valid UTF-8"),
    ],
)
def test_bad_files_become_input_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    [item] = list(iter_documents([str(path)]))
    assert isinstance(item, InputError) and message in str(item)


def test_missing_file(tmp_path: Path) -> None:
    [item] = list(iter_documents([str(tmp_path / "nope.txt")]))
    assert isinstance(item, InputError) and "no such file" in str(item)


def test_folder_reads_text_and_records(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("date 2024-01-02 A\nAlpha happened.", encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps([{"id": "b1", "text": "Beta."}]), encoding="utf-8")
    (tmp_path / "skip.bin").write_bytes(b"\x00")
    ids = [d.id for d in iter_documents([str(tmp_path)]) if isinstance(d, Document)]
    assert ids == ["a", "b1"]


def test_as_document_date_override() -> None:
    doc = as_document("date 2020-01-01 T\nBody.", date=dt.date(2021, 2, 3))
    assert doc.date == dt.date(2021, 2, 3) and doc.title == "T"


def test_parquet_rows_are_documents_in_any_runner(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "in"
    folder.mkdir()
    table = pa.table(
        {
            "id": ["a", None, "c"],
            "text": ["Officials met on Monday.", "They met again.", ""],
            "date": [dt.datetime(2025, 11, 13, 9, 30), dt.datetime(2025, 11, 14), None],
        }
    )  # a timestamp column, as pandas writes dates
    pq.write_table(table, folder / "news.parquet")
    pq.write_table(pa.table({"body": ["x"]}), folder / "other.parquet")
    items = list(iter_documents([str(folder)]))
    docs = [i for i in items if isinstance(i, Document)]
    errors = {str(i) for i in items if isinstance(i, InputError)}
    assert [(d.id, d.date) for d in docs] == [
        ("a", dt.date(2025, 11, 13)),
        ("news-2", dt.date(2025, 11, 14)),
    ]
    assert any("news.parquet:3" in e and "no 'text'" in e for e in errors)
    assert any("other.parquet" in e and "no 'text' column" in e for e in errors)
    (only,) = iter_documents([str(folder)], extensions=(".txt",))  # --ext leaves Parquet out
    assert isinstance(only, InputError) and "2 .parquet" in str(only)
