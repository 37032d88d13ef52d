"""Turn the bytes of a shared file into plain text, whatever its format.

Everything here treats the bytes as hostile: the type is told from the content, never the
name (`identify`, `sniff`), a DOCX is inspected for zip bombs before it is opened, and the
limits are constants below. The parsers themselves run in a limited child process
(kb.ingest.sandbox); this module is what that child imports, so it stays light: no torch,
no faiss, no whoosh, and the parsers are imported only when used.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
from pathlib import Path

from kb.ingest.formats import FORMATS, NAMES, TEXT_FORMATS
from kb.limits import (
    MAX_FILE_BYTES,
    MAX_ZIP_DIRECTORY,
    MAX_ZIP_ENTRIES,
    MAX_ZIP_RATIO,
    MAX_ZIP_UNCOMPRESSED,
    ZIP_RATIO_FLOOR,
)

# What a file really is, told from its first bytes; used in messages ("is really a PDF").
KINDS = {
    "pdf": "a PDF",
    "docx": "a Word document (DOCX)",
    "xlsx": "an Excel workbook (XLSX)",
    "pptx": "a PowerPoint presentation (PPTX)",
    "opendocument": "an OpenDocument file",
    "zip": "a zip archive",
    "doc": "an old Office document (DOC, XLS or PPT)",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "exe": "a Windows program",
    "elf": "a program",
    "gzip": "a gzip archive",
    "rar": "a RAR archive",
    "7z": "a 7-Zip archive",
    "binary": "binary data",
    "text": "text",
    "empty": "empty",
}
MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"MZ", "exe"),
    (b"\x7fELF", "elf"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)
BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# Control characters no text file holds (tab, line feed, form feed, carriage return and
# escape are fine).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
# Names Windows keeps for devices, whatever the extension: no file can have them there, and an
# exported bundle may well be opened on a school's Windows computer.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    EOFError,
    struct.error,
    NotImplementedError,
    RuntimeError,
)


class ExtractionError(ValueError):
    """A file kb will not read; the message says why, in words for the person who sent it.

    `reason` sorts the refusals: mismatch (not what its name says), damaged, too_large,
    bomb (a zip that would unpack to far more than it is), timeout, memory, outside (a link
    out of the bundle), encrypted (a PDF behind a password), busy and unavailable (kb's
    reader processes were all taken, or could not be used: the file's fault in neither case).
    """

    def __init__(self, message: str, reason: str = "damaged") -> None:
        super().__init__(message)
        self.reason = reason


def format_for(filename: str) -> str | None:
    """Return the kb format of a file name, or None when kb cannot read it."""
    lower = filename.lower()
    for ext, fmt in FORMATS.items():
        if lower.endswith(ext):
            return fmt
    return None


def decode_text(data: bytes) -> str:
    """Decode text files: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def text_media_type(media_type: str, data: bytes) -> str:
    """Return a text file's media type with the charset its bytes are in (as decode_text reads)."""
    base = media_type.split(";", 1)[0].strip()
    if not base.startswith("text/"):
        return media_type
    charset = "windows-1252"
    for bom, codec in BOMS:
        if data.startswith(bom):
            charset = {"utf-8-sig": "utf-8"}.get(codec, codec)
            break
    else:
        try:
            data.decode("utf-8")
            charset = "utf-8"
        except UnicodeDecodeError:
            pass
    return f"{base}; charset={charset}"


def megabytes(size: int) -> str:
    """Write a size in megabytes as people read them: 20 MB, 20.3 MB."""
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"


def too_large(message: str) -> ExtractionError:
    """Return the refusal of a file that is over one of kb's limits."""
    return ExtractionError(message, reason="too_large")


def check_size(size: int) -> None:
    """Refuse a file larger than MAX_FILE_BYTES."""
    if size > MAX_FILE_BYTES:
        limit = megabytes(MAX_FILE_BYTES)
        raise too_large(f"is {megabytes(size)}, larger than the {limit} kb accepts; refused")


def check_file(path: Path, root: Path) -> None:
    """Refuse a bundle file before reading it: too large, not a plain file, or a link that
    leads out of the bundle (a bundle from outside must not read the server's own files)."""
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise ExtractionError("is a link to a file outside the bundle; refused", reason="outside")
    status = real.stat()
    if not stat.S_ISREG(status.st_mode):
        raise ExtractionError("is not a regular file; refused", reason="mismatch")
    check_size(status.st_size)


# ---------------------------------------------------------------- what a file really is
def _zip_directory(data: bytes) -> tuple[int, int]:
    """Return (entries, directory bytes) from a zip's end record, without parsing the entries."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        raise zipfile.BadZipFile("no end of central directory")
    entries, size = struct.unpack_from("<HI", data, end + 10)
    if (
        (entries == 0xFFFF or size == 0xFFFFFFFF)
        and end >= 20
        and data[end - 20 : end - 16] == b"PK\x06\x07"
    ):
        (offset,) = struct.unpack_from("<Q", data, end - 12)
        if data[offset : offset + 4] == b"PK\x06\x06" and len(data) >= offset + 56:
            entries, size = struct.unpack_from("<QQ", data, offset + 32)
    return entries, size


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a zip package, refusing one whose directory alone is too big to read safely."""
    entries, size = _zip_directory(data)
    if entries > MAX_ZIP_ENTRIES or size > MAX_ZIP_DIRECTORY:
        raise ExtractionError(
            f"is a zip package of {entries} parts; a DOCX has far fewer "
            f"(at most {MAX_ZIP_ENTRIES} accepted); refused",
            reason="bomb",
        )
    package = zipfile.ZipFile(io.BytesIO(data))
    if len(package.infolist()) > MAX_ZIP_ENTRIES:
        raise ExtractionError(
            f"is a zip package of more than {MAX_ZIP_ENTRIES} parts; refused", reason="bomb"
        )
    return package


def _identify_zip(data: bytes) -> str:
    try:
        with open_zip(data) as package:
            names = set(package.namelist())
            small = "mimetype" in names and package.getinfo("mimetype").file_size < 200
            mimetype = package.read("mimetype") if small else b""
    except (ExtractionError, *ZIP_ERRORS):
        # Too many parts to list, or a broken directory: still say what it claims to be, so
        # a DOCX is refused as the bomb or the damaged package it is, not as "a zip".
        return "docx" if b"word/document.xml" in data and b"[Content_Types].xml" in data else "zip"
    if "[Content_Types].xml" in names:
        for part, kind in (
            ("word/document.xml", "docx"),
            ("xl/workbook.xml", "xlsx"),
            ("ppt/presentation.xml", "pptx"),
        ):
            if part in names:
                return kind
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return "opendocument"
    return "zip"


def _looks_binary(data: bytes) -> bool:
    sample = data[:65_536]
    if not any(sample.startswith(bom) for bom, _ in BOMS[1:]) and b"\x00" in sample:
        return True
    text = decode_text(sample)
    if len(sample) == 65_536:
        text = text[:-2]  # a character cut in half at the end of the sample is not binary
    return len(CONTROL.findall(text)) > max(8, len(text) // 100)


def identify(data: bytes) -> str:
    """Tell what a file really is from its bytes: a key of KINDS."""
    if not data:
        return "empty"
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _identify_zip(data)
    if not _looks_binary(data):
        return "text"
    return next((kind for magic, kind in MAGIC if data.startswith(magic)), "binary")


def check_docx_package(data: bytes) -> None:
    """Refuse a DOCX that is not a Word package, or would unpack into far more than it is."""
    try:
        with open_zip(data) as package:
            infos = package.infolist()
    except ExtractionError:
        raise
    except ZIP_ERRORS as exc:
        raise ExtractionError(f"is damaged (not a readable zip package: {exc})") from exc
    names = {info.filename for info in infos}
    missing = [n for n in ("[Content_Types].xml", "word/document.xml") if n not in names]
    if missing:
        raise ExtractionError(
            f"is not a DOCX: a zip package without {' or '.join(missing)}; refused",
            reason="mismatch",
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_ZIP_UNCOMPRESSED:
        raise ExtractionError(
            f"would unpack to {megabytes(total)} (at most {megabytes(MAX_ZIP_UNCOMPRESSED)} "
            "accepted); a zip bomb? refused",
            reason="bomb",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > ZIP_RATIO_FLOOR and ratio > MAX_ZIP_RATIO:
            raise ExtractionError(
                f"has a part ({info.filename}) that unpacks {ratio:.0f} times larger than it "
                f"is (at most {MAX_ZIP_RATIO} accepted); a zip bomb? refused",
                reason="bomb",
            )


def sniff(fmt: str, data: bytes) -> None:
    """Check the content is the claimed format, from its bytes, not its name; raise if not.

    Cheap and bounded whatever the bytes: safe to run in the server process itself.
    """
    check_size(len(data))
    actual = identify(data)
    expected = "text" if fmt in TEXT_FORMATS else fmt
    if actual == "empty":
        if fmt in TEXT_FORMATS:
            return
        raise ExtractionError(f"is empty, not {NAMES[fmt]}; refused", reason="mismatch")
    if actual != expected:
        raise ExtractionError(
            f"is not {NAMES.get(fmt, fmt)}: it is really {KINDS[actual]} "
            "(told from its content, not its name); refused",
            reason="mismatch",
        )
    if fmt == "pdf" and b"%%EOF" not in data[-4096:]:
        raise ExtractionError(
            "is damaged (the PDF stops before its end, with no %%EOF: a broken download or copy?)"
        )
    if fmt == "docx":
        check_docx_package(data)


# ---------------------------------------------------------------- the readers
