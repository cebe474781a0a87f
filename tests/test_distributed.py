"""The pipeline on Ray: the same lines as a local batch, resumable, and no document lost when a worker dies.

One local Ray instance (2 CPUs, no dashboard, logs in a temporary folder)
serves the whole session; each run starts its own actors on it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray")
pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402
from ray_faults import DieAlways, DieOnce  # noqa: E402
from scripted_server import ScriptedServer, valid_answer  # noqa: E402
from support.paths import REPO  # noqa: E402

from summarizer.cli import main  # noqa: E402
from summarizer.errors import SummarizerError  # noqa: E402
from summarizer.runners.local import run_batch  # noqa: E402
from summarizer.runners.ray import (  # noqa: E402
    read_results,
    run_ray_batch,
    summarise_dataset,
)
from summarizer.settings import Settings  # noqa: E402

TEXT = (
    "Officials said things today in town {i}. Officials spoke on Monday about the plan. "
    "Things happened after talks went on last month."
)  # every model call sees "in town {i}."


@pytest.fixture(scope="session")
def local_ray(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One local Ray for the session; its workers can import tests/ (for ray_faults)."""
    path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "tests"), str(REPO), path]))
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        logging_level="WARNING",
        _temp_dir=str(tmp_path_factory.mktemp("ray")),
    )
    try:
        yield
    finally:
        ray.shutdown()
        if path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = path


@pytest.fixture
def server(scripted: ScriptedServer, local_ray: None) -> ScriptedServer:
    scripted.responder = valid_answer
    return scripted


def settings_for(server: ScriptedServer, tmp_path: Path) -> Settings:
    # no response cache: a cache hit depends on which document asked first, and so would usage
    return Settings(
        base_url=server.base_url,
        model="m",
        transport_retries=0,
        cache=False,
        cache_dir=tmp_path / "cache",
    )


def records(n: int, *, missing_id_at: int | None = None) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        record: dict[str, Any] = {
            "id": f"doc{i}",
            "text": TEXT.format(i=i),
            "date": "2025-11-13",
            "title": f"Story {i}",
        }
        if i == missing_id_at:
            del record["id"]
        out.append(record)
    return out


def write_jsonl(path: Path, rows: list[dict[str, Any]], *, bad_line_at: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for i, row in enumerate(rows):
            if i == bad_line_at:
                fh.write("{not json\n")
            fh.write(json.dumps(row) + "\n")
    return path


def by_id(path: Path) -> dict[str, dict[str, Any]]:
    """Lines by id; results without their latency (the one thing two runs may differ in)."""
    out: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert record["id"] not in out, f"duplicate line for {record['id']}"
        if record.get("result"):
            record["result"]["provenance"].pop("latency_s")
        out[record["id"]] = record
    return out


def test_ray_gives_the_lines_of_a_local_batch(server: ScriptedServer, tmp_path: Path) -> None:
    rows = records(7)
    rows[5]["id"] = "doc1"  # a repeated id: renamed doc1#2 by both engines
    src = write_jsonl(tmp_path / "in" / "news.jsonl", rows, bad_line_at=3)
    settings = settings_for(server, tmp_path)
    local = run_batch(
        [str(src)], tmp_path / "local.jsonl", settings, concurrency=2, resume=False, progress=False
    )
    summary = run_ray_batch(
        [str(src)], tmp_path / "ray.jsonl", settings, actors=2, actor_concurrency=2, progress=False
    )
    expected, got = by_id(tmp_path / "local.jsonl"), by_id(tmp_path / "ray.jsonl")
    assert len(expected) == 8 and "doc1#2" in expected
    assert got == expected
    assert (summary.ok, summary.failed, summary.renamed, summary.total) == (7, 1, 1, 8)
    assert (summary.tokens, summary.calls) == (local.tokens, local.calls) and summary.calls > 0
    assert got[f"{src}:4"]["error"]["type"] == "InputError"


def test_a_worker_killed_mid_run_and_every_document_still_has_one_line(
    server: ScriptedServer, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(8))
    marker = tmp_path / "died-once"
    out = tmp_path / "out.jsonl"
    summary = run_ray_batch(
        [str(src)],
        out,
        settings_for(server, tmp_path),
        actors=2,
        actor_concurrency=2,
        progress=False,
        backend_factory=DieOnce("in town 5.", marker),
    )
    assert marker.exists(), "the worker never reached the document it was to die on"
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    counts = Counter(r["id"] for r in lines)
    assert sorted(counts) == [f"doc{i}" for i in range(8)] and set(counts.values()) == {1}
    assert all(r["ok"] for r in lines) and summary.ok == 8


@pytest.mark.slow
def test_a_document_that_always_kills_its_worker_gets_an_error_line(
    server: ScriptedServer, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(4))
    out = tmp_path / "out.jsonl"
    summary = run_ray_batch(
        [str(src)],
        out,
        settings_for(server, tmp_path),
        actors=1,
        actor_concurrency=1,
        progress=False,
        backend_factory=DieAlways("in town 2."),
    )
    got = by_id(out)
    assert sorted(got) == [f"doc{i}" for i in range(4)]
    assert got["doc2"]["error"]["type"] == "WorkerLost" and not got["doc2"]["ok"]
    assert all(got[f"doc{i}"]["ok"] for i in (0, 1, 3))
    assert summary.error_types == Counter({"WorkerLost": 1})


def test_resume_skips_done_ids_and_adds_no_duplicates(
    server: ScriptedServer, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(6))
    out = tmp_path / "out.jsonl"
    settings = settings_for(server, tmp_path)
    # a local batch's output, resumed on Ray: the two engines write the same file
    run_batch([str(src)], out, settings, concurrency=2, resume=False, progress=False)
    full = out.read_bytes().splitlines(keepends=True)
    calls_per_doc = len(server.requests) / 6
    out.write_bytes(b"".join(full[:3]) + full[3][:20])  # as if killed writing the 4th line
    before = len(server.requests)
    summary = run_ray_batch(
        [str(src)], out, settings, actors=1, actor_concurrency=2, resume=True, progress=False
    )
    assert (summary.skipped, summary.ok) == (3, 3)
    assert len(server.requests) - before == 3 * calls_per_doc  # only the 3 undone were asked
    got = by_id(out)
    assert sorted(got) == [f"doc{i}" for i in range(6)] and all(r["ok"] for r in got.values())


def test_parquet_in_and_out_match_jsonl(server: ScriptedServer, tmp_path: Path) -> None:
    rows = records(5, missing_id_at=2)
    write_jsonl(tmp_path / "j" / "news.jsonl", rows)
    table = pa.table(
        {
            "id": [r.get("id") for r in rows],
            "text": [r["text"] for r in rows],
            "title": [r["title"] for r in rows],
            "date": [dt.date(2025, 11, 13)] * len(rows),
        }
    )  # a real date32 column
    (tmp_path / "p").mkdir()
    pq.write_table(table, tmp_path / "p" / "news.parquet")
    settings = settings_for(server, tmp_path)
    run_ray_batch(
        [str(tmp_path / "j" / "news.jsonl")],
        tmp_path / "out.jsonl",
        settings,
        actors=1,
        actor_concurrency=2,
        progress=False,
    )
    out = tmp_path / "out.parquet"
    summary = run_ray_batch(
        [str(tmp_path / "p")], out, settings, actors=2, actor_concurrency=1, progress=False
    )
    assert summary.ok == 5 and out.is_dir()
    parquet = {r["id"]: r for r in pq.read_table(out).to_pylist()}  # the folder reads as one table
    jsonl = by_id(tmp_path / "out.jsonl")
    assert sorted(parquet) == sorted(jsonl) and "news-3" in parquet  # the row without id: 3rd row
    for doc_id, record in jsonl.items():
        result = json.loads(parquet[doc_id]["result"])
        result["provenance"].pop("latency_s")
        assert result == record["result"]
    again = run_ray_batch(
        [str(tmp_path / "p")], out, settings, actors=1, resume=True, progress=False
    )
    assert (again.skipped, again.ok) == (5, 0) and len(read_results(out)) == 5


def test_summarise_dataset_on_a_dataset_people_hold(server: ScriptedServer, tmp_path: Path) -> None:
    rows = [
        {"id": "a", "text": TEXT.format(i=1), "date": "2025-11-13"},
        {"text": TEXT.format(i=2), "date": "2025-11-13", "extra": 1},
        {"id": "c", "text": "", "date": "2025-11-13"},
    ]
    results = summarise_dataset(
        ray.data.from_items(rows),
        settings_for(server, tmp_path),
        actors=1,
        actor_concurrency=2,
        date=dt.date(2025, 11, 20),
    )
    got = {r["id"]: r for r in results.take_all()}
    assert len(got) == 3 and got["a"]["ok"]
    assert json.loads(got["a"]["result"])["publication_date"] == "2025-11-20"  # date overrides
    assert [k for k in got if k.startswith("doc-")]  # no id: one made from the text
    assert not got["c"]["ok"] and json.loads(got["c"]["error"])["type"] == "InputError"


def test_cli_engine_ray(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(3), bad_line_at=1)
    out = tmp_path / "out.jsonl"
    args = [
        str(src),
        "-o",
        str(out),
        "--base-url",
        server.base_url,
        "--model",
        "m",
        "--engine",
        "ray",
        "--actors",
        "1",
        "--actor-concurrency",
        "2",
        "--no-cache",
    ]
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 3  # a bad input line: recorded, the batch went on
    assert len(by_id(out)) == 4
    assert "3 ok, 1 failed (InputError 1)" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main([*args, "--resume"])
    assert info.value.code == 0 and len(by_id(out)) == 4


def test_cli_ext_picks_the_same_documents_on_ray_as_locally(
    local_ray: None, tmp_path: Path
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    for i, name in enumerate(["a.txt", "b.md", "c.text", "d.jsonl"]):
        body = TEXT.format(i=i)
        if name.endswith(".jsonl"):
            body = json.dumps({"id": "d", "text": body, "date": "2025-11-13"})
        (folder / name).write_text(body + "\n", encoding="utf-8")
    got: dict[str, set[str]] = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        with pytest.raises(SystemExit) as info:
            main(
                [
                    str(folder),
                    "-o",
                    str(out),
                    "--no-model",
                    "--engine",
                    engine,
                    "--ext",
                    "txt",
                    "--ext",
                    ".TEXT",
                ]
            )
        assert info.value.code == 0
        got[engine] = set(by_id(out))
    assert got["local"] == got["ray"] == {"a", "c"}


def test_cli_refuses_parquet_output_without_ray_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(1))
    with pytest.raises(SystemExit) as info:
        main([str(src), "-o", str(tmp_path / "out.parquet"), "--base-url", "http://127.0.0.1:9/v1"])
    assert info.value.code == 2 and "--engine ray" in capsys.readouterr().err


FRANK = REPO.parent / "shared" / "data" / "frank" / "frank_docs.jsonl"
HELD_OUT = 12  # the last articles of FRANK's file: no strategy is tuned on them


def model_free(tmp_path: Path) -> Settings:
    try:
        settings = Settings(strategy="rules", cache_dir=tmp_path / "cache")  # type: ignore[arg-type]
        from summarizer.pipeline import Pipeline

        Pipeline(settings)
    except (ValueError, SummarizerError):
        pytest.skip("no model-free strategy in this tree yet")
    return settings


def test_model_free_batch_over_held_out_articles_same_on_ray(
    local_ray: None, tmp_path: Path
) -> None:
    if not FRANK.exists():
        pytest.skip("shared/data/frank is not beside the repository")
    settings = model_free(tmp_path)
    articles = [json.loads(line) for line in FRANK.read_text(encoding="utf-8").splitlines()]
    rows = [
        {"id": a["hash"], "text": a["article"], "date": a.get("wayback_crawl_date")}
        for a in articles[-HELD_OUT:]
    ]
    src = write_jsonl(tmp_path / "held-out.jsonl", rows)  # read in place, written to tmp only
    run_batch(
        [str(src)], tmp_path / "local.jsonl", settings, concurrency=2, resume=False, progress=False
    )
    run_ray_batch(
        [str(src)], tmp_path / "ray.jsonl", settings, actors=2, actor_concurrency=2, progress=False
    )
    local, on_ray = by_id(tmp_path / "local.jsonl"), by_id(tmp_path / "ray.jsonl")
    assert sorted(local) == sorted(on_ray) == sorted(r["id"] for r in rows)
    assert on_ray == local
    events = [e for r in local.values() if r["ok"] for e in r["result"]["events"]]
    assert events and any(e["date"]["value"] for e in events)  # dated events, not only empty lists


def test_spans_on_ray_index_files_with_a_header_as_given(local_ray: None, tmp_path: Path) -> None:
    """A file's date header is not part of the text summarised; its spans still count it."""
    folder = tmp_path / "news"
    folder.mkdir()
    sample = (REPO / "examples" / "kremlin-peace-talks-2025-11-13.txt").read_text(encoding="utf-8")
    body = "Airbus delivered its first A380 to Singapore Airlines on Monday in Toulouse.\n"
    (folder / "a.txt").write_text(sample, encoding="utf-8")
    (folder / "b.txt").write_text("date: 2007-10-17\n\n" + body, encoding="utf-8")
    settings = model_free(tmp_path)
    run_batch(
        [str(folder)],
        tmp_path / "local.jsonl",
        settings,
        concurrency=1,
        resume=False,
        progress=False,
    )
    run_ray_batch([str(folder)], tmp_path / "ray.jsonl", settings, actors=1, progress=False)
    local, on_ray = by_id(tmp_path / "local.jsonl"), by_id(tmp_path / "ray.jsonl")
    assert on_ray == local and len(local) == 2
    for doc_id, record in on_ray.items():
        given = (folder / f"{doc_id}.txt").read_text(encoding="utf-8")
        quoted = [e["evidence"] for e in record["result"]["events"]]
        quoted = [q for q in quoted if q.get("match") != "title"]  # the title's span is (0, 0)
        assert quoted
        for evidence in quoted:
            span = evidence["span"]
            assert given[span["start"] : span["end"]] == evidence["quote"]
