"""Hostile files: refused quickly with a clear message, nothing stored, the server unharmed.

The bombs are built here, in memory or in tmp_path: a PDF whose one content stream inflates
from 1 MB to 1 GB, a DOCX whose document.xml does the same, a zip of thousands of parts.
Every refusal must come within 10 s, and the test process's own peak memory must not move:
the parsing happens in kb.ingest.sandbox's child process, never in the caller.
"""

from __future__ import annotations

import io
import os
import re
import resource
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kb.app import create_app
from kb.features.share.queries import share_material
from kb.ingest import formats
from kb.ingest.export import ExportError, safe_target
from kb.ingest.extract import ExtractionError
from kb.ingest.formats import markdown
from kb.ingest.sandbox import extract_text_safely
from kb.limits import MAX_FILE_BYTES
from kb.models import Document
from tests.files import make_docx, make_pdf
from tests.helpers import log_in, post_form

GB = 1 << 30
MB = 1 << 20


# ---------------------------------------------------------------- making hostile files


def deflated_zeros(size: int) -> tuple[bytes, int]:
    """Return (raw deflate data, CRC-32) of `size` zero bytes, compressed about 1000 times.

    Each megabyte compresses to the same bytes after a full flush, so 1 GB takes
    milliseconds to build instead of seconds to compress.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(MB)
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // MB):
        crc = zlib.crc32(zeros, crc)
    return block * (size // MB) + packer.flush(), crc


def zlib_zeros(size: int) -> bytes:
    """A zlib stream (as a PDF's /FlateDecode wants it) of `size` zero bytes."""
    raw, _ = deflated_zeros(size)
    adler = ((size % 65521) << 16) | 1  # Adler-32 of zeros: a stays 1, b counts them
    return b"\x78\xda" + raw + struct.pack(">I", adler)


def pdf_with_stream(stream: bytes) -> bytes:
    """A one-page PDF whose content stream is `stream`, flate-compressed, with a sound xref."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zip_package(
    parts: list[tuple[str, bytes]],
    raw: tuple[str, bytes, int, int] | None = None,
) -> bytes:
    """Write a zip by hand: stored parts, plus one deflated part given as (name, data, size,
    crc) that may be a bomb. Its sizes are written as given, true or not."""
    entries = [(name, data, 0, len(data), zlib.crc32(data)) for name, data in parts]
    if raw:
        name, data, size, crc = raw
        entries.append((name, data, 8, size, crc))
    out, directory = bytearray(), bytearray()
    for name, data, method, size, crc in entries:
        encoded = name.encode()
        fields = struct.pack(
            "<HHHHHIIIHH", 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0
        )
        directory += (
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + fields
            + struct.pack("<HHHII", 0, 0, 0, 0, len(out))
            + encoded
        )
        out += b"PK\x03\x04" + fields + encoded + data
    return bytes(
        out
        + directory
        + b"PK\x05\x06"
        + struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    )


def docx_parts() -> list[tuple[str, bytes]]:
    """The parts of a sound DOCX, to build hostile ones from."""
    with zipfile.ZipFile(io.BytesIO(make_docx("Hej."))) as package:
        return [(info.filename, package.read(info)) for info in package.infolist()]


def docx_bomb(size: int = GB) -> bytes:
    """A DOCX whose word/document.xml inflates from about 1 MB to `size` bytes."""
    data, crc = deflated_zeros(size)
    parts = [p for p in docx_parts() if p[0] != "word/document.xml"]
    return zip_package(parts, ("word/document.xml", data, size, crc))


PDF_BOMB_SIZE = GB


@pytest.fixture(scope="module")
def pdf_bomb() -> bytes:
    return pdf_with_stream(zlib_zeros(PDF_BOMB_SIZE))


@pytest.fixture(scope="module")
def sound_pdf() -> bytes:
    return make_pdf("Ordet fladdermusholk finns i den här PDF:en.")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def refused(fmt: str, data: bytes, **limits) -> tuple[ExtractionError, float]:
    """Read hostile bytes the safe way; return the refusal and the seconds it took."""
    started = time.monotonic()
    with pytest.raises(ExtractionError) as caught:
        extract_text_safely(fmt, data, **limits)
    return caught.value, time.monotonic() - started


# ---------------------------------------------------------------- bombs
def test_a_pdf_decompression_bomb_is_refused_within_10_seconds_and_512_mb(pdf_bomb):
    assert len(pdf_bomb) < 2 * MB  # 1 GB of content once inflated
    before = peak_mb()
    error, seconds = refused("pdf", pdf_bomb)
    assert error.reason == "memory"
    assert str(error) == "needs more than 512 MB to read; refused"
    assert seconds < 10
    assert peak_mb() - before < 50  # read in the child; the caller's memory never saw it
    assert sandbox_peak_mb("pdf", pdf_bomb) <= 512


def sandbox_peak_mb(fmt: str, data: bytes) -> float:
    """Read data safely in a fresh process; return the peak memory of the reader it started.

    A fresh process, because RUSAGE_CHILDREN keeps the peak of every child this test process
    ever waited for (live servers and model runs of other tests included).
    """
    script = (
        "import resource, sys\n"
        "from kb.ingest.sandbox import extract_text_safely\n"
        "from kb.ingest.extract import ExtractionError\n"
        "try:\n"
        "    extract_text_safely(sys.argv[1], sys.stdin.buffer.read())\n"
        "except ExtractionError:\n"
        "    pass\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, fmt], input=data, capture_output=True, check=True
    )
    return float(done.stdout.decode().split()[-1])


def test_a_docx_zip_bomb_is_refused_quickly_before_it_is_unpacked():
    bomb = docx_bomb()
    before = peak_mb()
    error, seconds = refused("docx", bomb)
    assert error.reason == "bomb"
    assert re.fullmatch(
        r"would unpack to 102\d(\.\d)? MB \(at most 50 MB accepted\); "
        r"a zip bomb\? refused",
        str(error),
    )
    assert seconds < 1
    assert peak_mb() - before < 50


def test_a_docx_with_one_part_that_expands_a_thousand_times_is_refused():
    data, crc = deflated_zeros(20 * MB)  # a total under 50 MB, but one 20 KB part -> 20 MB
    error, _ = refused(
        "docx", zip_package(docx_parts(), ("word/media/image1.png", data, 20 * MB, crc))
    )
    assert error.reason == "bomb"
    assert "word/media/image1.png" in str(error) and "times larger" in str(error)


def test_a_docx_of_thousands_of_parts_is_refused_before_its_directory_is_read():
    parts = docx_parts() + [(f"word/media/{i}.bin", b"") for i in range(20_000)]
    error, seconds = refused("docx", zip_package(parts))
    assert error.reason == "bomb"
    assert "20017 parts" in str(error)
    assert seconds < 1


def test_a_docx_that_lies_about_its_sizes_is_refused_as_damaged():
    data, crc = deflated_zeros(200 * MB)
    parts = [p for p in docx_parts() if p[0] != "word/document.xml"]
    # The directory says 2 KB; the data inflates to 200 MB. zipfile stops at 2 KB.
    liar = zip_package(parts, ("word/document.xml", data, 2048, crc))
    error, seconds = refused("docx", liar)
    assert error.reason == "damaged"
    assert str(error).startswith("is damaged (")
    assert seconds < 10


def test_a_docx_with_an_xml_entity_bomb_is_read_without_expanding_it():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "hahahahaha">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
        '2006/main"><w:body><w:p><w:r><w:t>Hej &j;</w:t></w:r></w:p></w:body>'
        "</w:document>"
    ).encode()
    parts = [(n, laughs if n == "word/document.xml" else d) for n, d in docx_parts()]
    started = time.monotonic()
    try:
        text = extract_text_safely("docx", zip_package(parts))
    except ExtractionError as error:  # refusing it is as good as reading it unexpanded
        assert error.reason in ("damaged", "memory")
    else:
        assert len(text) < 1000
    assert time.monotonic() - started < 10


def test_markdown_that_takes_too_long_is_refused_when_its_time_is_up():
    error, seconds = refused("md", b"[" * 2_000_000, timeout=2)  # quadratic in markdown-it
    assert error.reason == "timeout"
    assert str(error) == "took longer than 2 s to read; refused"
    assert seconds < 4


def test_markdown_too_slow_to_show_on_every_page_view_is_refused(monkeypatch):
    # Every view of a document renders its Markdown again: reading it within the 10 s is not
    # enough, it must render within MARKDOWN_BUDGET (2 s). Shrunk here to keep the test fast.
    monkeypatch.setattr(markdown, "MARKDOWN_BUDGET", 0.05)
    with pytest.raises(ExtractionError) as caught:
        formats.extract_text("md", b"[" * 100_000)  # about 0.8 s
    assert caught.value.reason == "timeout"
    assert re.fullmatch(
        r"is Markdown that takes \d+\.\d s to render \(at most 0.05 s accepted\); "
        r"refused",
        str(caught.value),
    )


# ---------------------------------------------------------------- type from content
@pytest.mark.parametrize(
    ("fmt", "make", "really"),
    [
        ("docx", lambda: make_pdf("Hej."), "it is really a PDF"),
        ("pdf", lambda: make_docx("Hej."), "it is really a Word document (DOCX)"),
        ("docx", lambda: zip_package([("notes.txt", b"hej")]), "it is really a zip archive"),
        (
            "docx",
            lambda: zip_package(
                [("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")]
            ),
            "it is really an Excel workbook (XLSX)",
        ),
        ("pdf", lambda: os.urandom(4096), "it is really binary data"),
        ("pdf", lambda: "Det här är text, ingen PDF.".encode(), "it is really text"),
        ("txt", lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "it is really a PNG image"),
        ("md", lambda: b"# Rubrik\x00\x00\x00" + os.urandom(2000), "it is really binary data"),
        ("html", lambda: make_pdf("Hej."), "it is really a PDF"),
    ],
    ids=[
        "pdf-named-docx",
        "docx-named-pdf",
        "zip-named-docx",
        "xlsx-named-docx",
        "random-bytes-named-pdf",
        "text-named-pdf",
        "png-named-txt",
        "binary-named-md",
        "pdf-named-html",
    ],
)
def test_a_file_is_judged_by_its_content_not_its_name(fmt, make, really):
    error, seconds = refused(fmt, make())
    assert error.reason == "mismatch"
    assert really in str(error) and str(error).endswith("refused")
    assert seconds < 1


def test_a_pdf_renamed_docx_is_refused_as_a_pdf(sound_pdf):
    error, _ = refused("docx", sound_pdf)
    assert str(error).startswith("is not a DOCX: it is really a PDF")


def test_a_truncated_pdf_is_refused_with_a_clear_message(sound_pdf):
    error, _ = refused("pdf", sound_pdf[: len(sound_pdf) // 2])
    assert error.reason == "damaged"
    assert str(error).startswith("is damaged (the PDF stops before its end")


def test_a_pdf_with_a_garbled_body_is_refused_as_damaged():
    garbled = b"%PDF-1.7\n" + os.urandom(50_000).replace(b"%%EOF", b"") + b"\n%%EOF\n"
    error, _ = refused("pdf", garbled)
    assert error.reason == "damaged"
    assert str(error).startswith("is damaged (PDFium")


def test_a_zip_with_a_broken_directory_named_docx_is_refused_as_damaged():
    package = make_docx("Hej.")
    error, _ = refused("docx", package[:-30])  # the end record cut off
    assert str(error).startswith("is damaged (not a readable zip package")


def test_a_password_protected_pdf_is_refused_with_a_message_saying_so():
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt="hemligt")
    pdf.drawString(72, 800, "Hemlig plan.")
    pdf.showPage()
    pdf.save()
    error, _ = refused("pdf", out.getvalue())
    assert error.reason == "encrypted"
    assert str(error) == "is a password-protected PDF, which kb cannot read; refused"


def test_a_file_holding_more_than_five_million_characters_is_refused():
    error, _ = refused("txt", b"lorem ipsum " * 500_000)  # 6 MB: under the size limit
    assert error.reason == "too_large"
    assert str(error) == "holds more than 5 million characters of text (some 2 500 pages); refused"


def test_sound_files_of_every_format_are_still_read(sound_pdf):
    assert "fladdermusholk" in extract_text_safely("pdf", sound_pdf)
    assert extract_text_safely("docx", make_docx("Ett", "Två")) == "Ett\nTvå"
    assert extract_text_safely("md", b"---\ntitle: x\n---\n# Rubrik\n\n*Text*") == "Rubrik\n\nText"
    assert extract_text_safely("html", b"<p>Hej <script>x()</script>du</p>") == "Hej du"
    assert extract_text_safely("txt", "Åäö i Windows-1252".encode("cp1252")) == (
        "Åäö i Windows-1252"
    )


def test_a_utf16_text_file_from_notepad_is_read_not_refused_as_binary():
    assert extract_text_safely("txt", "\ufeffLäsförståelse".encode("utf-16-le")) == (
        "Läsförståelse"
    )


def test_a_file_over_20_mb_is_refused_without_starting_a_reader():
    error, seconds = refused("txt", b"a" * (MAX_FILE_BYTES + 1))
    assert error.reason == "too_large"
    assert "larger than the 20 MB kb accepts" in str(error)
    assert seconds < 1


def test_reading_a_file_in_the_sandbox_costs_little_once_a_reader_is_running(sound_pdf):
    extract_text_safely("pdf", sound_pdf)  # the first file may start a reader (~0.2 s)
    started = time.monotonic()
    for _ in range(20):
        extract_text_safely("pdf", sound_pdf)
        extract_text_safely("md", b"# Hej\n\nText.")
    assert (time.monotonic() - started) / 40 < 0.1


def test_the_reader_process_stays_light_without_torch_faiss_whoosh_or_the_database():
    import subprocess
    import sys

    probe = (
        "import sys, kb.ingest.sandbox, docx, pypdfium2, markdown_it, inscriptis; "
        "print(' '.join(m for m in ('torch', 'faiss', 'whoosh', 'sqlalchemy', 'kb.search', "
        "'kb.service') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-P", "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    ).stdout.strip()
    assert found == ""


def test_files_read_from_many_threads_at_once_each_get_their_own_text():
    from concurrent.futures import ThreadPoolExecutor

    def read(n: int) -> str:
        return extract_text_safely("md", f"# Dokument {n}\n\nText nummer {n}.".encode())

    with ThreadPoolExecutor(8) as pool:
        texts = list(pool.map(read, range(40)))
    assert texts == [f"Dokument {n}\n\nText nummer {n}." for n in range(40)]


def test_when_every_reader_is_busy_a_file_is_turned_away_in_time_not_queued_forever():
    from concurrent.futures import ThreadPoolExecutor

    from kb.ingest.sandbox import MAX_CHILDREN

    slow = b"[" * 2_000_000
    with ThreadPoolExecutor(MAX_CHILDREN) as pool:
        busy = [pool.submit(refused, "md", slow, timeout=3) for _ in range(MAX_CHILDREN)]
        time.sleep(0.5)
        error, seconds = refused("md", b"# Hej", timeout=1)
        assert all(f.result()[0].reason == "timeout" for f in busy)
    assert error.reason == "busy" and "try again" in str(error)
    assert seconds < 2


def test_after_a_bomb_the_next_file_is_read_as_usual(pdf_bomb, sound_pdf):
    refused("pdf", pdf_bomb)
    assert "fladdermusholk" in extract_text_safely("pdf", sound_pdf)


# ---------------------------------------------------------------- bundles
def test_a_bad_file_in_a_bundle_leaves_the_rest_imported(make_kb, bundle, pdf_bomb, sound_pdf):
    bundle.doc("material/bra.md", "Boksamtal i årskurs 5.", authors=["anna.lind"])
    bundle.write("material/bra.pdf", sound_pdf)
    bundle.write("material/bra.docx", make_docx("Ett ordentligt dokument."))
    bundle.write("material/bomb.pdf", pdf_bomb)
    bundle.write("material/bomb.docx", docx_bomb())
    bundle.write("material/avkapad.pdf", sound_pdf[:600])
    bundle.write("material/slump.pdf", os.urandom(3000))
    bundle.write("material/egentligen-pdf.docx", sound_pdf)
    bundle.write("material/binar.md", b"\x00\x01\x02" * 1000)
    kb = make_kb()
    before = peak_mb()
    started = time.monotonic()
    report = kb.documents.ingest(bundle.root)
    assert time.monotonic() - started < 20
    assert peak_mb() - before < 100
    assert report.material.added == 3
    refusals = {p.source: p.reason for p in report.problems if p.refused}
    assert refusals == {
        "material/bomb.pdf": "needs more than 512 MB to read; refused",
        "material/bomb.docx": refusals["material/bomb.docx"],
        "material/avkapad.pdf": refusals["material/avkapad.pdf"],
        "material/slump.pdf": refusals["material/slump.pdf"],
        "material/egentligen-pdf.docx": refusals["material/egentligen-pdf.docx"],
        "material/binar.md": refusals["material/binar.md"],
    }
    assert "zip bomb" in refusals["material/bomb.docx"]
    assert refusals["material/avkapad.pdf"].startswith("is damaged")
    assert "really binary data" in refusals["material/slump.pdf"]
    assert "really a PDF" in refusals["material/egentligen-pdf.docx"]
    with kb.db.read() as session:
        stored = set(session.scalars(select(Document.source)))
    assert stored == {"material/bra.md", "material/bra.pdf", "material/bra.docx"}


def test_a_bundle_file_that_hangs_its_reader_is_refused_and_the_files_after_it_are_read(
    make_kb, bundle, monkeypatch
):
    import kb.ingest.readers as readers

    monkeypatch.setattr(readers, "TIMEOUT", 2.0)  # 10 s in use; shrunk to keep the test fast
    bundle.doc("material/a.md", "Boksamtal i årskurs 5.")
    bundle.write("material/b.md", b"[" * 2_000_000)  # quadratic in markdown-it
    bundle.doc("material/c.md", "Högläsning varje morgon.")
    started = time.monotonic()

    report = make_kb().documents.ingest(bundle.root)

    assert time.monotonic() - started < 20
    assert report.material.added == 2
    assert [(p.source, p.reason) for p in report.problems if p.refused] == [
        ("material/b.md", "took longer than 2 s to read; refused")
    ]


def test_a_bundle_file_over_20_mb_is_refused_without_being_read(make_kb, bundle, monkeypatch):
    big = bundle.write("material/jattestor.pdf", b"")
    with open(big, "r+b") as handle:  # sparse: 21 MB on paper, nothing on disk
        handle.truncate(21 * MB)
    read = Path.read_bytes

    def guarded(path):
        assert path != big, "the oversized file was read"
        return read(path)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    report = make_kb().documents.ingest(bundle.root)
    (problem,) = [p for p in report.problems if p.source == "material/jattestor.pdf"]
    assert problem.reason == "is 21 MB, larger than the 20 MB kb accepts; refused"


def test_a_link_out_of_the_bundle_is_refused_and_what_it_points_at_is_never_stored(
    make_kb, bundle, tmp_path
):
    secret = tmp_path / "server" / "hemlig.md"
    secret.parent.mkdir()
    secret.write_text("# Hemligt\n\nlösenordet är sommar2026\n", encoding="utf-8")
    (bundle.root / "material").mkdir(exist_ok=True)
    (bundle.root / "material" / "lank.md").symlink_to(secret)
    kb = make_kb()
    report = kb.documents.ingest(bundle.root)
    (problem,) = [p for p in report.problems if p.source == "material/lank.md"]
    assert problem.reason == "is a link to a file outside the bundle; refused"
    with kb.db.read() as session:
        assert session.scalar(select(func.count(Document.id))) == 0


# ---------------------------------------------------------------- names
@pytest.mark.parametrize(
    "source",
    [
        "../utanfor.md",
        "material/../../utanfor.md",
        "/etc/passwd",
        "material/a\x00b.md",
        "material/../../../tmp/x.md",
    ],
)
def test_a_source_that_would_leave_the_export_folder_is_refused(tmp_path, source):
    with pytest.raises(ExportError):
        safe_target(tmp_path / "export", source)


@pytest.mark.parametrize(
    "source",
    [
        "material/CON.md",
        "material/nul.txt",
        "material/AUX",
        "material/lpt1.pdf",
        "material/a\\..\\..\\b.md",
        "material/C:/windows.md",
        "material/…/ünïcödé och mellanslag.md",
    ],
)
def test_odd_but_relative_sources_stay_inside_the_export_folder(tmp_path, source):
    root = tmp_path / "export"
    root.mkdir()
    target = safe_target(root, source)
    assert target.resolve().is_relative_to(root.resolve())


def test_odd_file_names_in_a_bundle_export_inside_the_folder_and_nowhere_else(
    make_kb, bundle, tmp_path
):
    for name in ("CON.md", "a\\..\\..\\b.md", "ünïcödé och mellanslag.md", "dubbel..punkt.md"):
        bundle.doc(f"material/{name}", "Text.", authors=["anna.lind"])
    bundle.write("material/nul.txt", "Text.")
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    before = sorted(p.name for p in tmp_path.iterdir())
    export = tmp_path / "export"
    counts = kb.documents.export(export)
    assert counts["material"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before + ["export"])
    written = [p for p in export.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(export.resolve()) for p in written)


@pytest.mark.parametrize(
    "filename",
    [
        "../../../etc/passwd.md",
        "/etc/passwd.md",
        "a\x00b.md",
        "..\\..\\boot.md",
        "CON.md",
        "nul.md",
    ],
)
def test_an_uploaded_file_name_never_becomes_a_path(make_kb, bundle, filename):
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    source = share_material(
        kb, kb.people.viewer("anna.lind"), filename, b"# Hej\n\nText.", {"title": "Plan"}
    )
    assert re.fullmatch(r"material/uploads/plan-[0-9a-f]{6}\.md", source)


@pytest.mark.parametrize("title", ["CON", "nul", "Aux", "LPT1", "com9"])
def test_an_upload_titled_like_a_windows_device_gets_a_name_windows_can_hold(
    make_kb, bundle, title
):
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    source = share_material(
        kb, kb.people.viewer("anna.lind"), "x.md", b"# Hej\n\nText.", {"title": title}
    )
    assert re.fullmatch(rf"material/uploads/{title.lower()}-dokument-[0-9a-f]{{6}}\.md", source)


# ---------------------------------------------------------------- the web server
@pytest.fixture
def client(kb):
    app = create_app(
        {
            "INSTANCE": str(kb.settings.instance_path),
            "KB": kb,
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    log_in(client, kb, "johan.lindqvist")
    return client


def upload(client, filename: str, data: bytes):
    return post_form(
        client,
        "/share",
        {
            "title": "Farlig fil",
            "visibility": "all",
            "language": "sv",
            "file": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def count_documents(kb) -> int:
    with kb.db.read() as session:
        return session.scalar(select(func.count(Document.id)))


@pytest.mark.parametrize(
    ("filename", "make"),
    [
        ("bomb.pdf", lambda: pdf_with_stream(zlib_zeros(PDF_BOMB_SIZE))),
        ("bomb.docx", docx_bomb),
        ("delar.docx", lambda: zip_package(docx_parts() + [(f"{i}", b"") for i in range(5000)])),
        ("avkapad.pdf", lambda: make_pdf("Hej.")[:700]),
    ],
    ids=["pdf-bomb", "docx-bomb", "docx-of-5000-parts", "truncated-pdf"],
)
def test_an_upload_bomb_leaves_the_server_answering(kb, client, filename, make):
    before, peak = count_documents(kb), peak_mb()
    started = time.monotonic()
    response = upload(client, filename, make())
    assert time.monotonic() - started < 10
    assert response.status_code == 422
    assert "Filen gick inte att läsa" in response.get_data(as_text=True)
    assert count_documents(kb) == before
    assert peak_mb() - peak < 100
    assert client.get("/?q=schack").status_code == 200
    assert client.get("/api/health").status_code == 200


def test_an_upload_over_20_mb_gets_the_friendly_too_large_page(kb, client):
    before = count_documents(kb)
    response = upload(client, "stor.txt", b"holk " * (21 * MB // 5))
    assert response.status_code == 413
    assert "Filen är för stor" in response.get_data(as_text=True)
    assert count_documents(kb) == before
    assert client.get("/share").status_code == 200
