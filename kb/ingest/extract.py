"""What the bytes of a file from outside really are, told safely whatever the format.

Everything here treats the bytes as hostile: the type is told from the content, never the
name (`identify`), a zip package is inspected for bombs before it is opened
(`check_zip_package`), and the limits are in kb.limits. The formats (kb.ingest.formats) build
on these; the sandbox child imports this module, so it stays light: no torch, no faiss, no
whoosh, and no parser.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
from pathlib import Path

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
    "odt": "an OpenDocument text (ODT)",
    "ods": "an OpenDocument spreadsheet (ODS)",
    "odp": "an OpenDocument presentation (ODP)",
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

    def __init__(self, message: str, reason: str = "damaged", actual: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.actual = actual  # a mismatch: what the bytes really are (a key of KINDS)


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
            f"is a zip package of {entries} parts; a document has far fewer "
            f"(at most {MAX_ZIP_ENTRIES} accepted); refused",
            reason="bomb",
        )
    package = zipfile.ZipFile(io.BytesIO(data))
    if len(package.infolist()) > MAX_ZIP_ENTRIES:
        raise ExtractionError(
            f"is a zip package of more than {MAX_ZIP_ENTRIES} parts; refused", reason="bomb"
        )
    return package


# Office packages: a part each kind has beside [Content_Types].xml.
OFFICE_PARTS = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
)
# OpenDocument packages: the kind their first part, `mimetype`, names.
ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_ODF_MIMETYPE = re.compile(rb"mimetype(application/vnd\.oasis\.opendocument\.[a-z.-]+)")


def _opendocument(mimetype: bytes) -> str | None:
    if not mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return None
    return ODF_TYPES.get(mimetype.strip(), "opendocument")


def _claimed_zip(data: bytes) -> str:
    """Say what a zip that cannot be listed claims to be, from the names in its bytes."""
    if b"[Content_Types].xml" in data:
        for part, kind in OFFICE_PARTS:
            if part.encode() in data:
                return kind
    match = _ODF_MIMETYPE.search(data, 30, 300)
    return (_opendocument(match.group(1)) if match else None) or "zip"


def _identify_zip(data: bytes) -> str:
    try:
        with open_zip(data) as package:
            names = set(package.namelist())
            small = "mimetype" in names and package.getinfo("mimetype").file_size < 200
            mimetype = package.read("mimetype") if small else b""
    except (ExtractionError, *ZIP_ERRORS):
        # Too many parts to list, or a broken directory: still say what it claims to be, so
        # a DOCX is refused as the bomb or the damaged package it is, not as "a zip".
        return _claimed_zip(data)
    if "[Content_Types].xml" in names:
        for part, kind in OFFICE_PARTS:
            if part in names:
                return kind
    return _opendocument(mimetype) or "zip"


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


# The start of each XML part looked at for a DOCTYPE: where the prolog of any real one ends.
XML_PROLOG = 4096
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_zip_package(data: bytes, required: tuple[str, ...], noun: str) -> None:
    """Refuse a zip package that lacks a `required` part, would unpack into far more than it
    is, or holds an XML part declaring a DOCTYPE (no Office or OpenDocument program writes
    one; it is how XML entity bombs and external entities come in)."""
    try:
        with open_zip(data) as package:
            infos = package.infolist()
            _check_sizes(infos, required, noun)
            _check_prologs(package, infos)
    except ExtractionError:
        raise
    except ZIP_ERRORS as exc:
        raise ExtractionError(f"is damaged (not a readable zip package: {exc})") from exc


def _check_sizes(infos: list[zipfile.ZipInfo], required: tuple[str, ...], noun: str) -> None:
    names = {info.filename for info in infos}
    missing = [n for n in required if n not in names]
    if missing:
        raise ExtractionError(
            f"is not {noun}: a zip package without {' or '.join(missing)}; refused",
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


def _check_prologs(package: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        with package.open(info) as part:
            prolog = part.read(XML_PROLOG)
        if _DOCTYPE.search(prolog):
            raise ExtractionError(
                f"has a part ({info.filename}) that declares a DOCTYPE, which no document "
                "program writes (an XML entity attack?); refused",
                reason="damaged",
            )
