"""The ``summarise`` command: a thin layer over the library.

Typer parses, the library works, ``render`` shows. Library errors become one
line on stderr and an exit code (the table lives here and in the README):

    0  every document summarised
    1  an unexpected internal error (a bug: run again with --debug and report it)
    2  bad usage or configuration (unknown option, missing model, bad prompt folder)
    3  bad input (missing, empty, binary or undecodable file, bad date, bad JSON line)
    4  the model backend failed (unreachable, timed out, refused the key)
    5  the model never gave a valid answer
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from . import render
from .errors import BackendError, ConfigError, InputError, InvalidOutput, SummarizerError
from .loading import iter_documents
from .schemas import Result
from .settings import Settings

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_INPUT, EXIT_BACKEND, EXIT_OUTPUT = 0, 1, 2, 3, 4, 5

EXAMPLES = """
Examples:

  summarise article.txt                      # embedded model, readable view
  summarise article.txt --format json        # the full validated result
  cat article.txt | summarise - --date 2025-11-13
  summarise news.jsonl --format jsonl        # one result per line
  summarise article.txt --base-url http://127.0.0.1:8080/v1 --model qwen
  OPENAI_API_KEY=... summarise a.txt --base-url https://api.openai.com/v1 --model gpt-4o-mini --strategy single
  summarise schema                            # JSON Schema of a result
"""

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Summarise news articles into validated summaries and dated event timelines.")
err = Console(stderr=True, highlight=False)


class Format(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"


def exit_code(exc: BaseException) -> int:
    if isinstance(exc, InputError):
        return EXIT_INPUT
    if isinstance(exc, ConfigError):
        return EXIT_USAGE
    if isinstance(exc, BackendError):
        return EXIT_BACKEND
    if isinstance(exc, (InvalidOutput, SummarizerError)):
        return EXIT_OUTPUT
    return EXIT_BUG


def fail(exc: BaseException, *, debug: bool) -> int:
    if debug:
        err.print_exception()
    message = str(exc) if isinstance(exc, SummarizerError) else f"internal error: {exc!r}"
    err.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return exit_code(exc)


def _date(value: Optional[str]) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date in YYYY-MM-DD form") from None


@app.command("run", epilog=EXAMPLES)
def run(
    files: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")],
    date: Annotated[Optional[str], typer.Option(help="Publication date YYYY-MM-DD (overrides the file's).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible endpoint; default: the embedded model.")] = None,
    model: Annotated[Optional[str], typer.Option(help="Model name at --base-url.")] = None,
    model_path: Annotated[Optional[Path], typer.Option(help="Another GGUF file for the embedded backend.")] = None,
    strategy: Annotated[Optional[str], typer.Option(help="decomposed (small models) or single (one call, strong models).")] = None,
    max_reasks: Annotated[Optional[int], typer.Option(help="Re-asks after a failed validation.")] = None,
    token_budget: Annotated[Optional[int], typer.Option(help="Stop re-asking past this many tokens per document.")] = None,
    prompts: Annotated[Optional[Path], typer.Option(help="Folder of templates overriding the built-in ones.")] = None,
    cache_dir: Annotated[Optional[Path], typer.Option(help="Where the model file and caches live.")] = None,
    strict: Annotated[bool, typer.Option(help="Fail instead of dropping ungrounded events.")] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks.")] = False,
) -> None:
    """Summarise documents: a summary and a dated, grounded timeline for each."""
    from .pipeline import summarise

    try:
        settings = Settings.from_env(base_url=base_url, model=model, model_path=model_path,
                                     strategy=strategy, max_reasks=max_reasks,
                                     token_budget=token_budget, prompts_dir=prompts,
                                     cache_dir=cache_dir, strict=strict or None)
    except ValueError as exc:  # pydantic: a bad option value
        raise typer.Exit(fail(ConfigError(str(exc).splitlines()[-1].strip()), debug=debug))
    anchor = _date(date)
    code = EXIT_OK
    console = Console(highlight=False)
    for item in iter_documents(files):
        if isinstance(item, InputError):
            code = fail(item, debug=debug)
            continue
        try:
            result = summarise(item, date=anchor, settings=settings)
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one line and a code
            code = fail(exc if isinstance(exc, SummarizerError) else exc, debug=debug)
            if isinstance(exc, (ConfigError, BackendError)) and not isinstance(exc, InputError):
                break  # the next document would fail the same way
            continue
        _emit(console, result, format)
    raise typer.Exit(code)


def _emit(console: Console, result: Result, format: Format) -> None:
    if format is Format.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    elif format is Format.jsonl:
        sys.stdout.write(result.model_dump_json() + "\n")
    elif format is Format.markdown:
        sys.stdout.write(render.markdown(result) + "\n")
    else:
        render.show(console, result)
    sys.stdout.flush()


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of a result."""
    sys.stdout.write(json.dumps(Result.model_json_schema(), indent=2) + "\n")


COMMANDS = {"run", "schema", "eval", "batch"}


def main(argv: list[str] | None = None) -> None:
    """Console entry: ``summarise FILE...`` runs the default command."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in COMMANDS and args[0] not in {"--help", "-h"}:
        args.insert(0, "run")
    try:
        app(args=args, prog_name="summarise", standalone_mode=True)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
