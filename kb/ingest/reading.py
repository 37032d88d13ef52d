"""One file read here, in a sandbox child (kb.ingest.sandbox_child): the answer it sends
back, or why the file could not be read."""

from __future__ import annotations

from kb.ingest import formats
from kb.ingest.extract import ExtractionError

# Set when a parser ran out of memory: the child answers and exits, whatever it was doing.
_retiring = False


def retiring() -> bool:
    """Tell whether a parser ran out of memory in this process (it must not read on)."""
    return _retiring


def answer(fmt: str, data: bytes, task: str = "text", page: int = 0) -> dict:
    """Do one task on one file's bytes (sniffed already): its answer, or why it could not."""
    global _retiring
    try:
        found = formats.answer(task, fmt, data, page)
    except MemoryError:
        _retiring = True
        return {"ok": False, "reason": "memory", "retire": True}
    except Exception as exc:
        return failure(exc)
    # Lone surrogates from a broken text layer cannot travel as UTF-8: replace them.
    for key in ("text", "title"):
        if found.get(key) is not None:
            found[key] = _utf8(found[key])
    if "pages" in found:
        found["pages"] = [_utf8(page) for page in found["pages"]]
    return {"ok": True, **found}


def out_of_memory() -> dict:
    """Return the answer of a file that took more memory than the child has, and retire."""
    global _retiring
    _retiring = True
    return {"ok": False, "reason": "memory", "retire": True}


def failure(exc: Exception) -> dict:
    """Return the answer that says why a file could not be read (its fault, not kb's)."""
    if isinstance(exc, ExtractionError):
        return {"ok": False, "reason": exc.reason, "message": str(exc)}
    if isinstance(exc, RecursionError):
        return {
            "ok": False,
            "reason": "damaged",
            "message": "is damaged (nested too deeply to read)",
        }
    # Any parser's failure is the file's, and ends here.
    detail = f"{type(exc).__name__}: {exc}"[:200]
    return {"ok": False, "reason": "damaged", "message": f"is damaged ({detail})"}


def _utf8(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")
