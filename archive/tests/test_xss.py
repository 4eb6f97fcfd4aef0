"""
Stored XSS: each attack string of data/xss.txt (the families of the OWASP
filter-evasion cheat sheet) goes into every text field an editor controls;
then every public page, feed and the admin lists are read as a browser
would parse them, and nothing in them may run.
"""

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import html5lib
from django.contrib.auth import get_user_model
from django.test import TestCase

from archive.models import Attachment, Body, Image, NewsItem, Person, Statement, Status, Topic

from .factories import (
    BodyFactory,
    MediaLinkFactory,
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
    StatementFactory,
    TopicFactory,
)

CORPUS = [
    line
    for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines()
    if line and not line.startswith("#")
]
# Elements that run code, load a document, or restyle the page.
FORBIDDEN = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg",
    "math", "style", "bgsound", "xss", "xml", "video", "audio", "source",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "background", "dynsrc", "lowsrc",
    "data", "poster", "srcset",
}  # fmt: skip
SCRIPT_TYPES = {"application/ld+json", "application/json"}


def fit(model, field, text):
    return text[: model._meta.get_field(field).max_length or None]


def runs(value):
    """Whether a URL would run code: javascript:, vbscript: or data:."""
    squeezed = "".join(ch for ch in value if ch > " ").lower()
    return squeezed.startswith(("javascript:", "vbscript:", "data:", "javascript&colon;"))


class XSSTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser("root", "r@example.org", "pw")
        cls.section = SectionFactory(slug="news", name=CORPUS[0][:200])
        cls.urls = ["/", "/news/", "/statements/", "/search/?q=alert", "/news/?q=alert"]
        for number, attack in enumerate(CORPUS):
            person = PersonFactory(
                slug=f"p{number}", name=fit(Person, "name", attack), position=attack[:300]
            )
            body = BodyFactory(
                slug=f"b{number}",
                name=fit(Body, "name", attack),
                acronym=fit(Body, "acronym", attack),
                description=attack,
            )
            topic = TopicFactory(slug=f"t{number}", name=fit(Topic, "name", attack))
            # Records as an upload leaves them; the files themselves are not
            # needed to render the pages.
            cover = Image.objects.create(
                file=f"images/p{number}.jpg",
                alt_text=fit(Image, "alt_text", attack),
                caption=fit(Image, "caption", attack),
                credit=fit(Image, "credit", attack),
                width=40,
                height=30,
                format="JPEG",
            )
            document = Attachment.objects.create(
                file=f"documents/d{number}.pdf",
                title=fit(Attachment, "title", attack),
                kind="pdf",
                size=1000,
            )
            item = NewsItemFactory(
                section=cls.section,
                cover_image=cover,
                slug=f"n{number}",
                title=fit(NewsItem, "title", attack),
                lead=attack,
                body=attack,
                location=fit(NewsItem, "location", attack),
                media_heading=fit(NewsItem, "media_heading", attack),
                signature=fit(NewsItem, "signature", attack),
            )
            item.attachments.add(document)
            item.persons.add(person)
            item.bodies.add(body)
            item.topics.add(topic)
            MediaLinkFactory(
                news_item=item,
                outlet=attack[:200],
                title=attack[:500],
                url=f"https://example.org/?q={quote(attack)}",
            )
            statement = StatementFactory(
                slug=f"s{number}",
                title=fit(Statement, "title", attack),
                text=attack,
                adopted_by=body,
            )
            statement.news_items.add(item)
            cls.urls += [
                item.get_absolute_url(),
                statement.get_absolute_url(),
                person.get_absolute_url(),
                body.get_absolute_url(),
                topic.get_absolute_url(),
            ]
        pages = -(-len(CORPUS) // 20)
        cls.urls += [f"/news/?page={page}" for page in range(2, pages + 1)]
        cls.urls += [f"/statements/?page={page}" for page in range(2, pages + 1)]

    def assert_inert(self, html, where, admin=False):
        # The admin draws its own icons in SVG, and sets style= from its widgets.
        forbidden = FORBIDDEN - {"svg"} if admin else FORBIDDEN
        document = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
        for element in document.iter():
            # Without its namespace: "{http://www.w3.org/2000/svg}svg" is an svg.
            tag = element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""
            attributes = {
                name.rsplit("}", 1)[-1].lower(): value for name, value in element.attrib.items()
            }
            self.assertNotIn(tag, forbidden, f"<{tag}> in {where}")
            if tag == "script":
                self.assertTrue(
                    attributes.get("type") in SCRIPT_TYPES
                    or attributes.get("src", "").startswith("/"),  # this site's own
                    f"a script in {where}: {attributes}",
                )
            if tag == "meta":
                self.assertNotIn("http-equiv", attributes, f"<meta http-equiv> in {where}")
            if tag == "link":
                href = attributes.get("href", "")
                self.assertTrue(href.startswith(("/", "http://testserver/")), f"{href} in {where}")
            for name, value in attributes.items():
                self.assertFalse(name.startswith("on"), f"{name}= in <{tag}> in {where}")
                if name in URL_ATTRIBUTES:
                    self.assertFalse(runs(value), f'{name}="{value}" in <{tag}> in {where}')
                if not admin:
                    self.assertNotEqual(name, "style", f"style= in <{tag}> in {where}")

    def test_every_public_page(self):
        self.assertGreaterEqual(len(CORPUS), 50)
        for url in self.urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_inert(response.content.decode(), url)
                # Jinja2 prints a method it is not told to call, where
                # Django's templates would have called it.
                leak = re.search(r"bound method \S+|<function \S+|object at 0x", response.text)
                self.assertIsNone(leak, f"{leak and leak[0]} in {url}")

    def test_attacks_are_shown_as_text(self):
        """What an editor typed in a plain-text field reads as typed."""
        response = self.client.get("/news/news/n0/")
        escaped = "&lt;script&gt;alert(&#39;XSS&#39;)&lt;/script&gt;"  # as Jinja2 escapes
        # Title, lead, location, cover alt text, caption and credit, document
        # title, media link, signature, persons, bodies, topics...: all as text.
        self.assertGreaterEqual(response.content.decode().count(escaped), 10)

    def test_feeds_and_sitemaps(self):
        for url in ("/feeds/news/", "/feeds/news/atom/", "/feeds/statements/", "/feeds/news/news/"):
            with self.subTest(url=url):
                root = ET.fromstring(self.client.get(url).content)
                for element in root.iter():
                    name = element.tag.rsplit("}", 1)[-1]
                    # What a feed reader shows as HTML: descriptions and summaries.
                    if name in {"description", "summary", "content"} and element.text:
                        self.assert_inert(element.text, f"{url} <{name}>")
        for url in ("/sitemap.xml", "/sitemap-news.xml", "/sitemap-persons.xml"):
            with self.subTest(url=url):
                ET.fromstring(self.client.get(url).content)  # well-formed, nothing broke out

    def test_admin_lists_and_forms(self):
        self.client.force_login(self.admin)
        item = NewsItemFactory(section=self.section, status=Status.DRAFT, title=CORPUS[0])
        for url in (
            "/admin/archive/newsitem/",
            "/admin/archive/statement/",
            "/admin/archive/person/",
            "/admin/archive/body/",
            "/admin/archive/topic/",
            "/admin/archive/section/",
            "/admin/archive/image/",
            "/admin/archive/attachment/",
            "/admin/archive/medialink/",
            f"/admin/archive/newsitem/{item.pk}/change/",
            "/admin/queue/",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_inert(response.content.decode(), url, admin=True)
