"""Images and attachments: uploads checked by content, renditions made once, downloads."""

import datetime
import errno
import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from PIL import Image as PillowImage
from PIL import PngImagePlugin

from archive import images, pagecache, services
from archive.documents import human_size
from archive.models import Attachment, GalleryImage, Image, Status
from archive.storage import WholeFileStorage

from . import media
from .factories import NewsItemFactory, SectionFactory, StatementFactory, UserFactory


class FreshMediaMixin:
    """Each test starts with empty media folders, so that it can count files."""

    def setUp(self):
        super().setUp()
        root = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(
            override_settings(MEDIA_ROOT=root / "public", PRIVATE_MEDIA_ROOT=root / "private")
        )


def stored_files(root):
    return sorted(str(path) for path in Path(root).rglob("*") if path.is_file())


def public_files():
    return stored_files(settings.MEDIA_ROOT)


def private_files():
    return stored_files(settings.PRIVATE_MEDIA_ROOT)


def make_image(content=None, name="photo.jpg", alt="Ministers at the table", **fields):
    image = Image(alt_text=alt, **fields)
    image.file = ContentFile(content or media.image_bytes(), name=name)
    return services.save_image(image=image)


def disk_full_after(writes):
    """The media folders fill up after `writes` files: each later one fails half-written."""
    save = WholeFileStorage._save
    done = []

    def save_or_fail(storage, name, content):
        if len(done) < writes:
            done.append(name)
            return save(storage, name, content)
        return save(storage, name, HalfWritten(content.read()))

    return mock.patch.object(WholeFileStorage, "_save", save_or_fail)


class HalfWritten(ContentFile):
    """A file whose writing stops half-way, as on a full disk."""

    def chunks(self, chunk_size=None):
        self.seek(0)
        yield self.read(max(1, self.size // 2))
        raise OSError(errno.ENOSPC, "No space left on device")


def make_attachment(content=None, name="statement.docx", title="Statement on the UN Charter"):
    attachment = Attachment(title=title)
    attachment.file = ContentFile(content or media.docx_bytes(), name=name)
    attachment.full_clean()
    attachment.save()
    return attachment


class ImageUploadTests(FreshMediaMixin, TestCase):
    """What an editor meets uploading in the admin."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(username="editor", role="editor")

    def setUp(self):
        super().setUp()
        self.client.force_login(self.editor)

    def post(self, content, name, alt="A photo"):
        return self.client.post(
            "/admin/archive/image/add/",
            {"file": media.upload(content, name), "alt_text": alt, "caption": "", "credit": ""},
        )

    def test_each_accepted_type(self):
        for image_format, name in (
            ("JPEG", "photo.jpg"),
            ("PNG", "photo.png"),
            ("WEBP", "photo.webp"),
            ("GIF", "photo.gif"),
        ):
            with self.subTest(image_format=image_format):
                mode = "P" if image_format == "GIF" else "RGB"
                content = media.image_bytes(image_format, size=(900, 500), mode=mode)
                response = self.post(content, name, alt=f"A {image_format} photo")
                self.assertEqual(response.status_code, 302)
                image = Image.objects.get(alt_text=f"A {image_format} photo")
                self.assertEqual(
                    (image.format, image.width, image.height), (image_format, 900, 500)
                )
                self.assertEqual(sorted(image.renditions, key=int), ["320", "640", "900"])
                for rendition in image.sources:
                    for key in ("webp", "jpeg"):
                        self.assertTrue(Path(settings.MEDIA_ROOT, rendition[key]).is_file())

    def assertRefused(self, content, name, message, alt="A photo"):
        before = public_files()
        response = self.post(content, name, alt=alt)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, message)
        self.assertFalse(Image.objects.exists())
        self.assertEqual(public_files(), before, "a refused upload left files behind")

    def test_not_an_image(self):
        self.assertRefused(b"Just some text, not an image", "photo.jpg", "not an image we can read")

    def test_truncated_image(self):
        whole = media.image_bytes("JPEG", size=(1200, 900))
        self.assertRefused(whole[: len(whole) // 2], "photo.jpg", "or it is damaged")

    def test_svg(self):
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        self.assertRefused(svg, "drawing.svg", "SVG drawings are not accepted")
        # Whatever its name says, and with an XML declaration first.
        drawing = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'
        self.assertRefused(drawing, "photo.png", "export the drawing as a PNG")
        # A web page is no image at all.
        self.assertRefused(b"<html><script>1</script></html>", "a.jpg", "not an image we can read")

    def test_other_formats(self):
        self.assertRefused(media.image_bytes("BMP"), "photo.bmp", "BMP images are not accepted")
        self.assertRefused(media.image_bytes("TIFF"), "photo.tiff", "TIFF images are not accepted")

    def test_wrong_extension_is_stored_as_the_format(self):
        """A PNG called photo.php is accepted, and stored as a .png (test_pictures has more)."""
        response = self.post(media.image_bytes("PNG"), "photo.php")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Image.objects.get().file.name.endswith(".png"))

    @override_settings(IMAGE_MAX_BYTES=1000)
    def test_oversized_file(self):
        self.assertRefused(media.image_bytes(size=(400, 400)), "photo.jpg", "the limit is 1000")

    @override_settings(IMAGE_MAX_PIXELS=1_000_000)
    def test_too_many_pixels(self):
        content = media.image_bytes("PNG", size=(1500, 1000), mode="1")
        self.assertRefused(content, "photo.png", "1500 × 1000 pixels; the limit is 1 megapixels")

    def test_decompression_bomb(self):
        # 20,000 × 20,000 one-bit pixels: a small file that would need 400 MB.
        bomb = media.image_bytes("PNG", size=(20_000, 20_000), mode="1")
        self.assertLess(len(bomb), 200_000)
        with mock.patch.object(PillowImage.Image, "load", side_effect=AssertionError("decoded")):
            self.assertRefused(bomb, "bomb.png", "pixels")

    def test_polyglots(self):
        """Real images that are also web pages, as an attacker builds them."""
        payload = b"<html><body><script>alert(document.cookie)</script></body></html>"
        # A GIF whose comment block is a page.
        gif = io.BytesIO()
        PillowImage.new("P", (40, 30)).save(gif, "GIF", comment=payload)
        # A JPEG with the page in a comment (COM) segment.
        jpeg = io.BytesIO()
        PillowImage.new("RGB", (40, 30)).save(jpeg, "JPEG", comment=payload)
        # A PNG with the page in a text chunk.
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "<svg onload=alert(1)>")
        png = io.BytesIO()
        PillowImage.new("RGB", (40, 30)).save(png, "PNG", pnginfo=info)
        # An HTML page that starts like a GIF (GIFAR-style), opened as a GIF.
        gifar = gif.getvalue() + b"<!DOCTYPE html><script>alert(1)</script>"
        for content, name in (
            (gif.getvalue(), "a.gif"),
            (jpeg.getvalue(), "b.jpg"),
            (png.getvalue(), "c.png"),
            (gifar, "d.gif"),
        ):
            with self.subTest(name=name):
                PillowImage.open(io.BytesIO(content)).load()  # a valid image indeed
                self.assertRefused(content, name, "web-page code inside it")

    def test_camera_metadata_is_not_mistaken_for_a_page(self):
        xmp = b'<?xpacket begin="" id="W5M0MpCeh"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        jpeg = io.BytesIO()
        PillowImage.new("RGB", (40, 30)).save(jpeg, "JPEG", comment=xmp)
        self.assertEqual(self.post(jpeg.getvalue(), "camera.jpg").status_code, 302)

    def test_path_traversal_in_the_file_name(self):
        for name in ("../../../../outside.jpg", "..\\..\\outside.jpg", "/etc/cron.d/x.jpg"):
            with self.subTest(name=name):
                response = self.post(media.image_bytes(size=(50, 40)), name, alt=name)
                self.assertEqual(response.status_code, 302)
                image = Image.objects.get(alt_text=name)
                stored = Path(settings.MEDIA_ROOT, image.file.name).resolve()
                self.assertTrue(stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve()))
                self.assertRegex(image.file.name, r"^images/[0-9a-f]{32}\.jpg$")
        root = Path(settings.MEDIA_ROOT).resolve().parent
        self.assertEqual(list(root.rglob("outside*")), [])

    def test_too_tall_for_its_width(self):
        # Its 1-pixel-wide rendition would be taller than WebP allows.
        strip = media.image_bytes("PNG", size=(1, 70_000), mode="1")
        self.assertRefused(strip, "strip.png", "1 × 70000 pixels: too tall for its width")
        sideways = media.image_bytes(
            "JPEG", size=(60_000, 4), exif=media.exif_with_orientation_and_gps()
        )
        self.assertRefused(sideways, "sideways.jpg", "4 × 60000 pixels: too tall")

    def test_alt_text_is_required(self):
        response = self.post(media.image_bytes(), "photo.jpg", alt="")
        self.assertContains(response, "This field is required.")
        self.assertFalse(Image.objects.exists())

    def test_a_full_disk_is_a_form_error_and_leaves_no_file(self):
        for writes in (0, 1):  # the original half-written, or its first rendition
            with self.subTest(writes=writes), disk_full_after(writes):
                response = self.post(media.image_bytes(size=(900, 600)), "photo.jpg", "Typed")
                self.assertContains(response, "The file could not be stored (the disk is full)")
                self.assertContains(response, 'value="Typed"')
                self.assertFalse(Image.objects.exists())
                self.assertEqual(public_files(), [])


class RenditionTests(FreshMediaMixin, TestCase):
    def test_renditions_failing_leave_nothing_stored(self):
        store = images._store
        stored = []

        def store_once_then_fail(*args, **kwargs):
            if stored:
                raise OSError(errno.EIO, "No space left on device")
            stored.append(store(*args, **kwargs))
            return stored[-1]

        with (
            mock.patch.object(images, "_store", side_effect=store_once_then_fail),
            self.assertRaisesMessage(services.WorkflowError, "No space left on device"),
        ):
            make_image(media.image_bytes(size=(900, 500)))
        self.assertEqual(len(stored), 1)
        self.assertFalse(Image.objects.exists())
        self.assertEqual(public_files(), [])

    def test_renditions_apply_orientation_and_drop_metadata(self):
        content = media.image_bytes(size=(800, 600), exif=media.exif_with_orientation_and_gps())
        with PillowImage.open(io.BytesIO(content)) as original:
            self.assertEqual(original.getexif()[0x0112], 6)
        image = make_image(content)
        # 800 × 600 turned upright is 600 wide: no enlargement to 640.
        self.assertEqual(sorted(image.renditions, key=int), ["320", "600"])
        for rendition in image.sources:
            for key in ("webp", "jpeg"):
                with PillowImage.open(Path(settings.MEDIA_ROOT, rendition[key])) as made:
                    # Turned upright: taller than wide, as the camera meant it.
                    self.assertGreater(made.height, made.width)
                    self.assertEqual(dict(made.getexif()), {})
                    self.assertNotIn("exif", made.info)
                    self.assertNotIn("xmp", made.info)

    def test_small_images_get_one_rendition_at_their_own_size(self):
        image = make_image(media.image_bytes(size=(200, 100)))
        self.assertEqual(image.sources, [image.renditions["200"]])

    def test_transparent_png_gets_a_white_jpeg_background(self):
        picture = PillowImage.new("RGBA", (400, 300), (0, 0, 0, 0))
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        image = make_image(buffer.getvalue(), name="logo.png")
        with PillowImage.open(Path(settings.MEDIA_ROOT, image.sources[0]["jpeg"])) as made:
            self.assertEqual(made.getpixel((10, 10)), (255, 255, 255))

    def test_made_once_never_when_a_page_is_shown(self):
        item = NewsItemFactory(cover_image=make_image(), slug="with-photo")
        GalleryImage.objects.create(news_item=item, image=make_image(alt="Second"), position=1)
        files = public_files()
        with mock.patch("archive.images.make_renditions") as make:
            for url in ("/", "/news/", item.get_absolute_url(), item.get_absolute_url()):
                self.assertEqual(self.client.get(url).status_code, 200)
            make.assert_not_called()
        self.assertEqual(public_files(), files)

    def test_rebuild_command(self):
        first, second = make_image(), make_image(alt="Another")
        Image.objects.update(renditions={}, renditions_of="")
        err, out = io.StringIO(), io.StringIO()
        call_command("rebuild_renditions", "--missing", stdout=out, stderr=err)
        self.assertIn("[##############################] 2/2", err.getvalue())
        self.assertIn("Rebuilt the renditions of 2 images.", out.getvalue())
        for image in (first, second):
            image.refresh_from_db()
            self.assertEqual(sorted(image.renditions, key=int), ["320", "640", "800"])
        out = io.StringIO()
        call_command("rebuild_renditions", "--missing", "--dry-run", stdout=out)
        self.assertIn("0 images would be rebuilt", out.getvalue())

    def test_missing_counts_renditions_lost_from_storage_and_names_a_lost_original(self):
        kept, lost = make_image(), make_image(alt="Lost one")
        Path(settings.MEDIA_ROOT, lost.sources[0]["webp"]).unlink()
        out = io.StringIO()
        call_command("rebuild_renditions", "--missing", "--dry-run", stdout=out)
        self.assertIn("1 images would be rebuilt", out.getvalue())
        call_command("rebuild_renditions", "--missing", verbosity=0)
        lost.refresh_from_db()
        self.assertTrue(all(Path(settings.MEDIA_ROOT, r["webp"]).exists() for r in lost.sources))
        # An original lost too cannot be rebuilt: said in one line, without Python's error codes.
        Path(settings.MEDIA_ROOT, kept.file.name).unlink()
        Path(settings.MEDIA_ROOT, kept.sources[0]["jpeg"]).unlink()
        err = io.StringIO()
        with self.assertRaises(SystemExit):
            call_command("rebuild_renditions", "--missing", stderr=err, stdout=io.StringIO())
        self.assertIn(
            f"Could not rebuild image {kept.pk} ({kept.file.name}): No such file or directory",
            err.getvalue(),
        )
        self.assertNotIn("Errno", err.getvalue())

    def test_rebuilding_replaces_the_old_files(self):
        image = make_image()
        old = {r["jpeg"] for r in image.sources}
        call_command("rebuild_renditions", verbosity=0)
        image.refresh_from_db()
        new = {r["jpeg"] for r in image.sources}
        self.assertFalse(old & new)
        for name in old:
            self.assertFalse(Path(settings.MEDIA_ROOT, name).exists())


class UploadMemoryTests(TestCase):
    def test_four_large_uploads_at_once_stay_under_400_mb(self):
        # bench/uploads.py measures a fresh worker process of its own.
        script = Path(settings.BASE_DIR, "bench", "uploads.py")
        result = subprocess.run(
            [sys.executable, script, "--uploads", "4", "--megapixels", "40", "--limit-mb", "400"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("4 saved", result.stdout)


class ImagePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.section = SectionFactory(slug="news")
        cls.cover = make_image(alt="Ministers at the table", caption="The meeting", credit="TASS")
        cls.item = NewsItemFactory(section=cls.section, slug="meeting", cover_image=cls.cover)
        cls.photo = make_image(alt="The press conference", caption="Afterwards")
        GalleryImage.objects.create(news_item=cls.item, image=cls.photo, position=0)

    def test_item_page_shows_cover_and_gallery(self):
        response = self.client.get("/news/news/meeting/")
        content = response.content.decode()
        self.assertIn('alt="Ministers at the table"', content)
        self.assertIn("The meeting", content)
        self.assertIn("Photo: TASS", content)
        self.assertIn('alt="The press conference"', content)
        self.assertIn('loading="lazy"', content)  # the gallery
        self.assertIn('<source type="image/webp" srcset="', content)
        for rendition in self.cover.sources:
            self.assertIn(f"/media/{rendition['webp']} {rendition['width']}w", content)
            self.assertIn(f"/media/{rendition['jpeg']} {rendition['width']}w", content)
        largest = self.cover.sources[-1]
        self.assertIn(f'width="{largest["width"]}" height="{largest["height"]}"', content)
        self.assertIn('sizes="', content)

    def test_list_pages_show_a_thumbnail(self):
        for url in ("/news/", "/news/news/"):
            with self.subTest(url=url):
                content = self.client.get(url).content.decode()
                self.assertIn('alt="Ministers at the table"', content)
                self.assertIn('loading="lazy"', content)
                self.assertIn(f"/media/{self.cover.sources[0]['jpeg']} 320w", content)

    def test_the_home_page_loads_its_first_picture_at_once(self):
        """The first picture is the largest paint: lazy, it was fetched last."""
        earlier = self.item.published_at - datetime.timedelta(days=1)
        NewsItemFactory(section=self.section, cover_image=make_image(), published_at=earlier)
        content = self.client.get("/").content.decode()
        first, second = re.findall(r"<img [^>]*>", content)
        self.assertIn('alt="Ministers at the table"', first)
        self.assertIn('loading="eager" fetchpriority="high"', first)
        self.assertIn('loading="lazy"', second)
        self.assertNotIn("fetchpriority", second)

    def test_thumbnails_add_no_query(self):
        """Renditions are on the image row, joined to the item: none per item."""
        NewsItemFactory.create_batch(3, section=self.section)
        self.client.get("/news/")
        # The count and the page's items.
        with self.assertNumQueries(2):
            self.client.get("/news/", {"language": "en"})
        for item in NewsItemFactory.create_batch(10, section=self.section):
            item.cover_image = make_image(alt=f"Cover {item.pk}")
            item.save()
        # A new generation, as after a commit: the list's total is counted again.
        pagecache.bump()
        self.client.get("/news/")
        with self.assertNumQueries(2):
            self.client.get("/news/", {"language": "en"})


class DeletionTests(FreshMediaMixin, TestCase):
    def test_deleting_an_image_removes_its_files(self):
        image = make_image()
        self.assertTrue(public_files())
        with self.captureOnCommitCallbacks(execute=True):
            image.delete()
        self.assertEqual(public_files(), [])

    def test_a_file_still_used_elsewhere_stays(self):
        image = make_image()
        twin = Image.objects.create(alt_text="Same file", file=image.file.name)
        with self.captureOnCommitCallbacks(execute=True):
            image.delete()
        self.assertTrue(Path(settings.MEDIA_ROOT, twin.file.name).is_file())

    def test_replacing_a_file_removes_the_old_one(self):
        image = make_image()
        old_name = image.file.name
        image.file = ContentFile(media.image_bytes(size=(500, 500)), name="new.jpg")
        with self.captureOnCommitCallbacks(execute=True):
            services.save_image(image=image)
        self.assertFalse(Path(settings.MEDIA_ROOT, old_name).exists())
        self.assertEqual(image.width, 500)
        self.assertEqual(len(public_files()), 1 + 2 * len(image.sources))

    def test_bulk_delete_in_the_admin_removes_files_too(self):
        make_image()
        make_image(alt="Another")
        with self.captureOnCommitCallbacks(execute=True):
            Image.objects.all().delete()
        self.assertEqual(public_files(), [])

    def test_deleting_an_attachment_removes_its_file(self):
        attachment = make_attachment()
        self.assertEqual(len(private_files()), 1)
        with self.captureOnCommitCallbacks(execute=True):
            attachment.delete()
        self.assertEqual(private_files(), [])


class AttachmentUploadTests(FreshMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(username="editor", role="editor")

    def setUp(self):
        super().setUp()
        self.client.force_login(self.editor)

    def post(self, content, name):
        return self.client.post(
            "/admin/archive/attachment/add/",
            {"title": "The statement", "file": media.upload(content, name)},
        )

    def test_accepted_documents(self):
        for content, name, kind in (
            (media.pdf_bytes(), "a.pdf", "pdf"),
            (media.docx_bytes(), "b.docx", "docx"),
            (media.odt_bytes(), "c.odt", "odt"),
        ):
            with self.subTest(kind=kind):
                self.assertEqual(self.post(content, name).status_code, 302)
                attachment = Attachment.objects.latest("pk")
                self.assertEqual((attachment.kind, attachment.size), (kind, len(content)))
        self.assertEqual(len(private_files()), 3)
        self.assertEqual(public_files(), [])  # never among the public media

    def assertRefused(self, content, name, message):
        response = self.post(content, name)
        self.assertContains(response, message)
        self.assertFalse(Attachment.objects.exists())
        self.assertEqual(private_files(), [])

    def test_a_full_disk_is_a_form_error_and_leaves_no_file(self):
        with disk_full_after(0):
            self.assertRefused(media.pdf_bytes(), "a.pdf", "(the disk is full), so nothing")

    def test_refusals(self):
        self.assertRefused(b"MZ\x90\x00 an executable", "report.pdf", "not a PDF, DOCX or ODT")
        self.assertRefused(media.zip_bytes(), "report.docx", "not a PDF, DOCX or ODT")
        self.assertRefused(b"<html><script>alert(1)</script>", "r.odt", "not a PDF, DOCX or ODT")
        self.assertRefused(media.pdf_bytes(), "report.docx", "is a PDF document but its name")
        self.assertRefused(media.docx_bytes(), "../../etc/passwd", "rename it to .docx")

    def test_path_traversal_in_the_file_name(self):
        self.assertEqual(self.post(media.pdf_bytes(), "../../../../outside.pdf").status_code, 302)
        attachment = Attachment.objects.get()
        self.assertRegex(attachment.file.name, r"^documents/[0-9a-f]{32}\.pdf$")
        self.assertEqual(len(private_files()), 1)
        root = Path(settings.PRIVATE_MEDIA_ROOT).resolve().parent
        self.assertEqual(list(root.rglob("outside*")), [])

    @override_settings(ATTACHMENT_MAX_BYTES=100)
    def test_oversized(self):
        self.assertRefused(media.docx_bytes(), "a.docx", "the limit is 100")


class AttachmentDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.attachment = make_attachment(title="Statement on the UN Charter")
        cls.statement = StatementFactory(slug="un-charter")
        cls.statement.attachments.add(cls.attachment)

    def test_page_shows_type_and_size(self):
        response = self.client.get("/statements/un-charter/")
        self.assertContains(response, f'href="/documents/{self.attachment.pk}/"')
        size = human_size(len(media.docx_bytes()))
        self.assertContains(response, f"(DOCX, {size})")

    def test_download_headers(self):
        response = self.client.get(f"/documents/{self.attachment.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="statement-on-the-un-charter.docx"',
        )
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        # A title that is the file's own name: one extension, not “…-docx.docx”.
        self.attachment.title = "Statement on the UN Charter.DOCX"
        self.attachment.save()
        response = self.client.get(f"/documents/{self.attachment.pk}/")
        self.assertIn(
            'filename="statement-on-the-un-charter.docx"', response["Content-Disposition"]
        )
        self.assertEqual(b"".join(response.streaming_content), media.docx_bytes())

    def test_documents_of_unpublished_items_are_hidden(self):
        hidden = make_attachment(title="Draft statement")
        StatementFactory(status=Status.DRAFT).attachments.add(hidden)
        NewsItemFactory(status=Status.REVIEW).attachments.add(hidden)
        self.assertEqual(self.client.get(f"/documents/{hidden.pk}/").status_code, 404)
        orphan = make_attachment(title="Attached to nothing")
        self.assertEqual(self.client.get(f"/documents/{orphan.pk}/").status_code, 404)
        self.client.force_login(UserFactory(username="editor", role="editor"))
        response = self.client.get(f"/documents/{hidden.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])

    def test_unknown_document_is_404(self):
        self.assertEqual(self.client.get("/documents/999999/").status_code, 404)


class HumanSizeTests(TestCase):
    def test_sizes_read_as_on_the_page(self):
        self.assertEqual(human_size(925), "925 bytes")
        self.assertEqual(human_size(24 * 1024 + 100), "24 KB")
        self.assertEqual(human_size(int(1.5 * 1024 * 1024)), "1.5 MB")


class StorageSettingTests(TestCase):
    def test_documents_have_no_public_url(self):
        attachment = make_attachment()
        with self.assertRaisesMessage(ValueError, "no public URL"):
            attachment.file.url  # noqa: B018
