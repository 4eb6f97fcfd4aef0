import datetime
import os
import subprocess
import sys
import tempfile
from io import StringIO
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import SimpleTestCase, TestCase, override_settings

from archive import demo_content as demo
from archive import services
from archive.models import (
    Body,
    Image,
    MediaLink,
    NewsItem,
    Person,
    Section,
    Statement,
    Status,
    Topic,
)

from . import media
from .factories import teasers_shown

MODELS = [Section, Person, Body, Topic, NewsItem, Statement, MediaLink]


def seed(**options):
    # The suite runs on PostgreSQL too, where seed_demo asks for --allow-database.
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"allow_database": True, **options})
    return out.getvalue()


class SeedDemoTests(TestCase):
    def counts(self):
        return {model.__name__: model.objects.count() for model in MODELS}

    def test_loads_the_curated_seed(self):
        output = seed()
        self.assertIn("Demo archive loaded", output)
        meeting = NewsItem.objects.get(slug="cfm-video-conference-2020-05-26")
        self.assertEqual(
            meeting.title,
            "On May 26, the CSTO Council of Foreign Ministers in a video conference discussed "
            "prospects for the development of international and regional security",
        )
        self.assertEqual(meeting.published_at.date(), datetime.date(2020, 5, 26))
        self.assertTrue(meeting.lead.startswith("Statements were approved on the occasion"))
        self.assertIn("chaired by the Minister of Foreign Affairs", meeting.body)
        self.assertEqual(meeting.signature, "CSTO Press Secretary Vladimir Zaynetdinov")
        link = meeting.media_links.get()
        self.assertEqual(link.outlet, "TASS")
        self.assertIn("tass-rossiya-predlozhila-odkb", link.url)
        self.assertEqual(
            set(meeting.persons.values_list("name", flat=True)), {"Sergey Lavrov", "Stanislav Zas"}
        )

        statements = meeting.statements.all()
        self.assertEqual(statements.filter(kind="statement").count(), 4)
        self.assertEqual(statements.filter(kind="decision").count(), 2)
        for statement in statements:
            self.assertEqual(statement.adopted_by.name, "Council of Foreign Ministers")
            self.assertEqual(statement.adopted_on, datetime.date(2020, 5, 26))

        for slug, date in [
            ("secretary-general-un-security-council-debate-2024-07-19", "2024-07-19"),
            ("speech-un-security-council-debate-2024-07-19", "2024-07-19"),
            ("secretariat-meets-graduates-school-of-diplomacy-2024-07-25", "2024-07-25"),
        ]:
            item = NewsItem.objects.published().get(slug=slug)
            self.assertEqual(str(item.event_date), date)
        speech = NewsItem.objects.get(slug="speech-un-security-council-debate-2024-07-19")
        self.assertEqual(speech.section.name, "Speeches")
        # The seed gives the BELTA interview no date: it waits as a draft.
        interview = NewsItem.objects.get(slug="tasmagambetov-interview-belta")
        self.assertEqual(interview.status, Status.DRAFT)
        self.assertEqual(interview.section.name, "Interviews")

    def test_is_idempotent_and_keeps_editors_changes(self):
        seed()
        before = self.counts()
        NewsItem.objects.filter(slug="cfm-video-conference-2020-05-26").update(title="Edited")
        output = seed()
        self.assertEqual(self.counts(), before)
        self.assertIn("created 0 new records", output)
        self.assertTrue(NewsItem.objects.filter(title="Edited").exists())

    def test_drawings_replace_the_old_abstract_illustrations(self):
        """A demo database seeded before keeps its items and gets the drawings as covers."""
        seed()
        meeting = NewsItem.objects.get(slug=demo.CFM_2020)
        old = Image(alt_text="Illustration", credit=demo.ILLUSTRATION_CREDIT)
        old.file = ContentFile(media.image_bytes(), "old.jpg")
        services.save_image(image=old)
        NewsItem.objects.filter(pk=meeting.pk).update(cover_image=old)
        seed()
        meeting.refresh_from_db()
        self.assertIn("video conference screen", meeting.cover_image.alt_text)
        self.assertEqual(meeting.gallery_images.count(), 2)
        self.assertFalse(Image.objects.filter(credit=demo.ILLUSTRATION_CREDIT).exists())
        for image in Image.objects.all():
            self.assertLessEqual(image.file.size, 150_000)

    def test_dry_run_writes_nothing(self):
        output = seed(dry_run=True)
        self.assertIn("would create", output)
        self.assertEqual(sum(self.counts().values()), 0)

    def test_may_2020_lists_only_the_council_meeting(self):
        seed()
        response = self.client.get("/news/", {"date_from": "2020-05-01", "date_to": "2020-05-31"})
        # In English and in Russian.
        self.assertEqual(
            [url.rstrip("/").rsplit("/", 1)[1] for url, _ in teasers_shown(response)],
            ["smid-odkb-videokonferentsiya-2020-05-26", "cfm-video-conference-2020-05-26"],
        )

    def test_the_russian_meeting_and_the_english_one_link_to_each_other(self):
        seed()
        english = NewsItem.objects.get(slug="cfm-video-conference-2020-05-26")
        russian = NewsItem.objects.get(slug="smid-odkb-videokonferentsiya-2020-05-26")
        page = self.client.get(russian.get_absolute_url(), headers={"accept-language": "ru"})
        self.assertContains(page, "<h1>26 мая в формате видеоконференции Совет министров")
        self.assertContains(page, f'<a href="{english.get_absolute_url()}" hreflang="en"')
        self.assertContains(page, '<a href="/persons/stanislav-zas/">Станислав Зась</a>')
        self.assertContains(page, "Заявление министров иностранных дел государств – членов ОДКБ")
        page = self.client.get(english.get_absolute_url(), headers={"accept-language": "en"})
        self.assertContains(page, f'<a href="{russian.get_absolute_url()}" hreflang="ru"')
        statements = russian.statements.filter(language="ru")
        self.assertEqual(statements.filter(kind="statement").count(), 4)
        self.assertEqual(statements.filter(kind="decision").count(), 2)
        for statement in statements:
            english = statement.translation
            self.assertEqual((english.language, english.translation), ("en", statement))
            page = self.client.get(statement.get_absolute_url())
            self.assertContains(page, f'<a href="{english.get_absolute_url()}" hreflang="en"')

    def test_fills_russian_names_into_an_older_demo_database(self):
        seed()
        before = self.counts()
        for model in (Section, Person, Body, Topic):
            model.objects.update(name_ru="")
        Person.objects.filter(slug="stanislav-zas").update(name_ru="С. Зась")  # an editor's
        seed()
        self.assertEqual(self.counts(), before)
        self.assertEqual(
            Body.objects.get(slug="council-of-foreign-ministers").name_ru,
            "Совет министров иностранных дел",
        )
        self.assertEqual(Section.objects.get(slug="csto-news").name_ru, "Новости")
        self.assertEqual(Person.objects.get(slug="stanislav-zas").name_ru, "С. Зась")
        page = self.client.get("/", headers={"accept-language": "ru"})
        self.assertContains(page, '<a href="/news/csto-news/">Новости</a>')

    def test_demo_pages_answer(self):
        seed()
        urls = ["/", "/news/", "/statements/"]
        urls += [item.get_absolute_url() for item in NewsItem.objects.published()]
        urls += [statement.get_absolute_url() for statement in Statement.objects.published()]
        urls += [section.get_absolute_url() for section in Section.objects.all()]
        # A person, body or topic has a page only while a public item shows it.
        shown = set()
        for item in NewsItem.objects.published():
            shown.update([*item.persons.all(), *item.bodies.all(), *item.topics.all()])
        for statement in Statement.objects.published():
            shown.update([statement.adopted_by, *statement.topics.all()])
        self.assertTrue(shown)
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        for model in (Person, Body, Topic):
            for obj in model.objects.all():
                with self.subTest(url=obj.get_absolute_url()):
                    response = self.client.get(obj.get_absolute_url())
                    self.assertEqual(response.status_code, 200 if obj in shown else 404)
        interview = NewsItem.objects.get(slug="tasmagambetov-interview-belta")
        self.assertEqual(self.client.get(interview.get_absolute_url()).status_code, 404)


def on_database(vendor):
    """The test database, seen by the demo commands as a `vendor` one."""
    return mock.patch.object(connections["default"], "vendor", vendor)


class DemoOnlyLocallyTests(TestCase):
    @override_settings(DEBUG=True)
    def test_another_database_gets_no_demo_accounts_nor_content(self):
        with on_database("postgresql"):
            for command in ("create_demo_users", "seed_demo"):
                with (
                    self.subTest(command),
                    self.assertRaisesMessage(CommandError, "only into the local SQLite database"),
                ):
                    call_command(command, stdout=StringIO())
        self.assertFalse(get_user_model().objects.exists())
        self.assertFalse(NewsItem.objects.exists())
        # Removing generated items is refused in its own words.
        with (
            on_database("postgresql"),
            self.assertRaisesMessage(CommandError, "Not removing generated items in the"),
        ):
            call_command("seed_demo", "--clear-extra", stdout=StringIO())

    @override_settings(DEBUG=True)
    def test_another_database_gets_them_when_asked(self):
        with on_database("postgresql"):
            call_command("seed_demo", "--allow-database", verbosity=0)
            call_command("create_demo_users", "--allow-database", verbosity=0)
        self.assertTrue(NewsItem.objects.exists())
        self.assertTrue(get_user_model().objects.get(username="editor").check_password("editor"))

    @override_settings(DEBUG=True)
    def test_the_local_sqlite_database_needs_no_flag(self):
        with on_database("sqlite"):
            call_command("seed_demo", verbosity=0)
            call_command("create_demo_users", verbosity=0)
        self.assertTrue(NewsItem.objects.exists())
        self.assertTrue(get_user_model().objects.get(username="admin").check_password("admin"))


class CreateDemoUsersTests(TestCase):
    @override_settings(DEBUG=True)
    def test_never_resets_an_existing_password(self):
        get_user_model().objects.create_user("admin", password="a long real secret")
        out = StringIO()
        call_command("create_demo_users", "--allow-database", stdout=out)
        admin = get_user_model().objects.get(username="admin")
        self.assertTrue(admin.check_password("a long real secret"))
        self.assertFalse(admin.is_superuser)
        self.assertIn("“admin” already existed, its password left as it was", out.getvalue())
        self.assertTrue(get_user_model().objects.get(username="author").check_password("author"))

    @override_settings(DEBUG=True)
    def test_creates_an_admin_account_and_prints_it(self):
        out = StringIO()
        call_command("create_demo_users", "--allow-database", stdout=out)
        call_command("create_demo_users", "--allow-database", stdout=out)
        user = get_user_model().objects.get(username="admin")
        self.assertTrue(user.is_superuser and user.is_staff)
        self.assertTrue(user.check_password("admin"))
        self.assertIn("password “admin”", out.getvalue())
        response = self.client.post(
            "/admin/login/?next=/admin/", {"username": "admin", "password": "admin"}
        )
        self.assertRedirects(response, "/admin/")

    @override_settings(DEBUG=False)
    def test_refuses_with_debug_off(self):
        with self.assertRaisesMessage(CommandError, "only created with DJANGO_DEBUG=1"):
            call_command("create_demo_users", stdout=StringIO())
        self.assertFalse(get_user_model().objects.exists())


@mock.patch.dict("os.environ", {"DJANGO_USER_PASSWORD": "Very-long-pass-123"})
class CreateStaffUserTests(TestCase):
    def create(self, *args):
        call_command("create_staff_user", *args, "--no-input", stdout=StringIO())

    def test_a_superuser_is_not_given_a_role_that_would_change_nothing(self):
        get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)
        with self.assertRaisesMessage(CommandError, "“root” is a superuser"):
            self.create("root", "--role", "author")
        root = get_user_model().objects.get(username="root")
        self.assertEqual((root.is_superuser, list(root.groups.all())), (True, []))

    def test_creates_an_author_and_changes_a_role(self):
        self.create("alice", "--role", "author", "--email", "alice@example.org")
        alice = get_user_model().objects.get(username="alice")
        self.assertTrue(alice.is_staff and alice.check_password("Very-long-pass-123"))
        self.assertEqual([group.name for group in alice.groups.all()], ["Authors"])
        self.create("alice", "--role", "editor")
        self.assertEqual([group.name for group in alice.groups.all()], ["Editors"])

    def test_a_name_or_address_the_admin_would_refuse_is_one_line_and_creates_nothing(self):
        for args, message in (
            (["x" * 200], "username: Ensure this value has at most 150 characters"),
            (["bad name!"], "username: Enter a valid username."),
            (["bob", "--email", "notanemail"], "email: Enter a valid email address."),
        ):
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, message) as caught:
                self.create(*args, "--role", "author")
            self.assertNotIn("\n", str(caught.exception))
        self.assertFalse(get_user_model().objects.exists())


def manage(*args, **env):
    """manage.py in a fresh interpreter, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**os.environ, "DJANGO_DEBUG": "1", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


class FirstDeploymentTests(SimpleTestCase):
    """The mistakes of a first deployment get one line each, not a traceback."""

    def test_a_database_not_migrated_yet_says_so(self):
        empty = self.enterContext(tempfile.NamedTemporaryFile(suffix=".sqlite3"))
        for command in (
            ["purge_trash", "--dry-run"],
            ["import_pages", "README.md", "--dry-run"],
            ["export_archive"],
        ):
            with self.subTest(command=command[0]):
                result = manage(*command, DATABASE_URL=f"sqlite:///{empty.name}")
                self.assertEqual(result.returncode, 1)
                self.assertEqual(
                    result.stderr.strip(),
                    "CommandError: The database is not set up for this version: "
                    "run `manage.py migrate` first.",
                )

    def test_djangos_own_commands_say_in_one_line_that_the_database_cannot_be_reached(self):
        closed = "postgres://postgres@127.0.0.1:1/cstonews"  # nothing listens on port 1
        for command in (["migrate"], ["showmigrations"], ["changepassword", "editor"]):
            with self.subTest(command=command[0]):
                result = manage(*command, DATABASE_URL=closed)
                self.assertEqual(result.returncode, 1)
                self.assertRegex(result.stderr.strip(), r"^manage.py: database error \(.+\)\.$")
                self.assertIn("127.0.0.1", result.stderr)

    def test_a_command_stopped_by_sigterm_ends_as_an_interrupted_one(self):
        # As `timeout` or systemd stop it: cleaned up as after Ctrl+C, not killed mid-write.
        script = "import os, signal, time; os.kill(os.getpid(), signal.SIGTERM); time.sleep(30)"
        result = manage("shell", "-c", script)
        self.assertEqual((result.returncode, result.stderr.strip()), (1, "manage.py: interrupted."))

    def test_a_missing_secret_key_is_one_line(self):
        result = manage("check", "--deploy", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(
            result.stderr.strip(),
            "manage.py: DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off "
            "(for local work, set DJANGO_DEBUG=1).",
        )
