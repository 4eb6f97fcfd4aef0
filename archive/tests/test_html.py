"""
Rendered pages are well-formed, accessible HTML.

html5lib in strict mode fails on any HTML5 parse error; the checks after it
catch what the W3C checker would report and a parser accepts: duplicate ids,
labels and ARIA references that point nowhere, a missing language or h1,
heading levels that skip one (h1 then h3), in English and Russian. Where
Java is installed, the W3C Nu HTML checker itself (vnu.jar, pinned in
package.json) reads each kind of page too.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import html5lib
from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from archive.models import Body, NewsItem, Person, Section, Statement, Topic

NS = "{http://www.w3.org/1999/xhtml}"
HEADINGS = {f"{NS}h{level}" for level in range(1, 7)}
# The W3C Nu HTML checker, pinned in package.json (`npm ci` puts it here).
VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


class HtmlTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", verbosity=0, allow_database=True)

    def pages(self):
        item = NewsItem.objects.published().first()
        yield "/"
        yield "/news/"
        yield "/news/?q=x&date_from=bad&date_to=2020-01-01&year=1&section=none&page=zz&foo=1"
        yield "/statements/"
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
        yield "/news/missing-section/missing-item/"

    def test_pages_are_valid_and_accessible(self):
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
        for url, language in [(url, "en") for url in self.pages()] + [
            (url, "ru") for url in self.pages()
        ]:
            with self.subTest(url=url, language=language):
                response = self.client.get(url, headers={"accept-language": language})
                self.assertEqual(response.status_code, 404 if "missing" in url else 200)
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
                levels = [int(el.tag[-1]) for el in document.iter() if el.tag in HEADINGS]
                self.assertEqual(levels[0], 1)
                for before, after in zip(levels, levels[1:], strict=False):
                    self.assertLessEqual(after, before + 1, f"h{before} then h{after}")
                self.assertEqual(len(list(document.iter(f"{NS}main"))), 1)

    # CI (E2E_REQUIRED=1) has Java and npm: there a missing checker fails rather than skips.
    @unittest.skipUnless(
        (VNU_JAR.exists() and shutil.which("java")) or os.environ.get("E2E_REQUIRED") == "1",
        "needs Java and vnu.jar (npm ci: package.json)",
    )
    def test_the_w3c_checker_finds_nothing(self):
        """Each kind of public page, in English and Russian, as the W3C's checker reads it."""
        item = NewsItem.objects.published().first()
        topic = Topic.objects.first()
        urls = ["/", "/news/", item.get_absolute_url(), "/search/?q=statements", "/statements/"]
        urls += [topic.get_absolute_url(), "/news/missing-section/missing-item/"]
        with tempfile.TemporaryDirectory() as folder:
            for language in ("en", "ru"):
                for number, url in enumerate(urls):
                    response = self.client.get(url, headers={"accept-language": language})
                    Path(folder, f"{language}-{number}.html").write_bytes(response.content)
            # One run for every page: the checker's start is most of its time.
            run = subprocess.run(
                ["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", folder],
                capture_output=True,
                text=True,
                check=True,
            )
        messages = json.loads(run.stderr)["messages"]
        self.assertEqual(
            [f"{m['url'].rsplit('/', 1)[-1]}: {m['message']}" for m in messages], [], urls
        )
