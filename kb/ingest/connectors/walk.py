"""List a source folder by folder, skipping the subtrees whose folder ETag says nothing
below them changed (Nextcloud), and keeping those that could not be listed as they were."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.ingest.connectors.base import RemoteEntry, Source, SourceError
from kb.ingest.connectors.mapping import is_hidden
from kb.ingest.connectors.state import Seen
from kb.ingest.records import Problem


@dataclass
class Listing:
    """What a walk found: files by path, folder ETags, and the subtrees taken as they were."""

    files: dict[str, RemoteEntry] = field(default_factory=dict)
    folders: dict[str, str | None] = field(default_factory=dict)
    # Folders whose whole subtree is as the last sync saw it (unchanged, or not listable now).
    kept: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    listed: int = 0

    def is_kept(self, path: str) -> bool:
        """Tell whether a path lies in a subtree taken as it was."""
        return any(path.startswith(folder + "/") for folder in self.kept)


def walk(source: Source, seen: dict[str, Seen]) -> Listing:
    """List every folder that may have changed; raise SourceError when the root cannot be."""
    out = Listing()
    queue = [""]
    while queue:
        folder = queue.pop()
        try:
            me, children = source.list_folder(folder)
        except SourceError as exc:
            if not folder:
                raise
            out.kept.append(folder)
            out.problems.append(
                Problem(f"{source.name}/{folder}", f"could not be listed ({exc}); kept as it was")
            )
            continue
        out.listed += 1
        out.folders[folder] = me.etag
        for child in children:
            if is_hidden(child.path):
                continue
            if not child.is_folder:
                out.files[child.path] = child
                continue
            before = seen.get(child.path)
            if (
                source.folder_etags
                and before is not None
                and before.is_folder
                and before.etag is not None
                and before.etag == child.etag
            ):
                out.kept.append(child.path)
                out.folders.update(
                    {p: s.etag for p, s in seen.items() if s.is_folder and _below(p, child.path)}
                )
            else:
                queue.append(child.path)
    return out


def _below(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")
