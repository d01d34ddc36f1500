"""Uploaded files are kept under the home's uploads/ directory: the batch's source stays on record."""

from __future__ import annotations

import re
import secrets
import shutil
from datetime import datetime
from pathlib import Path

from fastapi import UploadFile

from livecommerce.core.db import ensure_home
from livecommerce.core.errors import UnreadableInput
from livecommerce.core.timeutil import SHANGHAI


def _safe_name(name: str) -> str:
    """A file name without directories or odd characters (Chinese letters are kept)."""
    base = Path(name or "upload").name
    return re.sub(r"[^\w.\-]+", "_", base)[:120] or "upload"


def save_uploads(files: list[UploadFile]) -> tuple[list[Path], list[str]]:
    """Write uploads to uploads/<timestamp>-<random>/; returns their paths and original names."""
    if not files:
        raise UnreadableInput("no file uploaded")
    folder = ensure_home().uploads_dir / f"{datetime.now(SHANGHAI):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    folder.mkdir(parents=True)
    paths, names = [], []
    for upload in files:
        name = _safe_name(upload.filename or "upload")
        target = folder / name
        with target.open("wb") as handle:
            shutil.copyfileobj(upload.file, handle, length=1 << 20)
        paths.append(target)
        names.append(upload.filename or name)
    return paths, names
