"""The eval harness and its reports: numbers recomputed with the metric functions, the gate's exit codes."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from support.fakes import FakeBackend
from support.paths import REPO, SHARED
from typer.testing import CliRunner

from summarizer.backends.base import ChatRequest
from summarizer.cli import app
from summarizer.errors import BackendUnavailable
from summarizer.evaluation.baselines import dated_sentence_baseline
from summarizer.evaluation.gate import Threshold, check, parse_threshold
from summarizer.evaluation.harness import Dataset, EvalRun, load_dataset, primary_system, run_eval
from summarizer.evaluation.metrics import (
    dated_event_counts,
    event_scores,
    grounding_rate,
    key_point_coverage,
    lead_n,
    publication_date_baseline,
    rouge,
    sentences,
)
from summarizer.evaluation.references import Reference, ReferenceEvent
from summarizer.evaluation.report import ReportFile, build_report, load_report, write_reports
from summarizer.schemas import Result
from summarizer.settings import Settings

SAMPLE = REPO / "eval" / "datasets" / "sample.jsonl"
WIKINEWS = REPO / "eval" / "datasets" / "wikinews.jsonl"
FRANK = SHARED / "data" / "frank"
BASELINES = ["lead3", "publication_date", "dated_sentences"]
runner = CliRunner()


def strict_json(path: Path) -> Any:
    def no_nan(token: str) -> float:
        raise AssertionError(f"{path} holds {token}, which is not JSON")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=no_nan)


@pytest.fixture(scope="module")
def baseline_run() -> EvalRun:
    return run_eval(
        [load_dataset(SAMPLE), load_dataset(WIKINEWS, limit=3)], systems=BASELINES, progress=False
    )


def summed(report: dict[str, Any], system: str, key: str) -> int:
    return sum(d["systems"][system]["counts"].get(key, 0) for d in report["documents"])


# ---------------------------------------------------------------- baselines-only runs


def test_reports_are_written_and_json_validates(baseline_run: EvalRun, tmp_path: Path) -> None:
    paths = write_reports(baseline_run, tmp_path)
    assert {p.name for p in paths.values()} == {"report.json", "report.md", "report.html"}
    assert all(p.stat().st_size > 500 for p in paths.values())
    data = strict_json(paths["json"])
    ReportFile.model_validate(data)
    assert load_report(paths["json"])["systems"] == BASELINES
    assert [d["dataset"] for d in data["documents"]] == ["sample"] + ["wikinews"] * 3
    assert set(data["aggregates"]) == {"all", "sample", "wikinews"}
    assert data["primary_system"] == "dated_sentences"
    assert data["config"]["datasets"][1] == {
        "name": "wikinews",
        "path": str(WIKINEWS),
        "kind": "jsonl",
        "documents": 3,
    }


def test_per_document_numbers_equal_the_metric_functions(baseline_run: EvalRun) -> None:
    report = build_report(baseline_run)
    refs = {r.id: r for ds in baseline_run.datasets for r in ds.references}
    for doc in report["documents"]:
        ref = refs[doc["id"]]
        lead = doc["systems"]["lead3"]["metrics"]
        assert lead["rouge1"] == pytest.approx(rouge(lead_n(ref.text), ref.summary or "")["rouge1"])
        assert lead["key_point_coverage"] == pytest.approx(
            key_point_coverage(sentences(ref.text)[:3], ref.key_points)
        )
        events = publication_date_baseline(ref)
        pub = doc["systems"]["publication_date"]
        found, dated = dated_event_counts(events, ref.events, ref.text)
        assert (pub["counts"]["dated_found"], pub["counts"]["dated_total"]) == (found, dated)
        expected = event_scores(events, ref.events, ref.text)
        assert pub["metrics"]["event_f1"] == pytest.approx(expected["f1"])
        assert pub["counts"]["matched"] == expected["matched"]
        rule = dated_sentence_baseline(ref)
        assert (
            doc["systems"]["dated_sentences"]["counts"]["dated_found"]
            == dated_event_counts(rule, ref.events, ref.text)[0]
        )
        assert doc["systems"]["dated_sentences"]["metrics"]["grounding_rate"] == grounding_rate(
            rule, ref.text
        )


def test_aggregates_are_micro_for_events_and_mean_for_rouge(baseline_run: EvalRun) -> None:
    report = build_report(baseline_run)
    refs = [r for ds in baseline_run.datasets for r in ds.references]
    counts = [dated_event_counts(publication_date_baseline(r), r.events, r.text) for r in refs]
    agg = report["aggregates"]["all"]
    assert agg["publication_date"]["dated_event_recall"] == pytest.approx(
        sum(f for f, _ in counts) / sum(d for _, d in counts)
    )
    scores = [event_scores(publication_date_baseline(r), r.events, r.text) for r in refs]
    assert agg["publication_date"]["event_precision"] == pytest.approx(
        sum(s["matched"] for s in scores) / sum(s["predicted"] for s in scores)
    )
    assert agg["lead3"]["rouge2"] == pytest.approx(
        sum(rouge(lead_n(r.text), r.summary or "")["rouge2"] for r in refs) / len(refs)
    )
    # lead-3 lists no events and the event baselines write no summary: absent, not zero
    assert agg["lead3"]["dated_event_recall"] is None
    assert agg["dated_sentences"]["rouge1"] is None
    # eval/README.md: the publication-date baseline finds 14 of the sample's 25 dated events
    sample = report["aggregates"]["sample"]["publication_date"]
    assert (sample["n_dated_found"], sample["n_dated_total"]) == (14, 25)


def test_markdown_has_the_metrics_by_systems_table(baseline_run: EvalRun, tmp_path: Path) -> None:
    md = write_reports(baseline_run, tmp_path)["md"].read_text()
    assert "| metric | lead3 | publication_date | dated_sentences |" in md
    value = build_report(baseline_run)["aggregates"]["all"]["publication_date"][
        "dated_event_recall"
    ]
    row = next(line for line in md.splitlines() if "dated-event recall" in line and "|" in line)
    assert f"{value:.3f}" in row
    assert "by dataset" in md
    # each dataset's ROUGE, tool and baselines side by side (a summary set beside a timeline set)
    for scope, aggregate in build_report(baseline_run)["aggregates"].items():
        if scope == "all":
            continue
        r1 = aggregate["lead3"]["rouge1"]
        row = next(line for line in md.splitlines() if line.startswith(f"| {scope} | ROUGE-1 |"))
        assert f"{r1:.3f}" in row.split("|")[3]


def test_dated_sentence_baseline_dates_sentences_with_their_most_specific_expression() -> None:
    text = (
        "Apple released the iPhone in 2007, on June 29. Jobs spoke. "
        "Sales rose last month, analysts said."
    )
    ref = Reference(
        id="t", text=text, publication_date=dt.date(2007, 7, 10), source="test", licence="test"
    )
    events = dated_sentence_baseline(ref)
    assert [(text[e.evidence.span.start : e.evidence.span.end], e.date.value) for e in events] == [
        ("Apple released the iPhone in 2007, on June 29.", "2007-06-29"),
        ("Sales rose last month, analysts said.", "2007-06"),
    ]


@pytest.mark.skipif(not (FRANK / "frank_docs.jsonl").exists(), reason="FRANK not in ../shared")
def test_frank_folder_is_a_summary_only_dataset() -> None:
    run = run_eval([load_dataset(FRANK, limit=2)], systems=BASELINES, progress=False)
    agg = run.aggregates["all"]
    assert run.datasets[0].kind == "frank" and len(run.documents) == 2
    assert agg["lead3"]["rouge1"] is not None and agg["publication_date"]["event_recall"] is None


# ---------------------------------------------------------------- the gate and the CLI


def eval_cli(*args: str) -> Any:
    return runner.invoke(app, ["eval", "--no-progress", *args], catch_exceptions=False)


def test_fail_under_exits_6_when_unmet_and_0_when_met(tmp_path: Path) -> None:
    dated = build_report(run_eval([load_dataset(SAMPLE)], systems=BASELINES, progress=False))
    value = dated["aggregates"]["all"]["dated_sentences"]["dated_event_recall"]
    unmet = eval_cli(
        str(SAMPLE),
        "--no-model",
        "--report-dir",
        str(tmp_path / "a"),
        "--fail-under",
        f"dated_event_recall={value + 0.01:.4f}",
    )
    assert unmet.exit_code == 6, unmet.output
    assert "below" in unmet.output and (tmp_path / "a" / "report.html").exists()
    met = eval_cli(
        str(SAMPLE),
        "--no-model",
        "--report-dir",
        str(tmp_path / "b"),
        "--fail-under",
        f"dated_event_recall={value - 0.01:.4f}",
        "--fail-under",
        "lead3.rouge1=0.2",
    )
    assert met.exit_code == 0, met.output
    assert strict_json(tmp_path / "b" / "report.json")["gate"]["passed"] is True


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--fail-under", "no_such_metric=0.5"], 2),
        (["--fail-under", "latency_s_per_doc=3"], 2),  # lower is better: no floor
        (["--fail-under", "dated_event_recall"], 2),
        (["--systems", "lead3,gpt"], 2),
        (["--baseline", "/nonexistent/report.json"], 2),
    ],
)
def test_bad_usage_exits_2(args: list[str], code: int, tmp_path: Path) -> None:
    result = eval_cli(str(SAMPLE), "--no-model", "--report-dir", str(tmp_path), *args)
    assert result.exit_code == code, result.output


def test_missing_or_bad_dataset_exits_3(tmp_path: Path) -> None:
    assert eval_cli(str(tmp_path / "none.jsonl"), "--no-model").exit_code == 3
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    assert eval_cli(str(bad), "--no-model", "--report-dir", str(tmp_path)).exit_code == 3


def test_regression_against_a_baseline_report_is_detected(tmp_path: Path) -> None:
    first = eval_cli(str(SAMPLE), "--no-model", "--report-dir", str(tmp_path / "old"))
    assert first.exit_code == 0
    old_path = tmp_path / "old" / "report.json"
    same = eval_cli(
        str(SAMPLE),
        "--no-model",
        "--report-dir",
        str(tmp_path / "same"),
        "--baseline",
        str(old_path),
    )
    assert same.exit_code == 0, same.output
    # pretend the earlier run was better by 0.05 on the headline metric
    old = strict_json(old_path)
    old["aggregates"]["all"]["dated_sentences"]["dated_event_recall"] += 0.05
    better = tmp_path / "better.json"
    better.write_text(json.dumps(old))
    worse = eval_cli(
        str(SAMPLE), "--no-model", "--report-dir", str(tmp_path / "new"), "--baseline", str(better)
    )
    assert worse.exit_code == 6, worse.output
    md = (tmp_path / "new" / "report.md").read_text()
    assert "dated_sentences.dated_event_recall regressed" in md and "(-0.050)" in md
    tolerant = eval_cli(
        str(SAMPLE),
        "--no-model",
        "--report-dir",
        str(tmp_path / "tol"),
        "--baseline",
        str(better),
        "--max-drop",
        "0.06",
    )
    assert tolerant.exit_code == 0, tolerant.output


def test_gate_rules() -> None:
    assert parse_threshold("lead3.rouge1=0.3") == Threshold("rouge1", 0.3, "lead3")
    report = {
        "systems": ["tool"],
        "primary_system": "tool",
        "documents": [],
        "aggregates": {"all": {"tool": {"event_f1": 0.50, "grounding_rate": None}}},
    }
    old = {
        "systems": ["tool"],
        "documents": [],
        "aggregates": {"all": {"tool": {"event_f1": 0.52, "grounding_rate": 0.9}}},
    }
    assert check(report, [], old, max_drop=0.02).passed  # a drop of exactly max_drop is allowed
    assert not check(report, [], old, max_drop=0.019).passed
    assert not check(report, [Threshold("grounding_rate", 0.5)], None).passed  # nothing to score
    assert primary_system(["lead3", "publication_date"]) == "publication_date"


# ---------------------------------------------------------------- the tool's path, scripted


def answer_every_task(request: ChatRequest) -> str:
    """One JSON object that carries each draft's fields (the drafts ignore extra keys); a
    document containing BOOM is an outage."""
    if any("BOOM" in m["content"] for m in request.messages):
        raise BackendUnavailable("scripted outage", backend="scripted")
    return json.dumps(
        {
            "headline": "Apple ships the iPhone",
            "gist": "Apple shipped the iPhone on June 29.",
            "abstract": "Apple shipped the iPhone on June 29. Jobs said sales were strong.",
            "key_points": [
                "Apple shipped the iPhone",
                "Jobs said sales were strong",
                "Cisco sued Apple",
            ],
            "description": "Apple shipped the iPhone",
            "actors": ["Apple"],
            "location": None,
            "events": [],
        }
    )


def _reference(doc_id: str, text: str) -> Reference:
    sentence = text.split(". ")[0] + "."
    start = text.index("shipped")
    return Reference(
        id=doc_id,
        text=text,
        publication_date=dt.date(2007, 7, 2),
        source="test",
        licence="test",
        summary="Apple shipped the iPhone on June 29.",
        key_points=["Apple shipped the iPhone"],
        events=[
            ReferenceEvent(
                description="Apple shipped the iPhone",
                trigger="shipped",
                date_text="June 29",
                date_value="2007-06-29",
                granularity="day",
                date_source="written",
                actors=["Apple"],
                sentence=sentence,
                span=(0, len(sentence)),
                trigger_span=(start, start + 7),
            )
        ],
    )


def test_tool_run_records_failures_and_scores_results(tmp_path: Path) -> None:
    good = _reference("good", "Apple shipped the iPhone on June 29. Jobs said sales were strong.")
    bad = _reference("bad", "Apple shipped the iPhone on June 29. BOOM went the servers.")
    run = run_eval(
        [Dataset("mini", tmp_path / "mini.jsonl", [good, bad])],
        settings=Settings(cache_dir=tmp_path),
        backend=FakeBackend(answer_every_task, name="scripted", model="scripted-1"),
        systems=["tool", "dated_sentences"],
        progress=False,
    )
    report = strict_json(write_reports(run, tmp_path)["json"])
    docs = {d["id"]: d["systems"]["tool"] for d in report["documents"]}
    assert docs["bad"]["error"].startswith("BackendUnavailable: scripted outage")
    assert docs["good"]["error"] is None
    result = Result.model_validate(docs["good"]["output"]["result"])
    found, dated = dated_event_counts(result.events, good.events, good.text)
    assert docs["good"]["counts"]["dated_found"] == found and dated == 1
    agg = report["aggregates"]["all"]["tool"]
    assert agg["schema_valid_rate"] == 0.5
    # the failed document counts as empty: its dated event is missed, not dropped
    assert agg["n_dated_total"] == 2 and agg["dated_event_recall"] == found / 2
    assert report["config"]["backend"] == "scripted" and report["config"]["prompts"]
    assert "api_key" not in report["config"]["settings"]
    assert agg["attempts_per_doc"] is not None and not math.isnan(agg["attempts_per_doc"])


# ---------------------------------------------------------------- the real model


@pytest.mark.model
def test_embedded_model_on_the_sample(model_path: Path, tmp_path: Path) -> None:
    run = run_eval([load_dataset(SAMPLE)], settings=Settings(model_path=model_path), progress=False)
    paths = write_reports(run, tmp_path)
    report = strict_json(paths["json"])
    ReportFile.model_validate(report)
    tool = report["documents"][0]["systems"]["tool"]
    assert tool["error"] is None, tool["error"]
    ref = run.datasets[0].references[0]
    result = Result.model_validate(tool["output"]["result"])
    assert result.events and result.summary is not None
    found, dated = dated_event_counts(result.events, ref.events, ref.text)
    agg = report["aggregates"]["all"]["tool"]
    assert agg["dated_event_recall"] == pytest.approx(found / dated)
    assert agg["grounding_rate"] == pytest.approx(grounding_rate(result.events, ref.text))
    assert agg["rouge1"] == pytest.approx(
        rouge(result.summary.abstract, ref.summary or "")["rouge1"]
    )
    assert report["config"]["backend"] == "embedded" and report["config"]["prompts"]
    assert "| metric | tool | lead3 |" in paths["md"].read_text()


def test_frank_parts_split_the_documents_and_the_tool_runs_without_a_model(tmp_path: Path) -> None:
    tune = load_dataset(FRANK, part="tune", subset="cnndm").references
    check = load_dataset(FRANK, part="check", subset="cnndm").references
    assert tune and check and not {r.id for r in tune} & {r.id for r in check}
    result = eval_cli(
        "--frank",
        str(FRANK),
        "--subset",
        "cnndm",
        "--part",
        "check",
        "--limit",
        "3",
        "--no-model",
        "--systems",
        "tool,lead3",
        "--report-dir",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    report = strict_json(tmp_path / "report.json")
    tool = report["aggregates"]["all"]["tool"]
    assert tool["rouge1"] > 0 and 0 < tool["cited_word_share"] <= 1
    assert report["aggregates"]["all"]["lead3"]["rouge1"] > 0
    assert eval_cli("--frank", str(FRANK), "--part", "dev", "--no-model").exit_code == 2
