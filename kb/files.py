"""Write a file whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """Yield a temporary file beside path that replaces it, fsynced, when the block ends."""
    # Same folder, so os.replace is a rename within one file system; the `.tmp` suffix is what
    # a reader skips and a sweep may remove after a crash.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private; the web server may run as another user and must read it.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def replace_bytes(path: Path, data: bytes) -> None:
    """Replace path's content with data, whole or not at all."""
    with replacing(path) as fh:
        fh.write(data)
