"""
Allow-list sanitizing of the rich text editors and imports store.

Runs when an item is cleaned and saved, never when a page is shown: the
database only ever holds HTML that is safe to print.
"""

import html as html_module
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from django.db import models
from django.utils.html import linebreaks, strip_tags

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "h2", "h3", "h4", "blockquote", "q", "cite",
    "ul", "ol", "li", "a", "abbr",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    # A numbered list's first number; its kind of numbers is below.
    "ol": {"start"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
# Attributes kept only with one of these values: the kinds of numbers of HTML's ol.
ALLOWED_ATTRIBUTE_VALUES = {"ol": {"type": {"1", "a", "A", "i", "I"}}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def keep_attribute(tag, attribute, value):
    """
    nh3's last word on a kept attribute: a list starts at a number, or not
    at all; a link to another site without a scheme loses its address.
    """
    if (tag, attribute) == ("ol", "start"):
        return value if value.isascii() and value.isdigit() and len(value) <= 6 else None
    if (tag, attribute) == ("a", "href") and leaves_the_site(value):
        return None
    return value


# What a browser drops from around an address: control characters and spaces.
AROUND_ADDRESS = "".join(chr(code) for code in range(0x21))


def leaves_the_site(address):
    """
    Whether a link without a scheme leads to another site ("//host/…"), as
    a browser reads it: it drops tabs and line breaks anywhere, control
    characters and spaces around it, and reads "\\" as "/", so "/\\host",
    "/<tab>/host" and "<U+0001>//host" lead there too.
    """
    path = re.sub(r"[\t\n\r]", "", address).strip(AROUND_ADDRESS).replace("\\", "/")
    return path.startswith("//")


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
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        attribute_filter=keep_attribute,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()


class LinkFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.addresses = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.addresses += [value.strip() for name, value in attrs if name == "href" and value]


def refused_links(html: str) -> list[str]:
    """
    The addresses of `html`'s links that saving would not keep as they are:
    a scheme the allow-list has not (ftp:, javascript:), or no scheme and no
    leading "/" (www.example.org, which would lead to a page of this site),
    or one that leads to another site without saying so (//host).
    """
    finder = LinkFinder()
    finder.feed(html or "")
    finder.close()
    refused = []
    for address in finder.addresses:
        scheme = urlsplit(address).scheme.lower()
        on_the_site = address.startswith(("/", "#")) and not leaves_the_site(address)
        if scheme in ALLOWED_URL_SCHEMES or (not scheme and on_the_site):
            continue
        refused.append(address)
    return refused


# The control characters of ASCII but tab, line feed and carriage return
# (what a paste from a word processor or a PDF can carry: a vertical tab for
# a line break, a form feed), and the two noncharacters U+FFFE and U+FFFF:
# no page shows them, and XML 1.0, a feed's, cannot hold them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def without_control_characters(text: str) -> str:
    """`text` with a space for each control character, which mostly stood between words."""
    return CONTROL_CHARACTERS.sub(" ", text)


def clean_text_fields(instance) -> None:
    """
    Every text field of the record `instance` without control characters,
    and a one-line field (a title, a name) without spaces around it, as a
    form gives it: a title of control characters alone is then empty, and
    refused as any empty title is.
    """
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, str) and isinstance(field, (models.CharField, models.TextField)):
            value = without_control_characters(value)
            if isinstance(field, models.CharField):
                value = value.strip()
            setattr(instance, field.attname, value)


# Where one block of text ends and the next begins, for html_to_text().
BLOCK_END_RE = re.compile(r"<br\s*/?>|</(p|h[1-6]|li|blockquote|tr|caption)>", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """
    The words of rich text without its tags, one paragraph (heading, list
    item) a line, so that "<p>One</p><p>Two</p>" reads "One" and "Two", not "OneTwo".
    """
    text = html_module.unescape(strip_tags(BLOCK_END_RE.sub("\n", html or "")))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
