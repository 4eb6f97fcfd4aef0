"""Pictures on the news item form: choosers with thumbnails, and uploads without a popup."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import TestCase
from PIL import Image as PillowImage

from archive import services
from archive.models import GalleryImage, Image, Status

from . import media
from .factories import NewsItemFactory, UserFactory
from .test_media import FreshMediaMixin, disk_full_after, make_image, public_files
from .test_workflow_admin import AdminWorkflowTestCase, change_url

AUTOCOMPLETE = "/admin/autocomplete/"


class ImageChooserTests(FreshMediaMixin, TestCase):
    """Choosing a cover or gallery image shows thumbnails."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(username="editor", role="editor")

    def setUp(self):
        super().setUp()
        self.client.force_login(self.editor)

    def search(self, term, field="cover_image", model="newsitem"):
        response = self.client.get(
            AUTOCOMPLETE,
            {"term": term, "app_label": "archive", "model_name": model, "field_name": field},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()["results"]

    def test_results_carry_thumbnails(self):
        image = make_image(alt="Ministers at the table")
        [result] = self.search("Ministers")
        self.assertEqual(result["id"], str(image.pk))
        self.assertEqual(result["text"], "Ministers at the table")
        self.assertEqual(result["thumbnail"], f"{settings.MEDIA_URL}{image.sources[0]['jpeg']}")
        self.assertTrue(Path(settings.MEDIA_ROOT, image.sources[0]["jpeg"]).is_file())
        # The gallery's chooser answers the same way.
        [result] = self.search("Ministers", field="image", model="galleryimage")
        self.assertTrue(result["thumbnail"])

    def test_found_by_caption_alt_text_and_file_name(self):
        image = make_image(
            name="IMG_2024_minsk.png",
            content=media.image_bytes("PNG"),
            alt="Ministers at the table",
            caption="The Council in session",
        )
        make_image(alt="A flag", caption="Moscow")
        for term in ("Council in session", "at the table", "IMG_2024_minsk"):
            with self.subTest(term=term):
                self.assertEqual([r["id"] for r in self.search(term)], [str(image.pk)])

    def test_no_query_for_each_result(self):
        """The thumbnail comes from the row: twenty images cost what two do."""
        for n in range(2):
            make_image(alt=f"Photo {n}", content=media.image_bytes(size=(200, 100)))
        self.search("Photo")  # permissions now cached, as in a session
        with self.assertNumQueries(6) as two:
            self.assertEqual(len(self.search("Photo")), 2)
        for n in range(2, 20):
            make_image(alt=f"Photo {n}", content=media.image_bytes(size=(200, 100)))
        with self.assertNumQueries(len(two.captured_queries)):
            self.assertEqual(len(self.search("Photo")), 20)

    def test_form_shows_the_chosen_images(self):
        cover = make_image(alt="The cover")
        in_gallery = make_image(alt="In the gallery", content=media.image_bytes(size=(500, 300)))
        item = NewsItemFactory(cover_image=cover)
        GalleryImage.objects.create(news_item=item, image=in_gallery)
        response = self.client.get(change_url(item))
        self.assertContains(
            response,
            f'<span class="image-chooser-preview"><img src="{settings.MEDIA_URL}'
            f'{cover.sources[0]["jpeg"]}" alt="" width="80"></span>',
            html=True,
        )
        self.assertContains(response, f'src="{settings.MEDIA_URL}{in_gallery.sources[0]["jpeg"]}"')
        self.assertContains(response, "js/image-chooser.js")
        self.assertContains(response, 'enctype="multipart/form-data"')
        # The chosen option carries its thumbnail for the script.
        self.assertContains(
            response, f'data-thumbnail="{settings.MEDIA_URL}{cover.sources[0]["jpeg"]}"'
        )


class UploadOnItemFormTests(FreshMediaMixin, AdminWorkflowTestCase):
    """An image uploaded on the item's own form, with its alternative text."""

    def upload_data(self, item, content=None, name="photo.jpg", **fields):
        data = self.form_data(item)
        data.update(
            new_image=media.upload(content or media.image_bytes(size=(900, 600)), name),
            new_image_alt_text="Ministers at the table",
            new_image_caption="The Council in session",
            new_image_credit="CSTO press service",
            new_image_place="cover",
        )
        data.update(fields)
        return data

    def test_upload_becomes_the_cover(self):
        item = NewsItemFactory(author=self.author, section=self.section, status=Status.DRAFT)
        self.login(self.editor)
        response = self.client.post(change_url(item), self.upload_data(item))
        self.assertEqual(response.status_code, 302)
        image = Image.objects.get()
        self.assertEqual(
            (image.alt_text, image.caption, image.credit, image.original_name),
            ("Ministers at the table", "The Council in session", "CSTO press service", "photo.jpg"),
        )
        self.assertEqual(sorted(image.renditions, key=int), ["320", "640", "900"])
        item.refresh_from_db()
        self.assertEqual(item.cover_image, image)
        self.assertEqual(item.version, 2)

    def test_upload_joins_the_gallery_at_its_end(self):
        item = NewsItemFactory(author=self.author, section=self.section, status=Status.DRAFT)
        earlier = make_image(alt="Earlier")
        GalleryImage.objects.create(news_item=item, image=earlier, position=4)
        self.login(self.editor)
        data = self.upload_data(item, new_image_place="gallery")
        data.update(
            {
                "gallery_images-TOTAL_FORMS": "1",
                "gallery_images-INITIAL_FORMS": "1",
                "gallery_images-0-id": item.gallery_images.get().pk,
                "gallery_images-0-news_item": item.pk,
                "gallery_images-0-image": earlier.pk,
                "gallery_images-0-position": "4",
            }
        )
        response = self.client.post(change_url(item), data)
        self.assertEqual(response.status_code, 302)
        new = Image.objects.get(alt_text="Ministers at the table")
        self.assertEqual(
            [(g.image, g.position) for g in item.gallery_images.all()], [(earlier, 4), (new, 5)]
        )
        item.refresh_from_db()
        self.assertIsNone(item.cover_image)

    def test_missing_alt_text_is_an_error_and_nothing_is_saved(self):
        item = NewsItemFactory(
            author=self.author, section=self.section, status=Status.DRAFT, title="Old title"
        )
        self.login(self.editor)
        data = self.upload_data(item, new_image_alt_text="", title="A new title")
        response = self.client.post(change_url(item), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Write the alternative text of the new image")
        self.assertContains(response, "choose the image file again")
        # What was typed comes back.
        self.assertContains(response, 'value="A new title"')
        self.assertContains(response, 'value="The Council in session"')
        self.assertFalse(Image.objects.exists())
        self.assertEqual(public_files(), [])
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("Old title", 1))

    def test_text_for_a_new_image_without_its_file_is_not_dropped(self):
        # The file is what a browser drops when the form comes back with an error.
        item = NewsItemFactory(
            author=self.author, section=self.section, status=Status.DRAFT, title="Old title"
        )
        self.login(self.author)
        data = self.upload_data(item, new_image="", title="A new title")
        response = self.client.post(change_url(item), data)
        self.assertContains(response, "Choose the image file: the text typed for the new image")
        self.assertContains(response, 'value="Ministers at the table"')
        self.assertContains(response, 'value="The Council in session"')
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("Old title", 1))
        # Cleared, the form saves without a new image.
        data.update(new_image_alt_text="", new_image_caption="", new_image_credit="")
        self.assertEqual(self.client.post(change_url(item), data).status_code, 302)
        item.refresh_from_db()
        self.assertEqual((item.title, item.cover_image), ("A new title", None))
        self.assertFalse(Image.objects.exists())

    def test_a_file_that_is_no_image_asks_for_a_file_again(self):
        item = NewsItemFactory(author=self.author, section=self.section, status=Status.DRAFT)
        self.login(self.author)
        data = self.upload_data(item, content=b"<html>not an image</html>")
        response = self.client.post(change_url(item), data)
        self.assertContains(response, "Then choose a file again")
        self.assertContains(response, 'value="Ministers at the table"')
        self.assertFalse(Image.objects.exists())

    def test_a_full_disk_is_an_error_and_nothing_is_saved(self):
        item = NewsItemFactory(
            author=self.author, section=self.section, status=Status.DRAFT, title="Old title"
        )
        self.login(self.editor)
        with disk_full_after(1):  # the original fits, its renditions do not
            response = self.client.post(change_url(item), self.upload_data(item, title="Typed"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The file could not be stored (the disk is full)")
        self.assertContains(response, 'value="Typed"')
        self.assertContains(response, 'value="The Council in session"')
        self.assertFalse(Image.objects.exists())
        self.assertEqual(public_files(), [])
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("Old title", 1))

    def test_invalid_files_are_refused(self):
        item = NewsItemFactory(author=self.author, section=self.section, status=Status.DRAFT)
        self.login(self.editor)
        for content, name, message in (
            (b"Just some text, not an image", "photo.jpg", "not an image we can read"),
            (media.image_bytes("BMP"), "photo.bmp", "BMP images are not accepted"),
        ):
            with self.subTest(name=name):
                response = self.client.post(change_url(item), self.upload_data(item, content, name))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
                self.assertFalse(Image.objects.exists())
                self.assertEqual(public_files(), [])
                item.refresh_from_db()
                self.assertEqual(item.version, 1)

    def test_refused_workflow_step_leaves_no_files(self):
        """The image is stored before the step is refused: its row and files both go."""
        item = NewsItemFactory(author=self.author, section=self.section, status=Status.DRAFT)
        self.login(self.editor)
        data = self.upload_data(item, workflow="send_back")  # a draft cannot be sent back
        response = self.client.post(change_url(item), data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Image.objects.exists())
        self.assertEqual(public_files(), [])

    def test_author_uploads_to_own_draft(self):
        item = NewsItemFactory(author=self.author, section=self.section, status=Status.DRAFT)
        self.login(self.author)
        self.assertContains(self.client.get(change_url(item)), 'name="new_image"')
        response = self.client.post(change_url(item), self.upload_data(item))
        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertEqual(item.cover_image.alt_text, "Ministers at the table")

    def test_author_may_not_upload_to_an_item_they_may_not_change(self):
        published = NewsItemFactory(
            author=self.author, section=self.section, status=Status.PUBLISHED
        )
        theirs = NewsItemFactory(
            author=self.other_author, section=self.section, status=Status.DRAFT, slug="theirs"
        )
        self.login(self.author)
        # Their own published item answers its read-only page with the refusal.
        for item, status in ((published, 200), (theirs, 403)):
            with self.subTest(item=item.slug):
                self.assertNotContains(self.client.get(change_url(item)), 'name="new_image"')
                response = self.client.post(change_url(item), self.upload_data(item))
                self.assertEqual(response.status_code, status)
                self.assertNotContains(response, 'name="new_image"', status_code=status)
                self.assertFalse(Image.objects.exists())
                self.assertEqual(public_files(), [])

    def test_without_add_image_permission_no_upload(self):
        plain = UserFactory(username="plain")
        plain.user_permissions.add(
            *Permission.objects.filter(codename__in=["change_newsitem", "view_newsitem"])
        )
        item = NewsItemFactory(author=plain, section=self.section, status=Status.DRAFT)
        self.login(plain)
        response = self.client.get(change_url(item))
        self.assertContains(response, 'name="title"')  # the form itself is open to them
        self.assertNotContains(response, 'name="new_image"')
        response = self.client.post(change_url(item), self.upload_data(item))
        self.assertContains(response, "You may not upload images.")
        self.assertFalse(Image.objects.exists())


class WrongExtensionTests(FreshMediaMixin, TestCase):
    """A file is stored under the extension of what it is, not of what it is called."""

    def test_png_called_jpg_is_stored_as_png(self):
        image = make_image(content=media.image_bytes("PNG", size=(700, 400)), name="photo.jpg")
        self.assertEqual(image.format, "PNG")
        self.assertTrue(image.file.name.endswith(".png"), image.file.name)
        self.assertEqual(image.original_name, "photo.jpg")
        with PillowImage.open(Path(settings.MEDIA_ROOT, image.file.name)) as stored:
            self.assertEqual((stored.format, stored.size), ("PNG", (700, 400)))

    def test_jpeg_without_extension_is_stored_as_jpg(self):
        image = make_image(content=media.image_bytes("JPEG"), name="IMG-20240101-WA0001")
        self.assertTrue(image.file.name.endswith(".jpg"), image.file.name)

    def test_not_an_image_stays_refused_whatever_its_name(self):
        for name in ("photo.jpg", "photo.png"):
            with self.subTest(name=name), self.assertRaises(services.WorkflowError):
                make_image(content=b"GIF89a but not really", name=name)
        self.assertFalse(Image.objects.exists())
        self.assertEqual(public_files(), [])
