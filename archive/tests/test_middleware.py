import contextlib
import functools
import gzip
import io

from django.core.cache import cache, caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import TestCase, override_settings
from django.urls import set_script_prefix

from .factories import NewsItemFactory, SectionFactory, StatementFactory
from .test_media import make_attachment


class NulBytesTests(TestCase):
    """A NUL byte anywhere a query could see it is a 400, on every database."""

    def test_query_string_path_and_cookie(self):
        self.assertEqual(self.client.get("/news/?q=%00").status_code, 400)
        self.assertEqual(self.client.get("/news/?a%00b=1").status_code, 400)
        self.assertEqual(self.client.get("/news/%00/").status_code, 400)
        self.client.cookies["sessionid"] = "abcdefgh\x00ij"
        response = self.client.get("/news/")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "cannot read", status_code=400)

    def test_the_400_page_is_in_the_visitors_language_not_the_last_one(self):
        russian = self.client_class()
        russian.cookies["django_language"] = "ru"
        self.assertContains(russian.get("/news/"), 'lang="ru"')
        # The same thread next answers someone without a choice of language.
        response = self.client.get("/news/?q=%00")
        self.assertContains(response, "Bad request", status_code=400)
        self.assertContains(response, "The address holds something", status_code=400)
        response = russian.get("/news/?q=%00")
        self.assertContains(response, "Неверный запрос", status_code=400)
        self.assertContains(response, "В адресе есть то, что сайт не может", status_code=400)
        russian.get("/news/")
        response = self.client.get("/news/", headers={"host": "evil.example"})  # not ours
        self.assertContains(response, "Bad request", status_code=400)

    def test_ordinary_requests_pass(self):
        self.assertEqual(self.client.get("/news/?q=%D0%9E%D0%94%D0%9A%D0%91").status_code, 200)
        # "%2500" is the text "%00", not a NUL.
        self.assertEqual(self.client.get("/news/?q=%2500").status_code, 200)


@override_settings(QUERY_MAX_PARAMETERS=3)
class ParameterCountTests(TestCase):
    def test_too_many_names_is_a_400_with_the_reason(self):
        response = self.client.get("/news/?a=1&b=2&c=3&d=4")
        self.assertContains(response, "too many parameters: at most 3", status_code=400)

    def test_names_are_counted_not_values(self):
        self.assertEqual(self.client.get("/news/?a=1&b=2&c=3").status_code, 200)
        self.assertEqual(self.client.get("/news/?q=1&q=2&q=3&q=4&q=5").status_code, 200)


class ScriptPrefixTests(TestCase):
    """A site served below a path (SCRIPT_NAME) links below it, request by request."""

    def test_links_follow_each_requests_script_prefix(self):
        item = NewsItemFactory(section=SectionFactory(slug="news"), slug="meeting")
        # What the WSGI handler does with the request's SCRIPT_NAME.
        set_script_prefix("/archive/")
        try:
            response = self.client.get("/news/")
        finally:
            set_script_prefix("/")
        self.assertContains(response, 'href="/archive/news/news/meeting/?back=')
        # The menu and the footer, kept as HTML between requests, too.
        self.assertContains(response, '<a href="/archive/news/news/">')
        self.assertContains(response, 'href="/archive/feeds/news/"')
        # Outside a request, and in the next one, the prefix is the handler's again.
        self.assertEqual(item.get_absolute_url(), "/news/news/meeting/")
        response = self.client.get("/news/")
        self.assertContains(response, 'href="/news/news/meeting/?back=')
        self.assertContains(response, '<a href="/news/news/">')
        self.assertContains(response, 'href="/feeds/news/"')
        self.assertNotContains(response, "/archive/")


@override_settings(PAGE_CACHE_SECONDS=300, SECURE_HSTS_SECONDS=31536000)
class CachedAnswerTests(TestCase):
    """
    A page served from the cache passes only the middleware above the page
    cache, and still carries every header the built page did.
    """

    HEADERS = (
        "Content-Type",
        "Content-Language",
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Strict-Transport-Security",
        "Cache-Control",
        "Vary",
        "ETag",
    )

    def setUp(self):
        cache.clear()
        caches["pages"].clear()

    def test_a_hit_has_the_headers_of_the_built_page(self):
        NewsItemFactory(section=SectionFactory(slug="news"))
        for url in ("/", "/news/", "/feeds/news/"):
            for language in ("en", "ru"):
                with self.subTest(url=url, language=language):
                    get = functools.partial(
                        self.client.get, url, secure=True, headers={"accept-language": language}
                    )
                    built, hit = get(), get()
                    self.assertEqual((built["X-Page-Cache"], hit["X-Page-Cache"]), ("miss", "hit"))
                    self.assertEqual(hit["Content-Language"], language)
                    for header in self.HEADERS:
                        self.assertEqual(hit.get(header), built.get(header), header)
                    self.assertFalse(hit.cookies)
                    again = get(headers={"accept-language": language, "if-none-match": hit["ETag"]})
                    self.assertEqual(again.status_code, 304)


@override_settings(PAGE_CACHE_SECONDS=300)
class CompressionTests(TestCase):
    """Text is sent gzipped to browsers that take it; a cached page is kept once, plain."""

    GZIP = {"accept-encoding": "gzip, deflate, br"}

    @classmethod
    def setUpTestData(cls):
        NewsItemFactory(section=SectionFactory(slug="news"), title="Ministers met")

    def setUp(self):
        cache.clear()

    def test_a_cached_page_is_compressed_for_those_who_take_it(self):
        built = self.client.get("/news/", headers=self.GZIP)
        self.assertEqual(built["X-Page-Cache"], "miss")
        self.assertEqual(built["Content-Encoding"], "gzip")
        page = gzip.decompress(built.content)
        self.assertIn(b"Ministers met", page)
        self.assertLess(len(built.content), len(page) / 3)
        # Kept plain: a browser without gzip gets the same page from the cache.
        plain = self.client.get("/news/")
        self.assertEqual(plain["X-Page-Cache"], "hit")
        self.assertFalse(plain.has_header("Content-Encoding"))
        self.assertEqual(plain.content, page)
        again = self.client.get("/news/", headers=self.GZIP)
        self.assertEqual(again["X-Page-Cache"], "hit")
        self.assertEqual(gzip.decompress(again.content), page)
        # Compressed once, when kept: each hit sends that copy as it is.
        self.assertEqual(self.client.get("/news/", headers=self.GZIP).content, again.content)
        for response in (built, plain, again):
            self.assertIn("Accept-Encoding", response["Vary"])
            self.assertIn("Accept-Language", response["Vary"])
        # A browser holding the compressed copy is told it is unchanged.
        unchanged = self.client.get("/news/", headers=self.GZIP | {"if-none-match": again["ETag"]})
        self.assertEqual(unchanged.status_code, 304)

    def test_a_browser_that_refuses_gzip_gets_the_page_plain(self):
        self.client.get("/news/", headers=self.GZIP)  # kept, plain and gzipped
        for refusal in ("gzip;q=0", "deflate, gzip; q=0.0", "br, gzip;q=0, *;q=0.5"):
            for path in ("/news/", "/statements/"):  # a kept page, a page being built
                with self.subTest(refusal=refusal, path=path):
                    response = self.client.get(path, headers={"accept-encoding": refusal})
                    self.assertEqual(response.status_code, 200)
                    self.assertFalse(response.has_header("Content-Encoding"))
                    self.assertIn(b"<html", response.content)
                    self.assertIn("Accept-Encoding", response["Vary"])
        for weighted in ("gzip;q=0.5", "deflate;q=1, gzip;q=0.001"):
            with self.subTest(weighted=weighted):
                response = self.client.get("/news/", headers={"accept-encoding": weighted})
                self.assertEqual(response["Content-Encoding"], "gzip")

    def test_feeds_and_sitemaps_are_compressed_images_are_not(self):
        # (Not a one-item sitemap: gzip's random padding can leave so little
        # text no shorter, and Django then sends it as it is.)
        for url in ("/feeds/news/", "/feeds/news/atom/", "/sitemap.xml"):
            with self.subTest(url=url):
                response = self.client.get(url, headers=self.GZIP)
                self.assertEqual(response.status_code, 200, response.content[:300])
                self.assertEqual(response.get("Content-Encoding"), "gzip", response.headers)
        icon = self.client.get("/favicon.ico", headers=self.GZIP)
        self.assertFalse(icon.has_header("Content-Encoding"))


class UnknownHostTests(TestCase):
    def test_a_host_header_not_ours_is_a_400_without_a_log_line(self):
        # Neither the site's handlers nor Python's last resort (stderr) write a line.
        with self.assertNoLogs(level="WARNING"), contextlib.redirect_stderr(io.StringIO()) as err:
            response = self.client.get("/news/", headers={"host": "scanner.example"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(err.getvalue(), "")


def served(method, path):
    """(status, headers, body) as a WSGI server such as gunicorn receives them."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    started = []
    # As Django's test client does: closing "old" connections would end the test's transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        answer = WSGIHandler()(environ, lambda status, headers: started.append((status, headers)))
        body = b"".join(answer)
        answer.close()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    status, headers = started[0]
    return status, dict(headers), body


class HeadTests(TestCase):
    """A HEAD answer has a GET answer's headers and no body (gunicorn warns of one)."""

    def test_pages_health_checks_and_documents(self):
        item = NewsItemFactory()
        attachment = make_attachment(title="A statement")
        StatementFactory().attachments.add(attachment)
        for path in ("/news/", item.get_absolute_url(), "/healthz", f"/documents/{attachment.pk}/"):
            with self.subTest(path=path):
                status, headers, body = served("GET", path)
                self.assertEqual(status, "200 OK")
                self.assertTrue(body)
                head_status, head_headers, head_body = served("HEAD", path)
                self.assertEqual((head_status, head_body), ("200 OK", b""))
                self.assertEqual(head_headers["Content-Type"], headers["Content-Type"])
                self.assertEqual(int(head_headers["Content-Length"]), len(body))
        # The page kept by the cache while answering HEAD still has its body.
        self.assertIn(b"<html", served("GET", "/news/")[2])
