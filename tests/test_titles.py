"""The share form suggests the title a file gives itself."""

from __future__ import annotations

import io

from kb.ingest.sandbox import title_safely as own_title


def test_markdown_front_matter_names_the_title():
    assert own_title("md", b"---\ntitle: Holkar i slojden\n---\n# Annat\n") == "Holkar i slojden"


def test_markdown_without_front_matter_takes_its_first_heading():
    assert own_title("md", b"Inledning\n\n# Bygg en holk\n") == "Bygg en holk"


def test_a_web_page_takes_its_title_element():
    html = "<html><head><title>Läsloggen &amp; boken</title></head></html>".encode()
    assert own_title("html", html) == "Läsloggen & boken"


def test_a_word_file_takes_its_core_title():
    import docx

    document = docx.Document()
    document.core_properties.title = "Exit tickets i matematik"
    document.add_paragraph("Text.")
    out = io.BytesIO()
    document.save(out)
    assert own_title("docx", out.getvalue()) == "Exit tickets i matematik"


def test_a_pdf_takes_its_metadata_title():
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.setTitle("Schack i matematiken")
    pdf.drawString(72, 800, "Text.")
    pdf.save()
    assert own_title("pdf", out.getvalue()) == "Schack i matematiken"


def test_a_damaged_file_offers_no_title():
    assert own_title("docx", b"PK\x03\x04 broken") is None
    assert own_title("pdf", b"%PDF-1.4 (untitled)") is None
