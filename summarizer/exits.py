"""The exit codes of every ``summarise`` command, in one table keyed by exception class.

  0  every document summarised
  1  an unexpected internal error (a bug: run again with --debug and report it)
  2  bad usage or configuration (unknown option, missing model, bad prompt folder)
  3  bad input (missing, empty, binary or undecodable file, bad date, bad JSON line)
  4  the model backend failed (unreachable, timed out, refused the key)
  5  the model never gave a valid answer
  6  eval: a metric fell below --fail-under or regressed against --baseline
  7  the results could not be written (disk full, a device or folder refusing, the
     output file held by another run, standard output closed)
130  interrupted
"""

from __future__ import annotations

from .errors import (
    BackendError,
    ConfigError,
    InputError,
    InvalidOutput,
    SummarizerError,
    WriteError,
)

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_INPUT, EXIT_BACKEND, EXIT_OUTPUT, EXIT_GATE = (
    0,
    1,
    2,
    3,
    4,
    5,
    6,
)
EXIT_WRITE = 7
EXIT_INTERRUPTED = 130

# the most specific class an error is an instance of decides (see ``exit_code``)
EXIT_CODES: dict[type[BaseException], int] = {
    InputError: EXIT_INPUT,
    ConfigError: EXIT_USAGE,
    BackendError: EXIT_BACKEND,
    InvalidOutput: EXIT_OUTPUT,
    WriteError: EXIT_WRITE,
    SummarizerError: EXIT_OUTPUT,  # budget exceeded, grounding failed (strict)
    KeyboardInterrupt: EXIT_INTERRUPTED,
}


def exit_code(error: BaseException | type[BaseException]) -> int:
    """The code of an error (or its class): the entry of the nearest class in its MRO."""
    kind = error if isinstance(error, type) else type(error)
    for cls in kind.__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return EXIT_BUG


def error_class(name: str) -> type[SummarizerError] | None:
    """The library's error class of that name (as batch and eval records name them)."""
    pending: list[type[SummarizerError]] = [SummarizerError]
    while pending:
        cls = pending.pop()
        if cls.__name__ == name:
            return cls
        pending.extend(cls.__subclasses__())
    return None


def recorded_exit_code(name: str) -> int:
    """The code of an error recorded by its class name; a name the library doesn't raise
    (a failure it caught and recorded) counts as a failed output."""
    cls = error_class(name)
    return exit_code(cls) if cls is not None else EXIT_OUTPUT
