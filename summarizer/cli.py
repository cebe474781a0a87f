"""The ``summarise`` command: a thin layer over the library.

Typer parses, the library works, ``render`` shows. Library errors become one
line on stderr and an exit code (the table is ``summarizer.exits``, shared with
``summarise eval``, and in the README).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shlex
import stat
import sys
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.traceback import Traceback

from . import render
from ._version import __version__
from .backends.cache import CACHE_FILENAME, CacheStats, ResponseCache, iso
from .errors import BackendError, ConfigError, InputError, SummarizerError, WriteError
from .evaluation.cli import eval_command
from .exits import (
    EXIT_BACKEND,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_WRITE,
    exit_code,
    recorded_exit_code,
)
from .loading import (
    FOLDER_EXTENSIONS,
    check_date,
    extensions_of,
    folder_files,
    iter_documents,
)
from .options import (
    ApiKeyOption,
    BaseUrlOption,
    CacheDirOption,
    CacheOption,
    ContextTokensOption,
    DateOption,
    DebugOption,
    MaxReasksOption,
    ModelOption,
    ModelPathOption,
    PromptsOption,
    SeedOption,
    StrategyOption,
    StrictOption,
    TemperatureOption,
    ThreadsOption,
    TimeoutOption,
    WorkersOption,
)
from .pipeline import Pipeline, run_settings
from .runners.batch_api import export_requests, import_responses
from .runners.local import MODEL_FREE, run_batch
from .runners.timeline import is_run_output, read_run_output, source_outcomes, timeline_from
from .schemas import Document, Result
from .settings import Settings, usable_cores
from .timeline import pages as timeline_pages
from .timeline.entities import Entity

# \b keeps click from rewrapping the lines that follow it into one paragraph
EXAMPLES = """Examples:

\b
  summarise article.txt                      # embedded model, readable view
  summarise article.txt --format json        # the full validated result
  summarise article.txt --no-model           # no model: code's timeline, extractive summary
  cat article.txt | summarise - --date 2025-11-13
  summarise news.jsonl --format jsonl        # one result per line
  summarise news/ -o results.jsonl           # a folder as a resumable batch
  summarise article.txt --base-url http://127.0.0.1:8080/v1 --model qwen
  OPENAI_API_KEY=... summarise a.txt --base-url https://api.openai.com/v1 --model gpt-4o-mini --strategy single
  summarise schema                           # JSON Schema of a result
"""
HELP = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=HELP,
    help="Summarise news articles into validated summaries and dated event timelines.",
)
err = Console(stderr=True, highlight=False)


class Engine(str, Enum):
    local = "local"
    ray = "ray"


class Decoder(str, Enum):
    batched = "batched"
    llama_cpp = "llama-cpp"


class Format(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    html = "html"
    parquet = "parquet"


# -o's format when -f does not say: from the file's extension (anything else: JSONL, the batch)
FORMAT_OF_SUFFIX = {
    ".jsonl": Format.jsonl,
    ".ndjson": Format.jsonl,
    ".json": Format.json,
    ".md": Format.markdown,
    ".markdown": Format.markdown,
    ".txt": Format.text,
    ".html": Format.html,
    ".htm": Format.html,
    ".parquet": Format.parquet,
    ".pq": Format.parquet,
}


def fail(exc: BaseException, *, debug: bool) -> int:
    if debug:  # the exception may have been returned by the loader, not raised: print it as given
        err.print(Traceback.from_exception(type(exc), exc, exc.__traceback__))
    message = str(exc) if isinstance(exc, SummarizerError) else f"internal error: {exc!r}"
    err.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return exit_code(exc)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return check_date(dt.date.fromisoformat(value))
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date in YYYY-MM-DD form") from None
    except InputError as exc:
        raise typer.BadParameter(str(exc)) from None


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"summarise (summarizer) {__version__}\n")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Summarise news articles into validated summaries and dated event timelines."""


def _skipped_notes(files: list[str], extensions: tuple[str, ...]) -> None:
    for name in files:
        folder = Path(name)
        if name != "-" and folder.is_dir():
            found = folder_files(folder, extensions)
            note = found.skipped_note(folder)
            if note and found.files:  # no files at all: the folder's error line says it
                err.print(f"note: {escape(note)}", soft_wrap=True)


@app.command("run", epilog=EXAMPLES)
def run(
    files: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")],
    date: DateOption = None,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format (default: text, or with -o the file's extension: .jsonl .json .md .html .txt .parquet).",
        ),
    ] = None,
    base_url: BaseUrlOption = None,
    api_key: ApiKeyOption = None,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    temperature: TemperatureOption = None,
    timeout: TimeoutOption = None,
    context_tokens: ContextTokensOption = None,
    seed: SeedOption = None,
    strategy: StrategyOption = None,
    no_model: Annotated[
        bool,
        typer.Option(
            "--no-model",
            help="No model at all: code's events and dates, an extractive summary (the rules strategy).",
        ),
    ] = False,
    ext: Annotated[
        list[str] | None,
        typer.Option(
            "--ext",
            help=f"Extensions a folder gives (repeatable; default {' '.join(FOLDER_EXTENSIONS)}).",
        ),
    ] = None,
    max_reasks: MaxReasksOption = None,
    token_budget: Annotated[
        int | None, typer.Option(help="Stop re-asking past this many tokens per document.")
    ] = None,
    prompts: PromptsOption = None,
    cache_dir: CacheDirOption = None,
    decoder: Annotated[
        Decoder | None,
        typer.Option(
            help="The embedded model's decoding loop: batched (the default; ours: several calls at once, cheap grammar checks) or llama-cpp (llama-cpp-python's, one call at a time)."
        ),
    ] = None,
    parallel: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="A document's independent calls decoded (embedded) or sent (--base-url) at once.",
        ),
    ] = None,
    threads: ThreadsOption = None,
    strict: StrictOption = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write results to this file (atomically) or device. JSONL (and Parquet with "
            "--engine ray) is a batch: concurrent, resumable.",
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Documents at once with -o (default 4; on the embedded model their calls are "
            "decoded together; 1 with --decoder llama-cpp).",
        ),
    ] = None,
    workers: WorkersOption = None,
    resume: Annotated[
        bool, typer.Option(help="With -o: skip the documents the output already holds.")
    ] = False,
    wait: Annotated[
        bool,
        typer.Option(help="With -o: when another run is writing the output, wait for it to end."),
    ] = False,
    cache: CacheOption = True,
    engine: Annotated[
        Engine,
        typer.Option(
            help="With -o: run here, or on Ray (pip install 'summarizer[ray]'; -o may then end in .parquet)."
        ),
    ] = Engine.local,
    ray_address: Annotated[
        str | None,
        typer.Option(help="--engine ray: the cluster (default RAY_ADDRESS, else a local Ray)."),
    ] = None,
    actors: Annotated[
        int, typer.Option(min=1, help="--engine ray: workers, each holding one pipeline.")
    ] = 1,
    actor_concurrency: Annotated[
        int | None,
        typer.Option(
            min=1, help="--engine ray: documents at once per worker (default 4 remote, 1 embedded)."
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Every warning in full and a log line per retry and fall-back (stderr); evidence in the text view.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No warnings on stderr, only errors.")
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Summarise documents: a summary and a dated, grounded timeline for each.

    Results go to stdout (or -o), everything else to stderr: one line per document
    summing up its warnings, in full with -v, none with -q; the JSON result holds
    them all as data (code, field, message)."""
    if verbose and quiet:
        raise typer.Exit(
            fail(ConfigError("--verbose and --quiet contradict each other"), debug=debug)
        )
    _configure_logging(verbose=verbose, quiet=quiet)
    try:  # the run's one settings object
        settings = run_settings(
            no_model=no_model,
            base_url=base_url,
            api_key=api_key,
            model=model,
            model_path=model_path,
            temperature=temperature,
            timeout_s=timeout,
            context_tokens=context_tokens,
            seed=seed,
            strategy=strategy,
            max_reasks=max_reasks,
            token_budget=token_budget,
            prompts_dir=prompts,
            cache_dir=cache_dir,
            strict=strict or None,
            cache=None if cache else False,
            decoder=decoder.value if decoder else None,
            parallel=parallel,
            threads=threads,
        )
    except ConfigError as exc:
        raise typer.Exit(fail(exc, debug=debug)) from None
    anchor = _date(date)
    extensions = extensions_of(ext)
    _skipped_notes(files, extensions)
    chosen = format or (_format_of(output) if output is not None else Format.text)
    if output is not None and _is_batch(output, chosen):
        ray_options = None
        if engine is Engine.ray:
            ray_options = {
                "address": ray_address,
                "actors": actors,
                "actor_concurrency": actor_concurrency,
            }
        raise typer.Exit(
            _batch(
                files,
                output,
                settings,
                concurrency=concurrency,
                workers=workers,
                resume=resume,
                date=anchor,
                debug=debug,
                extensions=extensions,
                ray_options=ray_options,
                wait=wait,
            )
        )
    if resume or wait or concurrency is not None or workers is not None:
        raise typer.Exit(
            fail(
                ConfigError(
                    "--resume, --wait, --concurrency and --workers need -o/--output FILE.jsonl"
                ),
                debug=debug,
            )
        )
    if chosen is Format.parquet:
        raise typer.Exit(
            fail(
                ConfigError("Parquet is written by a batch: -o FILE.parquet --engine ray"),
                debug=debug,
            )
        )
    try:  # ConfigError: the output is a folder or in a missing one
        with _destination(output) as stream:
            code = _run_here(
                files,
                stream,
                settings,
                chosen,
                anchor,
                extensions,
                verbose=verbose,
                quiet=quiet,
                debug=debug,
            )
    except ConfigError as exc:
        code = fail(exc, debug=debug)
    except OSError as exc:  # stdout closed (| head) or full, or the -o file can take no more
        if output is None:
            raise typer.Exit(_stdout_failed(exc)) from None
        code = fail(WriteError(f"cannot write to {output}: {exc.strerror or exc}"), debug=debug)
    raise typer.Exit(code)


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    """The library only logs (logger ``summarizer``); the command decides what shows: -v all."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("summarizer")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING)


def _format_of(output: Path) -> Format:
    return FORMAT_OF_SUFFIX.get(output.suffix.lower(), Format.jsonl)


def _is_device(output: Path) -> bool:
    """A character device, pipe or socket (/dev/null, /dev/stdout, a FIFO): written as it comes."""
    try:
        mode = output.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _is_batch(output: Path, format: Format) -> bool:
    """JSONL (or Parquet) into a file is a resumable batch; into a device, a plain stream."""
    return format in (Format.jsonl, Format.parquet) and not _is_device(output)


@contextmanager
def _destination(output: Path | None) -> Iterator[TextIO]:
    """stdout; a device or pipe written as it comes; a file replaced atomically at the end
    (an interrupted run, or one with no result, leaves the old file, not half a new one)."""
    if output is None:
        yield sys.stdout
        return
    if _is_device(output):
        with output.open("w", encoding="utf-8") as handle:
            yield handle
        return
    if output.is_dir():
        raise ConfigError(f"-o {output} is a folder; name a file in it")
    if not output.parent.is_dir():
        raise ConfigError(
            f"-o {output}: the folder {output.parent} does not exist; create it first"
        )
    fd, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # a new file's usual mode, not mkstemp's private 0600
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            wrote = handle.tell() > 0
        if wrote or not output.exists():  # a run that summarised nothing keeps the old file
            os.replace(temporary, output)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _run_here(
    files: list[str],
    stream: TextIO,
    settings: Settings,
    format: Format,
    anchor: dt.date | None,
    extensions: tuple[str, ...],
    *,
    verbose: bool,
    quiet: bool,
    debug: bool,
) -> int:
    """Each document in turn, each result written to ``stream`` as it comes; the exit code."""
    code = EXIT_OK
    console = (
        Console(file=stream, highlight=False)
        if stream is not sys.stdout
        else Console(highlight=False)
    )
    emit = _Emitter(console, format, stream, verbose=verbose)
    pipeline: Pipeline | None = None  # the run's one pipeline, built for its first document
    warned: Counter[str] = Counter()  # warning code -> how many, over the run
    documents_warned = 0
    for item in iter_documents(files, extensions=extensions):
        if isinstance(item, InputError):
            code = fail(item, debug=debug)
            continue
        try:
            pipeline = pipeline or Pipeline(settings)
            result = pipeline.run(item.model_copy(update={"date": anchor}) if anchor else item)
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:  # noqa: BLE001 - every failure becomes one line and a code
            code = fail(exc if isinstance(exc, SummarizerError) else exc, debug=debug)
            if isinstance(exc, (ConfigError, BackendError)) and not isinstance(exc, InputError):
                break  # the next document would fail the same way
            continue
        emit(result, item)
        if verbose:
            _show_warnings(result)
        warned.update(w.code for w in result.warnings)
        documents_warned += bool(result.warnings)
    emit.close()
    stream.flush()  # a closed or full stdout shows here, inside the caller's guard
    if warned and not (verbose or quiet):
        what = ", ".join(f"{n} {code}" for code, n in warned.most_common())
        over = f" in {documents_warned} documents" if documents_warned > 1 else ""
        err.print(
            f"{warned.total()} warnings{over} ({what}); --verbose shows them",
            soft_wrap=True,
            markup=False,
        )
    return code


def _show_warnings(result: Result) -> None:
    for w in result.warnings:
        where = f" ({w.field})" if w.field else ""
        err.print(
            f"warning: {result.document_id}: {w.code}{where}: {w.message}",
            soft_wrap=True,
            markup=False,
        )


def _stdout_failed(exc: OSError) -> int:
    """One line for a standard output that can take no more (a closed pipe, a full disk);
    what is still buffered goes to the null device, so exiting cannot fail again."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)
    err.print(
        f"[bold red]error:[/] cannot write to standard output: {exc.strerror or exc}",
        markup=True,
        soft_wrap=True,
    )
    return EXIT_WRITE


def _batch(
    files: list[str],
    output: Path,
    settings: Settings,
    *,
    concurrency: int | None,
    resume: bool,
    date: dt.date | None,
    debug: bool,
    extensions: tuple[str, ...],
    ray_options: dict[str, Any] | None = None,
    wait: bool = False,
    workers: int | None = None,
) -> int:
    """``run -o``: the batch runner (here or on Ray), its summary on stderr, and the exit code."""
    if concurrency is None:  # embedded: the batched decoder pools the documents' calls
        concurrency = 4 if settings.base_url or settings.decoder == "batched" else 1
    model_free = settings.strategy == MODEL_FREE
    if workers is not None and (not model_free or ray_options is not None):
        return fail(
            ConfigError(
                "--workers runs model-free documents (--no-model) in local processes; "
                "with a model use --concurrency, on Ray --actors"
            ),
            debug=debug,
        )
    if workers is None:
        workers = usable_cores() if model_free else 1
    try:
        if ray_options is not None:
            try:  # the ray extra: optional, so imported only when asked for
                from .runners.ray import run_ray_batch
            except ImportError as exc:
                raise ConfigError(
                    f"--engine ray needs Ray ({exc.name} is missing): pip install 'summarizer[ray]'"
                ) from None
            summary = run_ray_batch(
                files,
                output,
                settings,
                resume=resume,
                date=date,
                progress=err.is_terminal,
                console=err,
                extensions=extensions,
                **ray_options,
            )
        elif output.suffix.lower() in {".parquet", ".pq"}:
            raise ConfigError("Parquet output needs --engine ray; a local batch writes JSONL")
        else:
            summary = run_batch(
                files,
                output,
                settings,
                concurrency=concurrency,
                workers=workers,
                resume=resume,
                date=date,
                progress=err.is_terminal,
                console=err,
                extensions=extensions,
                wait=wait,
            )
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and a code
        return fail(exc, debug=debug)
    kinds = ", ".join(f"{k} {n}" for k, n in summary.error_types.most_common())
    err.print(
        f"{output}: {summary.ok} ok, {summary.failed} failed{f' ({kinds})' if kinds else ''}, "
        f"{summary.skipped} already done · {summary.tokens:,} tokens "
        f"({summary.cached_calls} of {summary.calls} calls from cache) · {summary.seconds:.1f} s",
        soft_wrap=True,
    )
    if summary.stopped_reason or summary.interrupted:
        args = list(_INVOCATION) + ([] if "--resume" in _INVOCATION else ["--resume"])
        total = summary.total if summary.total is not None else "?"
        if summary.stopped_reason:
            err.print(f"stopped: {summary.stopped_reason}", soft_wrap=True)
        err.print(
            f"stopped after {summary.done} of {total}; resume with: "
            f"{shlex.join(['summarise', *args])}",
            soft_wrap=True,
        )
    if summary.interrupted:
        if summary.abandoned:  # worker threads still wait on the model: don't wait for them
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
    if summary.stopped_reason:
        return EXIT_BACKEND
    return max((recorded_exit_code(k) for k in summary.error_types), default=EXIT_OK)


class _Emitter:
    """Writes each result as it comes. ``json``: one document is one object, several are
    one array (the first result waits for the second to know which)."""

    def __init__(
        self, console: Console, format: Format, out: TextIO, *, verbose: bool = False
    ) -> None:
        self.console = console
        self.format = format
        self.out = out
        self.verbose = verbose
        self.held: Result | None = None
        self.count = 0
        self.pages: list[render.Page] = []

    def __call__(self, result: Result, document: Document | None = None) -> None:
        self.count += 1
        if self.format is Format.html:  # one page for the run: written at close
            text = result.text or (document.text if document else "")
            offset = 0 if result.text or document is None else document.offset
            self.pages.append(render.Page(result, text, offset))
        elif self.format is not Format.json:
            _emit(self.console, self.out, result, self.format, verbose=self.verbose)
        elif self.count == 1:
            self.held = result
        else:
            if self.held is not None:
                self.out.write("[\n" + _indented(self.held))
                self.held = None
            self.out.write(",\n" + _indented(result))
            self.out.flush()

    def close(self) -> None:
        if self.pages:
            self.out.write(render.html(self.pages))
        if self.held is not None:
            self.out.write(self.held.model_dump_json(indent=2) + "\n")
        elif self.format is Format.json and self.count > 1:
            self.out.write("\n]\n")
        self.out.flush()


def _indented(result: Result) -> str:
    return "\n".join("  " + line for line in result.model_dump_json(indent=2).splitlines())


def _emit(console: Console, out: TextIO, result: Result, format: Format, *, verbose: bool) -> None:
    if format is Format.json:
        out.write(result.model_dump_json(indent=2) + "\n")
    elif format is Format.jsonl:
        out.write(result.model_dump_json() + "\n")
    elif format is Format.markdown:
        out.write(render.markdown(result) + "\n")
    else:
        render.show(console, result, verbose=verbose)
    out.flush()


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of a result."""
    sys.stdout.write(json.dumps(Result.model_json_schema(), indent=2) + "\n")


batch_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=HELP,
    help="Batch API files: requests for OpenAI's Batch API or vLLM's run_batch, "
    "and their answers back in.",
)
app.add_typer(batch_app, name="batch")


@batch_app.command("export")
def batch_export(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The requests JSONL to write.")],
    model: ModelOption = None,
    strategy: StrategyOption = None,
    date: DateOption = None,
    prompts: PromptsOption = None,
    debug: DebugOption = False,
) -> None:
    """Write every request the pipeline makes first, for each document, as a Batch API file.

    decomposed asks a headline and one event per event clause; single one summary and
    one events request per document."""
    try:
        settings = run_settings(model=model, strategy=strategy, prompts_dir=prompts)
    except ConfigError as exc:
        raise typer.Exit(fail(exc, debug=debug)) from None
    try:
        summary = export_requests(inputs, output, settings, model=model, date=_date(date))
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and a code
        raise typer.Exit(fail(exc, debug=debug)) from None
    for message in summary.input_errors:
        fail(InputError(message), debug=False)
    err.print(
        f"{output}: {summary.request_lines} requests ({summary.strategy} strategy) for "
        f"{summary.documents_written} documents; "
        f"{summary.documents} holds the documents, which batch import needs"
    )
    raise typer.Exit(EXIT_INPUT if summary.input_errors else EXIT_OK)


@batch_app.command("import")
def batch_import(
    responses: Annotated[list[Path], typer.Argument(help="The provider's output JSONL file(s).")],
    requests: Annotated[
        list[Path],
        typer.Option(
            "--requests", help="The request file(s) they answer (repeat for retry rounds)."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The results JSONL to write.")],
    documents: Annotated[
        Path | None, typer.Option(help="Documents file (default: next to the first --requests).")
    ] = None,
    retry_out: Annotated[
        Path | None,
        typer.Option(help="Where re-ask requests go (default: retry-requests.jsonl next to -o)."),
    ] = None,
    max_reasks: MaxReasksOption = None,
    strategy: StrategyOption = None,
    prompts: PromptsOption = None,
    strict: StrictOption = False,
    debug: DebugOption = False,
) -> None:
    """Validate a batch's answers into results JSONL; write re-asks to a retry request file.

    --strategy and --prompts must be the export's: the strategy is read from the
    requests' custom ids when not given."""
    try:
        settings = run_settings(
            max_reasks=max_reasks, strategy=strategy, prompts_dir=prompts, strict=strict or None
        )
    except ConfigError as exc:
        raise typer.Exit(fail(exc, debug=debug)) from None
    try:
        summary = import_responses(
            responses,
            requests,
            output,
            settings,
            documents=documents,
            retry=retry_out,
            strategy=strategy,
        )
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and a code
        raise typer.Exit(fail(exc, debug=debug)) from None
    err.print(
        f"{output}: {summary.ok} ok, {summary.pending} waiting on re-asks, "
        f"{summary.failed} failed; {summary.retry_lines} requests in {summary.retry}"
    )
    if summary.unknown_first_requests:
        err.print(
            f"warning: {summary.unknown_first_requests} first requests are in no request "
            "file: were the prompts or settings changed since the export?"
        )
    if summary.retry_lines:
        err.print(
            f"next: run {summary.retry} as a batch, then import again with every "
            "responses and --requests file so far"
        )
    raise typer.Exit(EXIT_OK if not (summary.pending or summary.failed) else EXIT_OUTPUT)


cache_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=HELP,
    help="The response cache: what it holds, and clearing it.",
)
app.add_typer(cache_app, name="cache")


def _open_cache(cache_dir: Path | None) -> tuple[ResponseCache | None, Settings]:
    """The existing cache in ``--cache-dir`` (None: no file yet); a missing folder is an error."""
    settings = run_settings(cache_dir=cache_dir)  # ConfigError for a bad SUMMARIZER_CACHE_MAX_MB
    folder = settings.cache_dir
    if not folder.is_dir():
        raise ConfigError(
            f"{folder}: no such cache folder" if not folder.exists() else f"{folder}: not a folder"
        )
    path = folder / CACHE_FILENAME
    if not path.exists():
        return None, settings
    # max_bytes=None: looking and clearing never evict
    return ResponseCache(path, max_bytes=None, create=False), settings


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f} {unit}"


@cache_app.command("info")
def cache_info(
    cache_dir: CacheDirOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object instead of the table.")
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Where the response cache is, how many answers it holds and for which models, its size."""
    try:
        cache, settings = _open_cache(cache_dir)
        if cache is None:
            stats = CacheStats(settings.cache_dir / CACHE_FILENAME, 0, 0, 0, None, None, None)
        else:
            try:
                stats = cache.stats()
            finally:
                cache.close()
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and a code
        raise typer.Exit(fail(exc, debug=debug)) from None
    max_bytes = settings.cache_max_mb * 1024 * 1024
    if as_json:
        data = {**stats.as_json(), "exists": cache is not None, "max_bytes": max_bytes}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        raise typer.Exit(EXIT_OK)
    console = Console(highlight=False)
    if cache is None:
        console.print(f"no response cache yet at {escape(str(stats.path))}", soft_wrap=True)
        raise typer.Exit(EXIT_OK)

    def when(ts: float | None) -> str:
        return (iso(ts) or "–").replace("T", " ").replace("+00:00", " UTC")

    console.print(f"[bold]{escape(str(stats.path))}[/]", soft_wrap=True)
    console.print(
        f"{stats.entries:,} entries · {_size(stats.disk_bytes)} on disk "
        f"({_size(stats.free_bytes)} free to reuse) · bound {_size(max_bytes)} "
        "(SUMMARIZER_CACHE_MAX_MB)",
        soft_wrap=True,
    )
    console.print(
        f"written {when(stats.oldest)} … {when(stats.newest)} · last used {when(stats.last_used)}",
        soft_wrap=True,
    )
    if stats.models:
        table = Table(box=None, pad_edge=False)
        table.add_column("model")
        table.add_column("entries", justify="right")
        table.add_column("last used")
        for m in stats.models:
            name = escape(m.model) if m.model is not None else "[dim](unknown: older entries)[/]"
            table.add_row(name, f"{m.entries:,}", when(m.last_used))
        console.print(table)
    raise typer.Exit(EXIT_OK)


@cache_app.command("clear")
def cache_clear(
    cache_dir: CacheDirOption = None,
    older_than: Annotated[
        float | None,
        typer.Option(min=0, help="Only entries written more than DAYS ago.", metavar="DAYS"),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Only this model's entries (as `cache info` names it).")
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Delete cached answers (all, or by age or model) and give the space back to the disk."""
    try:
        cache, _ = _open_cache(cache_dir)
        if cache is None:
            sys.stdout.write("removed 0 entries, reclaimed 0 B (no cache file yet)\n")
            raise typer.Exit(EXIT_OK)
        try:
            result = cache.clear(older_than_days=older_than, model=model)
        finally:
            cache.close()
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and a code
        raise typer.Exit(fail(exc, debug=debug)) from None
    note = (
        ""
        if result.vacuumed
        else " (the cache was busy: the freed space is reused by later answers)"
    )
    sys.stdout.write(
        f"removed {result.removed:,} entries, reclaimed {_size(result.reclaimed)}{note}\n"
    )
    raise typer.Exit(EXIT_OK)


class TimelineFormat(str, Enum):
    json = "json"
    markdown = "markdown"
    html = "html"


TIMELINE_EXAMPLES = """Examples:

\b
  summarise timeline news/ --no-model --entity "Steve Jobs" -f markdown
  summarise run news/ -o results.jsonl && summarise timeline results.jsonl -e GM -e "General Motors"
  summarise timeline news/ --entity "General Motors=GM" -f html -o gm.html
"""


@app.command("timeline", epilog=TIMELINE_EXAMPLES)
def timeline(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders, - for stdin, or a `run -o` output JSONL (read as is)."
        ),
    ],
    entity: Annotated[
        list[str] | None,
        typer.Option(
            "--entity",
            "-e",
            help="Follow this entity (repeatable); NAME or NAME=ALIAS,ALIAS. Default: all events.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the timeline here.")
    ] = None,
    format: Annotated[
        TimelineFormat, typer.Option("--format", "-f", help="Output format.")
    ] = TimelineFormat.markdown,
    date: DateOption = None,
    no_model: Annotated[
        bool, typer.Option("--no-model", help="No model: the rules strategy for every article.")
    ] = False,
    strategy: StrategyOption = None,
    base_url: BaseUrlOption = None,
    model: ModelOption = None,
    ext: Annotated[
        list[str] | None, typer.Option("--ext", help="Extensions a folder gives (repeatable).")
    ] = None,
    engine: Annotated[
        Engine, typer.Option(help="Where the per-article stage runs: here, or on Ray.")
    ] = Engine.local,
    ray_address: Annotated[
        str | None, typer.Option(help="--engine ray: the cluster (default: a local Ray).")
    ] = None,
    actors: Annotated[int, typer.Option(min=1, help="--engine ray: workers.")] = 1,
    debug: DebugOption = False,
) -> None:
    """One merged, dated, sourced timeline per entity over many articles of one story."""
    try:
        settings = run_settings(
            base_url=base_url, model=model, strategy=strategy, no_model=no_model
        )
        entities = [Entity.parse(e) for e in entity or []]
        if any(not e.name for e in entities):
            raise ConfigError("--entity needs a name, e.g. --entity 'General Motors=GM'")
    except ConfigError as exc:
        raise typer.Exit(fail(exc, debug=debug)) from None
    anchor = _date(date)
    extensions = extensions_of(ext)
    texts: dict[str, str] = {}
    offsets: dict[str, int] = {}
    try:
        if engine is Engine.ray:
            outcomes = _ray_outcomes(files, settings, anchor, ray_address, actors, extensions)
        else:
            outcomes = list(
                source_outcomes(
                    files,
                    settings=settings,
                    date=anchor,
                    extensions=extensions,
                    texts=texts,
                    offsets=offsets,
                )
            )
        result = timeline_from(outcomes, entities)
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and a code
        raise typer.Exit(fail(exc, debug=debug)) from None
    code = EXIT_OK
    for doc_id, reason in result.failed.items():
        err.print(f"[yellow]warning:[/] {escape(doc_id)}: {escape(reason)}", soft_wrap=True)
        if reason.startswith("InputError"):
            code = EXIT_INPUT
    if format is TimelineFormat.json:
        page = result.model_dump_json(indent=2) + "\n"
    elif format is TimelineFormat.html:
        page = timeline_pages.html(result, texts, offsets)
    else:
        page = timeline_pages.markdown(result)
    if output is None:
        sys.stdout.write(page)
    else:
        try:
            output.write_text(page, encoding="utf-8")
        except OSError as exc:
            raise typer.Exit(
                fail(ConfigError(f"{output}: cannot write ({exc.strerror})"), debug=debug)
            ) from None
        counts = ", ".join(
            f"{t.entity or 'all'}: {len(t.entries)} dated, {len(t.undated)} undated"
            for t in result.timelines
        )
        err.print(f"{output}: {result.documents} articles merged ({counts})", soft_wrap=True)
    raise typer.Exit(code)


def _ray_outcomes(
    files: list[str],
    settings: Settings,
    date: dt.date | None,
    address: str | None,
    actors: int,
    extensions: tuple[str, ...],
) -> list[tuple[str, Result | str]]:
    """The per-article stage on Ray into a temporary run output, read back (run outputs
    given as inputs are read as they are)."""
    try:  # the ray extra: optional, so imported only when asked for
        from .runners.ray import run_ray_batch
    except ImportError as exc:
        raise ConfigError(
            f"--engine ray needs Ray ({exc.name} is missing): pip install 'summarizer[ray]'"
        ) from None
    given = [f for f in files if f != "-" and is_run_output(Path(f))]
    rest = [f for f in files if f not in given]
    outcomes: list[tuple[str, Result | str]] = []
    for path in given:
        outcomes += read_run_output(Path(path))
    if rest:
        with tempfile.TemporaryDirectory(prefix="summarise-timeline-") as folder:
            out = Path(folder) / "results.jsonl"
            run_ray_batch(
                rest,
                out,
                settings,
                address=address,
                actors=actors,
                date=date,
                progress=err.is_terminal,
                console=err,
                extensions=extensions,
            )
            outcomes += read_run_output(out)
    return outcomes


app.command("eval")(eval_command)

COMMANDS = {"run", "schema", "eval", "batch", "cache", "timeline"}
_INVOCATION: list[str] = []  # the arguments as typed, for the resume hint


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    # a library warning (the cache could not be opened...) reads like our other messages
    err.print(f"[yellow]warning:[/] {message}", markup=True, soft_wrap=True, highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Console entry: ``summarise FILE...`` runs the default command."""
    args = list(sys.argv[1:] if argv is None else argv)
    _INVOCATION[:] = args
    warnings.showwarning = _one_line_warning
    if args and args[0] not in COMMANDS and args[0] not in {"--help", "-h", "--version", "-V"}:
        args.insert(0, "run")
    try:
        app(args=args, prog_name="summarise", standalone_mode=True)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)
