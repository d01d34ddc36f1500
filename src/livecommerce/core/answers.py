"""How a command answers a refused input (DESIGN.md: Bad input): the reason, every problem on a line of its own
(file, row, column, value, rule), exit code 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from livecommerce.core.errors import LiveCommerceError

_errors = Console(stderr=True)


@contextmanager
def answering(errors: Console | None = None) -> Iterator[None]:
    """Exit 2 with the reason, and every problem on a line of its own, when the input is refused."""
    out = errors or _errors
    try:
        yield
    except LiveCommerceError as exc:
        out.print(f"[red]{escape(str(exc))}[/red]", highlight=False, soft_wrap=True)
        for problem in getattr(exc, "problems", []):
            out.print(f"  - {escape(str(problem))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
