"""
Deployment security: `check --deploy` with production settings, the headers
every page and the admin send, query-string limits, and the admin login
locked after repeated failures.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, TestCase, override_settings

from .factories import NewsItemFactory, SectionFactory, UserFactory

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-real-secret-key-for-this-check-only-" + "k7Qz" * 10,
    "DJANGO_ALLOWED_HOSTS": "news.example.org",
    "DATABASE_URL": "sqlite:///unused.sqlite3",
}


class DeployCheckTests(TestCase):
    def test_check_deploy_reports_nothing_with_production_settings(self):
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
        self.assert_deploy_check_is_silent({**clean, **PRODUCTION})

    def test_check_deploy_reports_nothing_with_the_example_environment_file(self):
        """deploy/cstonews.env.example, as systemd's EnvironmentFile= gives it to the app."""
        example = Path(settings.BASE_DIR, "deploy", "cstonews.env.example").read_text()
        lines = [line for line in example.splitlines() if line and not line.startswith("#")]
        production = dict(line.split("=", 1) for line in lines)
        self.assertEqual(production["DJANGO_DEBUG"], "0")
        # Left empty for each site to fill in: with it empty, the site refuses to start.
        self.assertEqual(production["DJANGO_SECRET_KEY"], "")
        production["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
        self.assert_deploy_check_is_silent({"PATH": os.environ.get("PATH", ""), **production})

    def assert_deploy_check_is_silent(self, env):
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("System check identified no issues", result.stdout)


class HeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.item = NewsItemFactory(section=SectionFactory(slug="news"))
        cls.admin = get_user_model().objects.create_superuser("root", "r@example.org", "pw")

    def assert_protected(self, response, admin=False):
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        self.assertEqual(directives["script-src"], "'self'")
        self.assertEqual(directives["default-src"], "'self'")
        self.assertEqual(directives["object-src"], "'none'")
        self.assertEqual(directives["frame-ancestors"], "'none'")
        self.assertNotIn("unsafe-eval", policy)
        # The admin's widgets position themselves with style attributes.
        styles = "'self' 'unsafe-inline'" if admin else "'self'"
        self.assertEqual(directives["style-src"], styles)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_public_pages_feeds_and_errors(self):
        for url in (
            "/",
            "/news/",
            self.item.get_absolute_url(),
            "/search/?q=csto",
            "/feeds/news/",
            "/sitemap.xml",
            "/no-such-page/",
        ):
            with self.subTest(url=url):
                self.assert_protected(self.client.get(url))

    def test_admin_pages(self):
        self.assert_protected(self.client.get("/admin/login/"), admin=True)
        self.client.force_login(self.admin)
        for url in ("/admin/", "/admin/archive/newsitem/", "/admin/archive/newsitem/add/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_protected(response, admin=True)

    def test_no_inline_script_in_any_page(self):
        """The policy forbids inline scripts: no page may need one."""
        self.client.force_login(self.admin)
        for url in ("/", "/news/", self.item.get_absolute_url(), "/admin/archive/newsitem/add/"):
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                for chunk in html.split("<script")[1:]:
                    tag = chunk.split(">", 1)[0]
                    self.assertTrue(
                        " src=" in tag or "application/ld+json" in tag or "application/json" in tag,
                        f"inline script in {url}: <script{tag}>",
                    )
                self.assertNotRegex(html, r"\son[a-z]+=")

    @override_settings(DEBUG=True)
    def test_debug_error_pages_are_left_without_a_policy(self):
        """Django's debug pages style themselves inline; the policy would leave them bare."""
        self.assertNotIn("Content-Security-Policy", self.client.get("/no-such-page/"))
        self.assert_protected(self.client.get("/news/"))

    @override_settings(DEBUG=False, SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=False)
    def test_hsts_over_https(self):
        response = self.client.get("/", secure=True)
        self.assertEqual(response["Strict-Transport-Security"], "max-age=31536000")


class QueryLimitTests(TestCase):
    def test_overlong_query_is_400_with_the_reason(self):
        response = self.client.get("/news/", {"q": "x" * 3000})
        self.assertContains(response, "too long", status_code=400)
        self.assertContains(response, "2048", status_code=400)

    def test_too_many_parameters_is_400_with_the_reason(self):
        params = {f"p{n}": "1" for n in range(31)}
        self.assertContains(self.client.get("/news/", params), "too many", status_code=400)

    def test_within_the_limits_the_page_answers(self):
        params = {f"p{n}": "1" for n in range(29)}
        self.assertEqual(self.client.get("/news/", params).status_code, 200)
        response = self.client.get("/search/", {"q": "x" * 300})
        self.assertContains(response, "at most 200")


class UnknownHostTests(TestCase):
    @override_settings(DEBUG=False)
    def test_a_host_not_allowed_is_a_plain_400_on_every_path(self):
        for path in ("/", "/news/", "/no-such-page/", "/admin/login/"):
            # Django logs each refused host as a security event: expected here.
            with self.subTest(path=path), self.assertLogs("django.security.DisallowedHost"):
                response = self.client.get(path, HTTP_HOST="evil.example")
                self.assertContains(response, "Bad request", status_code=400)
                self.assertNotContains(response, "evil.example", status_code=400)


class LoginThrottleTests(TestCase):
    def setUp(self):
        self.user = get_user_model().objects.create_user(
            "editor", password="right-password", is_staff=True
        )

    def sign_in(self, password, address="203.0.113.5"):
        return self.client.post(
            "/admin/login/?next=/admin/",
            {"username": "editor", "password": password},
            REMOTE_ADDR=address,
        )

    def test_locked_after_repeated_failures_with_a_clear_message(self):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.assertContains(self.sign_in("wrong"), "Please enter the correct username")
        response = self.sign_in("wrong")
        self.assertContains(response, "Sign-in locked", status_code=429)
        # Even the right password is refused now, from this address.
        self.assertContains(self.sign_in("right-password"), "Sign-in locked", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # The account is not locked for everyone: another address may sign in.
        response = self.sign_in("right-password", address="198.51.100.7")
        self.assertRedirects(response, "/admin/")

    def test_a_success_forgets_earlier_failures(self):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.sign_in("wrong")
        self.assertRedirects(self.sign_in("right-password"), "/admin/")
        self.client.logout()
        self.assertContains(self.sign_in("wrong"), "Please enter the correct username")

    @override_settings(PROXY_COUNT=1)
    def test_behind_a_proxy_the_address_is_the_one_it_saw(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.client.post(
                "/admin/login/",
                {"username": "editor", "password": "wrong"},
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
            )
        # A forged left part does not give a fresh address.
        response = self.client.post(
            "/admin/login/",
            {"username": "editor", "password": "right-password"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9",
        )
        self.assertEqual(response.status_code, 429)

    @override_settings(PROXY_COUNT=1)
    def test_a_forwarded_address_that_is_no_address_counts_as_unknown(self):
        response = self.client.post(
            "/admin/login/",
            {"username": "editor", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="not-an-ip",
        )
        self.assertContains(response, "Please enter the correct username")
        self.assertEqual(list(AccessAttempt.objects.values_list("ip_address", flat=True)), [None])


class CsrfFailureTests(TestCase):
    def test_a_form_sent_after_the_session_changed_says_nothing_was_saved(self):
        editor = UserFactory(username="editor", role="editor")
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor)
        with self.assertLogs("django.security.csrf", "WARNING"):
            response = client.post("/admin/archive/section/add/", {"name": "X"})
        self.assertContains(response, "This form could not be sent", status_code=403)
        self.assertContains(response, "Nothing was saved.", status_code=403)
        self.assertContains(response, 'id="logout-form"', status_code=403)  # the admin's page
        # Kept by no cache, as every page of the signed-in admin.
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("private", response["Cache-Control"])

    def test_the_public_site_takes_no_form_so_a_post_is_a_method_not_allowed(self):
        client = Client(enforce_csrf_checks=True)
        for method in ("post", "put", "delete", "trace", "options"):
            for path in ("/news/", "/feeds/news/", "/robots.txt", "/sitemap.xml", "/healthz"):
                with self.subTest(method=method, path=path):
                    response = getattr(client, method)(path)
                    self.assertContains(response, "only read", status_code=405)
                    self.assertEqual(response["Allow"], "GET, HEAD")
        # In the visitor's language, as the site's other answers.
        response = client.post("/news/", HTTP_ACCEPT_LANGUAGE="ru")
        self.assertContains(response, "только", status_code=405)
        # The admin takes forms: a stale one there still gets its own page.
        with self.assertLogs("django.security.csrf", "WARNING"):
            response = client.post("/admin/login/", {"username": "x"})
        self.assertContains(response, "This form could not be sent", status_code=403)
