# ruff: noqa: E501  (XML boilerplate reads better on one line)
"""
Pictures and documents for the demo archive, made here (nothing downloaded):
plain generated illustrations, honestly labelled as such, and DOCX files
holding the demo statements' text.
"""

import io
import zipfile
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

CSTO_BLUE = (11, 61, 110)


def illustration(width: int, height: int, accent: tuple, label: str) -> bytes:
    """A JPEG: a calm gradient, a few shapes and a caption line."""
    picture = Image.new("RGB", (width, height), CSTO_BLUE)
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        mix = y / height
        colour = tuple(round(CSTO_BLUE[i] * (1 - mix) + accent[i] * mix) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)
    radius = min(width, height) // 4
    centre = (width * 2 // 3, height // 2)
    draw.ellipse(
        [centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius],
        outline=(255, 255, 255),
        width=max(2, radius // 12),
    )
    draw.rectangle(
        [width // 12, height // 5, width // 12 + width // 5, height * 4 // 5], fill=accent
    )
    draw.text((width // 12, height - height // 8), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
RELATIONSHIPS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}</w:body></w:document>"""


def docx(paragraphs: list[str]) -> bytes:
    """The smallest DOCX a word processor opens: one paragraph per string."""
    body = "".join(f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>" for text in paragraphs)
    buffer = io.BytesIO()
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELATIONSHIPS),
        ("word/document.xml", DOCUMENT.format(body)),
    ]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts:
            # A fixed time: the same text always makes the same bytes.
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
