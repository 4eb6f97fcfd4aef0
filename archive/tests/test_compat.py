"""archive/compat.py: what the app reads from Django's private API still means the same."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase

from archive.compat import is_new_upload
from archive.models import Image


class NewUploadTests(SimpleTestCase):
    def test_a_file_just_uploaded_is_new(self):
        image = Image(file=SimpleUploadedFile("photo.jpg", b"not stored yet"))
        self.assertTrue(is_new_upload(image.file))

    def test_a_stored_file_is_not_new(self):
        self.assertFalse(is_new_upload(Image(file="images/photo.jpg").file))

    def test_no_file_is_not_new(self):
        self.assertFalse(is_new_upload(Image().file))
