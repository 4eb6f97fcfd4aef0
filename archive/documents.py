"""
Attachments: documents checked by their content (magic bytes), not by name.

PDF files start with "%PDF-". DOCX and ODT files are ZIP archives: a DOCX
holds word/document.xml, an ODT names its type in its "mimetype" entry.
Nothing is extracted; only the archive's directory and that one small entry
are read.
"""

import uuid
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def detect_kind(file):
    """'pdf', 'docx' or 'odt' from the file's content, or None. Leaves it rewound."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 100
                and archive.read("mimetype").strip() == ODT_MIMETYPE
            ):
                return "odt"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        file.seek(0)
    return None


def check_document(file):
    """Refuse `file` unless it is a PDF, DOCX or ODT under the limit; return its kind."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The document is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    kind = detect_kind(file)
    if kind is None:
        raise ValidationError(
            _("The file is not a PDF, DOCX or ODT document (its content says otherwise)."),
            code="format",
        )
    extension = PurePath(file.name or "").suffix.lower()
    if extension != f".{kind}":
        raise ValidationError(
            _(
                "The file is a %(kind)s document but its name ends in “%(ext)s”; "
                "rename it to .%(right)s."
            )
            % {"kind": kind.upper(), "ext": extension or _("nothing"), "right": kind},
            code="extension",
        )
    return kind


def document_upload_to(instance, filename):
    return f"documents/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def attachment_storage():
    """
    Documents live apart from public media: they are served by a view that
    checks the item they belong to is public, never straight from a folder.
    """
    return storages["attachments"]


def human_size(size: int) -> str:
    """'24 KB', '1.2 MB': as the page shows it."""
    if size < 1024:
        return _("%(size)d bytes") % {"size": size}
    if size < 1024 * 1024:
        return _("%(size)d KB") % {"size": round(size / 1024)}
    return _("%(size).1f MB") % {"size": size / (1024 * 1024)}
