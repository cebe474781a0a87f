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
    str | None,
    typer.Option(
        help="OpenAI-compatible endpoint (default: SUMMARIZER_BASE_URL, else OPENAI_BASE_URL, "
        "else the embedded model)."
    ),
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option(help="The endpoint's API key (default: OPENAI_API_KEY).", show_default=False),
]
TemperatureOption = Annotated[
    float | None, typer.Option(min=0.0, max=2.0, help="Sampling temperature (default 0).")
]
TimeoutOption = Annotated[
    float | None,
    typer.Option("--timeout", min=0.001, help="Seconds one model call may take (default 120)."),
]
ContextTokensOption = Annotated[
    int | None,
    typer.Option(
        min=512,
        help="The model's context in tokens (default: what the server reports, else 4096).",
    ),
]
SeedOption = Annotated[int | None, typer.Option(help="Sampling seed, for servers that take one.")]
ModelOption = Annotated[
    str | None, typer.Option(help="The model's name at --base-url (or in Batch API requests).")
]
ModelPathOption = Annotated[
    str | None,
    typer.Option(
        help="Another GGUF for the embedded backend: a file, or hf:OWNER/REPO/FILE"
        "[@REVISION][#sha256=HEX] from the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN)."
    ),
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
CacheOption = Annotated[
    bool,
    typer.Option("--cache/--no-cache", help="Replay repeated model calls from the response cache."),
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
