"""`python -m livecommerce` is the `livecommerce` command."""

from livecommerce.cli import app

app()
