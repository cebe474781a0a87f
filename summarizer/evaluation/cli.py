"""``summarise eval``: score the tool and the baselines over reference sets, write reports, gate.

Exit codes (the first four as for ``summarise run``; 6 is this command's own):

    0  reports written; every threshold met, no regression
    1  an unexpected internal error
    2  bad usage: unknown system or metric, bad --fail-under, unreadable --baseline,
       model not available
    3  bad input: a dataset missing or not in the reference format
    4  the model backend failed for every document (reports are still written)
    6  the gate failed: a --fail-under threshold unmet, or a metric regressed
       against --baseline by more than --max-drop (reports are still written)

A document the tool fails on is recorded with its error and scored as empty;
it does not change the exit code unless every document failed on the backend.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ..errors import ConfigError, InputError
from ..exits import EXIT_BACKEND, EXIT_GATE, EXIT_INPUT, EXIT_OK, EXIT_USAGE, error_class, exit_code
from ..options import BaseUrlOption, DebugOption, ModelOption, ModelPathOption, StrategyOption
from ..pipeline import run_settings
from .crossdoc import evaluate_trial, trial_report
from .names import BASELINES, DEFAULT_CONCURRENCY, DEFAULT_MAX_DROP, SYSTEMS, TOOL
from .references import ReferenceFormatError

if TYPE_CHECKING:  # the eval stack (numpy, scipy, rouge-score, the pipeline) loads on use only
    from .harness import Dataset, EvalRun

DEFAULT_REPORT_DIR = Path("eval/reports/latest")

EXAMPLES = """\
  summarise eval eval/datasets/sample.jsonl --no-model            # baselines only, seconds
  summarise eval eval/datasets/*.jsonl --report-dir eval/reports/run1
  summarise eval eval/datasets/wikinews.jsonl --limit 5 --baseline eval/reports/run1/report.json \\
      --fail-under dated_event_recall=0.5 --max-drop 0.02
  summarise eval eval/datasets/sample.jsonl --frank ../shared/data/frank --limit 20
  summarise eval --frank ../shared/data/frank --subset cnndm --part check --no-model --systems tool,lead3
  summarise eval --timelines ../shared/data/semeval2015_task4_trial --no-model
"""

err = Console(stderr=True, highlight=False)


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def _systems(no_model: bool, systems: str | None) -> list[str]:
    if systems:
        chosen = [s.strip() for s in systems.split(",") if s.strip()]
        if chosen == ["baselines"]:
            chosen = list(BASELINES)
    else:
        chosen = list(BASELINES) if no_model else list(SYSTEMS)
    unknown = [s for s in chosen if s not in SYSTEMS]
    if unknown or not chosen:
        raise _fail(
            f"unknown system(s) {', '.join(unknown) or '(none)'}; choose from "
            f"{', '.join(SYSTEMS)} or 'baselines'",
            EXIT_USAGE,
        )
    # --no-model: the baselines, and the tool (as the rules strategy) only when named
    return [s for s in chosen if s != TOOL] if no_model and not systems else chosen


def _datasets(
    paths: list[Path],
    frank: Path | None,
    limit: int | None,
    part: str | None = None,
    subset: str | None = None,
) -> list[Dataset]:
    from .harness import load_dataset  # the eval extra

    sources = [*paths, *([frank] if frank else [])]
    if not sources:
        raise _fail(
            "give at least one DATASET (a reference JSONL file or a FRANK folder)", EXIT_USAGE
        )
    datasets = []
    for path in sources:
        try:
            datasets.append(load_dataset(path, limit, part=part, subset=subset))
        except FileNotFoundError:
            raise _fail(f"{path}: no such file or folder", EXIT_INPUT) from None
        except (ReferenceFormatError, ValueError, OSError) as exc:
            raise _fail(str(exc).splitlines()[0], EXIT_INPUT) from None
    return datasets


def _all_backend_failures(run: EvalRun) -> bool:
    outputs = [d.outputs[TOOL] for d in run.documents if TOOL in d.outputs]
    return bool(outputs) and all(o.error and _failed_on_backend(o.error) for o in outputs)


def _failed_on_backend(error: str) -> bool:
    """An output's recorded error (``ClassName: message``) is the backend's failing."""
    cls = error_class(error.split(":")[0])
    return cls is not None and exit_code(cls) == EXIT_BACKEND


def eval_command(
    datasets: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Reference sets: eval/datasets/*.jsonl, or a FRANK folder.", show_default=False
        ),
    ] = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    model_path: ModelPathOption = None,
    strategy: StrategyOption = None,
    report_dir: Annotated[
        Path, typer.Option(help="Where report.json, report.md and report.html go.")
    ] = DEFAULT_REPORT_DIR,
    baseline: Annotated[
        Path | None, typer.Option(help="An earlier report.json to compare with.")
    ] = None,
    fail_under: Annotated[
        list[str] | None,
        typer.Option(help="[SYSTEM.]METRIC=VALUE: exit 6 when below (repeatable)."),
    ] = None,
    max_drop: Annotated[
        float, typer.Option(help="Allowed drop of a metric vs --baseline before exit 6.")
    ] = DEFAULT_MAX_DROP,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Only the first N documents of each dataset.")
    ] = None,
    frank: Annotated[
        Path | None, typer.Option(help="A FRANK folder, read in place (summary-only).")
    ] = None,
    part: Annotated[
        str | None,
        typer.Option(
            help="FRANK only: the tune or check half (the split sentence selection was trained on)."
        ),
    ] = None,
    subset: Annotated[str | None, typer.Option(help="FRANK only: cnndm or xsum documents.")] = None,
    no_model: Annotated[
        bool, typer.Option("--no-model", help="Run the baselines only (no model, fast).")
    ] = False,
    timelines: Annotated[
        Path | None,
        typer.Option(
            help="A SemEval-2015 Task 4 trial folder: score cross-document entity timelines "
            "(the tool with --no-model runs model-free)."
        ),
    ] = None,
    systems: Annotated[
        str | None, typer.Option(help=f"Comma list of {', '.join(SYSTEMS)}, or 'baselines'.")
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Documents in flight at once.")
    ] = DEFAULT_CONCURRENCY,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    debug: DebugOption = False,
) -> None:
    """Score the tool and the baselines over reference sets; write JSON, Markdown and HTML reports.

    Exit codes: 0 ok, 2 bad usage, 3 bad dataset, 4 the backend failed for every
    document, 6 the gate failed (--fail-under unmet or a regression past --max-drop).
    """
    try:  # the eval extra (numpy, scipy, rouge-score)
        from .gate import check, parse_threshold
        from .harness import run_eval
        from .report import build_report, load_report, write_reports
    except ImportError as exc:  # the eval extra is missing
        raise _fail(
            f"summarise eval needs the eval extra (pip install 'summarizer[eval]'): {exc}",
            EXIT_USAGE,
        ) from None
    if timelines is not None:
        raise typer.Exit(_crossdoc(timelines, report_dir, no_model, base_url, model, strategy))
    if part not in (None, "tune", "check") or subset not in (None, "cnndm", "xsum"):
        raise _fail("--part takes tune or check; --subset cnndm or xsum", EXIT_USAGE)
    chosen = _systems(no_model, systems)
    try:
        thresholds = [parse_threshold(spec) for spec in fail_under or []]
        old = load_report(baseline) if baseline else None
    except ValueError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    sets = _datasets(list(datasets or []), frank, limit, part, subset)
    try:
        settings = (
            run_settings(  # --no-model: the tool as the rules strategy
                no_model=no_model,
                base_url=base_url,
                model=model,
                model_path=model_path,
                strategy=strategy,
            )
            if TOOL in chosen
            else None
        )
        run = run_eval(
            sets, settings=settings, systems=chosen, concurrency=concurrency, progress=progress
        )
    except (ConfigError, ValueError) as exc:  # no model file, bad option value: nothing ran
        if debug:
            err.print_exception()
        raise _fail(str(exc) or repr(exc), EXIT_USAGE) from None
    except InputError as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    verdict = check(build_report(run), thresholds, old, max_drop)
    paths = write_reports(run, report_dir, baseline=old, verdict=verdict)
    typer.echo(paths["md"].read_text(encoding="utf-8"), nl=False)
    err.print("reports: " + ", ".join(str(p) for p in paths.values()))
    if _all_backend_failures(run):
        raise _fail("the model backend failed for every document", EXIT_BACKEND)
    if not verdict.passed:
        raise typer.Exit(EXIT_GATE)
    raise typer.Exit(EXIT_OK)


def _crossdoc(
    folder: Path,
    report_dir: Path,
    no_model: bool,
    base_url: str | None,
    model: str | None,
    strategy: str | None,
) -> int:
    """``--timelines``: both cross-document measures, to stdout and report_dir/crossdoc.*."""
    try:
        settings = run_settings(
            base_url=base_url, model=model, strategy=strategy, no_model=no_model
        )
        scores = evaluate_trial(folder, settings=settings, no_model=no_model)
    except ConfigError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    except (ValueError, OSError) as exc:
        raise _fail(str(exc).splitlines()[0], EXIT_INPUT) from None
    text = trial_report(scores)
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "crossdoc.md").write_text(text, encoding="utf-8")
    (report_dir / "crossdoc.json").write_text(json.dumps(scores, indent=1), encoding="utf-8")
    typer.echo(text)
    err.print(f"reports: {report_dir / 'crossdoc.md'}, {report_dir / 'crossdoc.json'}")
    return EXIT_OK


# \b tells click to keep the examples' line breaks
eval_command.__doc__ = (
    f"{inspect.cleandoc(eval_command.__doc__ or '')}\n\nExamples:\n\n\b\n{EXAMPLES}"
)

__all__ = ["EXIT_GATE", "eval_command"]
