"""Reading document files: formats, encodings, and files that must be skipped with a warning."""

import logging

import pytest

from retrieval.loading import read_document, scan


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with `text` in Helvetica, built by hand so the test needs no PDF writer."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def test_scan_finds_supported_files_recursively_in_order(make_docs) -> None:
    folder = make_docs({"b.txt": "x", "a/c.md": "x", "a/d.html": "x", "e.pdf": b"x", "f.docx": "x",
                        ".hidden/g.txt": "x", "notes.TXT": "x"})
    assert [s.source for s in scan(folder)] == ["a/c.md", "a/d.html", "b.txt", "e.pdf", "notes.TXT"]


def test_html_keeps_title_and_paragraphs_and_drops_scripts(make_docs) -> None:
    folder = make_docs({"p.html": "<html><head><title>Harbour news</title><style>p{}</style></head><body>"
                                  "<nav>Home | About</nav><h1>Harbour news</h1><p>The ferry &amp; the tug left at dawn.</p>"
                                  "<script>alert('x')</script><p>They came back at noon.</p></body></html>"})
    raw = read_document(folder, "p.html")
    assert raw.title == "Harbour news"
    assert "The ferry & the tug left at dawn." in raw.text
    assert "alert" not in raw.text and "Home | About" not in raw.text
    assert "\n\n" in raw.text.split("dawn.")[1][:4]  # paragraphs stay apart


def test_markdown_heading_marks_are_dropped(make_docs) -> None:
    raw = read_document(make_docs({"n.md": "# Field notes\n\nThe river rose two metres."}), "n.md")
    assert raw.text.startswith("Field notes\n")


def test_pdf_text_is_extracted(make_docs) -> None:
    raw = read_document(make_docs({"r.pdf": minimal_pdf("The bridge opened in 1932.")}), "r.pdf")
    assert "The bridge opened in 1932." in raw.text


def test_non_utf8_text_falls_back_instead_of_crashing(make_docs) -> None:
    folder = make_docs({"latin.txt": "Caf\u00e9 M\u00e9ndez opened on Monday.".encode("cp1252")})
    assert read_document(folder, "latin.txt").text == "Caf\u00e9 M\u00e9ndez opened on Monday."


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", "", "holds no text"),
    ("blank.md", "  \n\n \t\n", "holds no text"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "cannot parse"),
])
def test_unusable_file_is_skipped_with_one_warning_naming_it(make_docs, caplog, name, content, reason) -> None:
    folder = make_docs({name: content})
    with caplog.at_level(logging.WARNING, logger="retrieval.loading"):
        assert read_document(folder, name) is None
    warnings = [r.getMessage() for r in caplog.records if r.name == "retrieval.loading"]
    assert len(warnings) == 1
    assert name in warnings[0] and reason in warnings[0]
