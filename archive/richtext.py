"""
The rich-text editor of news bodies and statement texts (django-prose-editor).

The toolbar offers only what archive/sanitize.py keeps, so that what an editor
makes is what gets saved; the sanitizer stays the last word on the server.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from .sanitize import ALLOWED_URL_SCHEMES, TAG_RE, refused_links, sanitize_html

# Each extension makes tags in sanitize.ALLOWED_TAGS (test_richtext checks it).
EXTENSIONS = {
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": sorted(ALLOWED_URL_SCHEMES)},
    "History": True,
}


class RichTextWidget(AdminProseEditorWidget):
    """
    The package's admin widget, started by our own module: its presets need an
    inline import map and let Tiptap inject an inline <style>, both of which
    the Content-Security-Policy (script-src and style-src 'self') refuses.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("preset", "archive")
        super().__init__(*args, **kwargs)

    def format_value(self, value):
        # Plain text (from an import) opens as the paragraphs it becomes when
        # saved, not as one run-on paragraph.
        if value and not TAG_RE.search(value):
            value = sanitize_html(value)
        return super().format_value(value)

    @property
    def media(self):
        return forms.Media(
            css={
                "all": [
                    "django_prose_editor/material-icons.css",
                    "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css",
                    "css/prose-editor.css",
                ]
            },
            js=[forms.Script("js/prose-editor.js", type="module")],
        )


class RichTextField(ProseEditorFormField):
    """
    A form field with the editor; the model's clean() sanitizes on save. A
    link the sanitizer would empty is refused here, with the form kept, so
    that what the editor showed is what is saved.
    """

    def __init__(self, *args, **kwargs):
        kwargs.pop("widget", None)
        kwargs.update(
            widget=RichTextWidget,
            config={"extensions": EXTENSIONS},
            preset="archive",
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        refused = refused_links(value)
        if refused:
            raise ValidationError(
                _(
                    "The link to “%(address)s” cannot be kept: a link must lead to a web "
                    "address starting with https:// or http://, a page of this site "
                    "(starting with /), an e-mail address (mailto:) or a telephone "
                    "number (tel:). Correct it or remove it."
                ),
                code="link",
                params={"address": refused[0][:100]},
            )
        return value


def render_rich_text(html: str) -> str:
    """Stored rich text as safe HTML for a read-only page, sanitized once more."""
    return mark_safe(sanitize_html(html))


BETWEEN_TAGS_RE = re.compile(r">\s+<")


def same_rich_text(a: str, b: str) -> bool:
    """Whether two texts save as the same HTML, but for the spaces between tags."""
    return BETWEEN_TAGS_RE.sub("><", sanitize_html(a)) == BETWEEN_TAGS_RE.sub(
        "><", sanitize_html(b)
    )
