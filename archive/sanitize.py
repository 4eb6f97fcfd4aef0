"""
Allow-list sanitizing of the rich text editors and imports store.

Runs when an item is cleaned and saved, never when a page is shown: the
database only ever holds HTML that is safe to print.
"""

import re

import nh3
from django.utils.html import linebreaks

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "h2", "h3", "h4", "blockquote", "q", "cite",
    "ul", "ol", "li", "a", "abbr",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


TAG_RE = re.compile(r"<[a-zA-Z/!]")


def sanitize_html(html: str) -> str:
    """
    Return `html` with everything outside the allow-list removed.

    Plain text (what an editor types without any markup, or an import reads)
    becomes paragraphs, so that it reads on the page as it was written.
    """
    html = (html or "").strip()
    if not html:
        return ""
    if not TAG_RE.search(html):
        html = linebreaks(html.strip(), autoescape=True)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()
