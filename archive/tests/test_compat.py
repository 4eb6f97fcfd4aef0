"""archive/compat.py: what the app reads from Django's private API still means the same."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Value
from django.test import SimpleTestCase

from archive.compat import annotation, is_new_upload
from archive.models import Image, NewsItem


class NewUploadTests(SimpleTestCase):
    def test_a_file_just_uploaded_is_new(self):
        image = Image(file=SimpleUploadedFile("photo.jpg", b"not stored yet"))
        self.assertTrue(is_new_upload(image.file))

    def test_a_stored_file_is_not_new(self):
        self.assertFalse(is_new_upload(Image(file="images/photo.jpg").file))

    def test_no_file_is_not_new(self):
        self.assertFalse(is_new_upload(Image().file))


class AnnotationTests(SimpleTestCase):
    def test_reads_back_what_was_annotated(self):
        queryset = NewsItem.objects.annotate(rank=Value(1.0), other=F("pk"))
        self.assertEqual(annotation(queryset, "rank"), Value(1.0))
        self.assertEqual(annotation(queryset.filter(pk=1).order_by("pk"), "rank"), Value(1.0))

    def test_none_when_not_annotated(self):
        self.assertIsNone(annotation(NewsItem.objects.all(), "rank"))
