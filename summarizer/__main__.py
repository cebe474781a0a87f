"""``python -m summarizer``: the ``summarise`` command."""

from .cli import main

main()
