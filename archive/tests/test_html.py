"""
Rendered pages are well-formed, accessible HTML.

html5lib in strict mode fails on any HTML5 parse error; the checks after it
catch what the W3C checker would report and a parser accepts: duplicate ids,
labels and ARIA references that point nowhere, a missing language or h1.
"""

import html5lib
from django.core.management import call_command
from django.test import TestCase

from archive.models import Body, NewsItem, Person, Section, Statement, Topic

NS = "{http://www.w3.org/1999/xhtml}"


class HtmlTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", verbosity=0, allow_database=True)

    def pages(self):
        item = NewsItem.objects.published().first()
        yield "/"
        yield "/news/"
        yield "/news/?q=x&date_from=bad&date_to=2020-01-01&year=1&section=none&page=zz&foo=1"
        yield "/statements/?kind=nope"
        yield "/search/?q=statements"
        yield "/search/?q=!!!"
        yield "/news/2020/"
        yield "/news/2020/5/"
        yield "/news/?q=ministers"
        yield item.get_absolute_url()
        yield item.get_absolute_url() + "?back=/news/%3Fyear%3D2020"
        yield Statement.objects.published().first().get_absolute_url()
        for model in (Section, Person, Body, Topic):
            yield model.objects.first().get_absolute_url()
        yield from ("/persons/", "/bodies/", "/topics/", "/persons/?page=x")

    def test_pages_are_valid_and_accessible(self):
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
        for url in self.pages():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                document = parser.parse(response.content.decode())
                self.assertTrue(document.get("lang"))
                ids = [el.get("id") for el in document.iter() if el.get("id")]
                self.assertEqual(len(ids), len(set(ids)), "duplicate ids")
                for element in document.iter():
                    refs = [element.get("for")] if element.tag == f"{NS}label" else []
                    for attribute in ("aria-describedby", "aria-labelledby"):
                        refs += (element.get(attribute) or "").split()
                    for ref in filter(None, refs):
                        self.assertIn(ref, ids, f"{element.tag} points to a missing id")
                self.assertEqual(len(list(document.iter(f"{NS}h1"))), 1)
                self.assertEqual(len(list(document.iter(f"{NS}main"))), 1)
