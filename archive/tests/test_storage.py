"""
Documents on object storage (S3 through django-storages, requirements-s3.txt):
such a storage gives any file a URL when asked, so the local PrivateStorage's
refusal no longer guards the documents. The app must never ask: every page,
feed, admin form, download and export that shows a document goes through the
download view, which checks the item is public. Runs without boto3: the
storage is a stand-in with S3's behaviour (a URL for anything, no local path).
"""

import os
import tempfile
from pathlib import Path
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, storages
from django.core.management import call_command
from django.test import TestCase, override_settings

from archive import preview
from archive.models import Attachment, Status
from archive.storage import WholeFileStorage

from . import media
from .factories import NewsItemFactory, SectionFactory, StatementFactory, UserFactory
from .test_media import HalfWritten

LEAKED = "https://csto-documents.s3.example.org/"


class PublicURLStorage(InMemoryStorage):
    """A bucket as S3Storage shows it: url() answers for any file (and is noted here)."""

    asked = []

    def url(self, name):
        self.asked.append(name)
        return f"{LEAKED}{name}?X-Amz-Signature=signed"


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "attachments": {"BACKEND": "archive.tests.test_storage.PublicURLStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
class ObjectStorageDocumentTests(TestCase):
    def setUp(self):
        # The field took its storage when the model was defined: it takes the bucket now.
        field = Attachment._meta.get_field("file")
        patcher = mock.patch.object(field, "storage", storages["attachments"])
        patcher.start()
        self.addCleanup(patcher.stop)
        PublicURLStorage.asked = []
        section = SectionFactory(slug="news", name="News")
        self.public = self.document("Statement on the UN Charter")
        self.private = self.document("Draft declaration")
        self.statement = StatementFactory(slug="un-charter")
        self.statement.attachments.add(self.public)
        self.item = NewsItemFactory(section=section, slug="ministers-met")
        self.item.attachments.add(self.public)
        self.draft = NewsItemFactory(section=section, slug="draft", status=Status.DRAFT)
        self.draft.attachments.add(self.private)

    @staticmethod
    def document(title):
        attachment = Attachment(title=title)
        attachment.file = ContentFile(media.docx_bytes(), name="document.docx")
        attachment.full_clean()
        attachment.save()
        return attachment

    def assert_never_asked(self, responses):
        for response in responses:
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            self.assertNotIn(LEAKED.encode(), content, response.request["PATH_INFO"])
        self.assertEqual(PublicURLStorage.asked, [])

    def test_public_pages_and_feeds_link_the_download_view(self):
        pages = ["/statements/un-charter/", "/news/news/ministers-met/", "/feeds/news/"]
        pages += ["/feeds/statements/", "/sitemap.xml", preview.preview_url(self.draft)]
        responses = [self.client.get(page) for page in pages]
        for response in responses:
            self.assertEqual(response.status_code, 200, response.request["PATH_INFO"])
        self.assertContains(responses[0], f'href="/documents/{self.public.pk}/"')
        # A preview's documents go under its own token, for whoever holds the link.
        preview_link = pages[-1]
        self.assertContains(responses[-1], f'href="{preview_link}documents/{self.private.pk}/"')
        self.assert_never_asked(responses)

    def test_downloads_come_from_the_bucket_through_the_view(self):
        public = self.client.get(f"/documents/{self.public.pk}/")
        self.assertEqual(b"".join(public.streaming_content), media.docx_bytes())
        self.assertEqual(self.client.get(f"/documents/{self.private.pk}/").status_code, 404)
        self.client.force_login(UserFactory(username="editor", role="editor"))
        staff = self.client.get(f"/documents/{self.private.pk}/")
        self.assertEqual(b"".join(staff.streaming_content), media.docx_bytes())
        self.assert_never_asked([])

    def test_the_admin_links_the_download_view(self):
        editor = get_user_model().objects.create_superuser("chief", "c@example.org", "pw")
        author = UserFactory(username="author", role="author")
        pages = [
            "/admin/archive/attachment/",
            f"/admin/archive/attachment/{self.private.pk}/change/",
            f"/admin/archive/newsitem/{self.draft.pk}/change/",
            f"/admin/archive/statement/{self.statement.pk}/change/",
        ]
        responses = []
        for user in (editor, author):
            self.client.force_login(user)
            responses += [self.client.get(page) for page in pages]
        self.assertContains(responses[1], f'href="/documents/{self.private.pk}/"')
        self.assert_never_asked(responses)

    def test_an_export_with_its_files_reads_them_from_the_bucket(self):
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / "archive.jsonl"
            call_command("export_archive", output=str(output), media=True, verbosity=0)
            self.assertNotIn(LEAKED, output.read_text())
            self.assertTrue(Path(f"{output}.media.tar").stat().st_size > 0)
        self.assert_never_asked([])


class WholeFileTests(TestCase):
    def test_a_file_that_cannot_be_written_in_full_is_removed(self):
        folder = self.enterContext(tempfile.TemporaryDirectory())
        storage = WholeFileStorage(location=folder)
        storage.save("kept.txt", ContentFile(b"an earlier file"))
        with self.assertRaises(OSError):
            storage.save("new.txt", HalfWritten(b"x" * 10_000))
        self.assertEqual(sorted(os.listdir(folder)), ["kept.txt"])
