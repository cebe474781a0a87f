"""The command-line options several commands share, declared once with one help text each.

Each is a typer ``Annotated`` alias: a command names its parameter after the
``Settings`` field it sets and gives the alias as its type (``model: ModelOption =
None``), and typer makes the flag from the parameter's name (``--model``). What the
options add up to is checked in one place, ``pipeline.run_settings``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

BaseUrlOption = Annotated[
    str | None, typer.Option(help="OpenAI-compatible endpoint; default: the embedded model.")
]
ModelOption = Annotated[
    str | None, typer.Option(help="The model's name at --base-url (or in Batch API requests).")
]
ModelPathOption = Annotated[
    Path | None, typer.Option(help="Another GGUF file for the embedded backend.")
]
StrategyOption = Annotated[
    str | None,
    typer.Option(
        help="decomposed (the default; small models), single (one call; strong models) "
        "or rules (no model)."
    ),
]
PromptsOption = Annotated[
    Path | None, typer.Option(help="Folder of templates overriding the built-in ones.")
]
MaxReasksOption = Annotated[
    int | None, typer.Option(help="Re-asks after an answer fails validation.")
]
StrictOption = Annotated[
    bool, typer.Option(help="Fail a document instead of dropping ungrounded events.")
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        help="Where the model file and caches live (default: SUMMARIZER_CACHE_DIR or the user cache)."
    ),
]
DateOption = Annotated[
    str | None, typer.Option(help="Publication date YYYY-MM-DD (overrides the documents').")
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="With -o and --no-model: processes summarising at once (default: the usable cores).",
    ),
]
ThreadsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="The embedded model's threads (default: the usable cores less those other work keeps busy).",
    ),
]
DebugOption = Annotated[bool, typer.Option(help="Show tracebacks.")]
