"""Which entries of a bundle folder are document files, and which are odd or orphaned."""

from __future__ import annotations

from pathlib import Path

from kb.ingest.formats import format_for
from kb.ingest.records import Problem


def iter_files(root: Path, part: str):
    """Yield the document files under material/ or reflections/, sidecars and hidden files left out."""
    folder = root / part
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(root).parts
        if any(p.startswith(".") for p in rel) or path.is_dir() and not format_for(path.name):
            continue
        if path.name.endswith((".yaml", ".yml")) and format_for(path.name[: -len(path.suffix)]):
            continue
        yield path


def odd_file(path: Path) -> str | None:
    """Say why a bundle entry is not a readable file (FIFO, broken link, folder), else None."""
    if path.is_symlink() and not path.exists():
        return "a symbolic link to nothing; skipped"
    if path.is_dir():
        return "a folder named like a file; skipped"
    if not path.is_file():
        return "not a regular file (a pipe, socket or device); skipped"
    return None


def orphan_sidecars(root: Path) -> list[Problem]:
    """Report the sidecars whose document file is missing."""
    found: list[Problem] = []
    for part in ("material",):
        for sidecar in sorted((root / part).rglob("*.yaml")) if (root / part).is_dir() else []:
            target = sidecar.with_name(sidecar.name[: -len(".yaml")])
            if format_for(target.name) and not target.exists():
                found.append(
                    Problem(
                        sidecar.relative_to(root).as_posix(),
                        f"sidecar without its file {target.name}; ignored",
                        refused=False,
                    )
                )
    return found
