"""
Images: validation by content, and renditions made once, at write time.

An upload is checked by what it is, not by its name: Pillow must read it as
a JPEG, PNG, WebP or GIF, whole (not truncated), within the size and pixel
limits, with no web-page code hidden inside (a polyglot), and its name must
end as that format's files do. Nothing is written
to storage before these checks pass.

Renditions (settings.RENDITION_WIDTHS, in WebP and JPEG) are made when an
image is saved, stored next to it, and recorded on the Image row, so that a
page shows them without a query or a computation of its own. They carry the
original's EXIF orientation applied, and no EXIF or GPS metadata.
"""

import io
import re
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image as PillowImage
from PIL import ImageOps

# Pillow format name: the file name endings such files have.
EXTENSIONS = {
    "JPEG": {".jpg", ".jpeg", ".jpe"},
    "PNG": {".png"},
    "WEBP": {".webp"},
    "GIF": {".gif"},
}
STORED_EXTENSION = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
# Markup that a browser sniffing the file as HTML (or SVG) would act on. A
# real photo has none; a polyglot (a valid image that is also a web page)
# hides it in a comment or metadata block. Camera XMP ("<?xpacket", "<x:")
# does not match.
HTML_INSIDE = re.compile(rb"<(script|html|head|body|svg|iframe|object|embed|!doctype)[\s>/]", re.I)


def check_image(file):
    """
    Raise ValidationError unless `file` is an image we accept; return its
    (format, width, height). Reads the file, leaves it rewound.
    """
    limit = settings.IMAGE_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    file.seek(0)
    if HTML_INSIDE.search(file.read()):
        file.seek(0)
        raise ValidationError(
            _("The image carries web-page code inside it; export it again from a photo editor."),
            code="polyglot",
        )
    file.seek(0)
    try:
        # Opening reads the header only: the pixel count is known before any
        # pixel is decoded, so a decompression bomb is refused unopened.
        with PillowImage.open(file) as image:
            image_format, (width, height) = image.format, image.size
            if image_format not in EXTENSIONS:
                raise ValidationError(
                    _("%(format)s images are not accepted: upload a JPEG, PNG, WebP or GIF.")
                    % {"format": image_format or _("This kind of")},
                    code="format",
                )
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise ValidationError(
                    _(
                        "The image is %(width)s × %(height)s pixels; the limit is "
                        "%(limit)s megapixels."
                    )
                    % {
                        "width": width,
                        "height": height,
                        "limit": settings.IMAGE_MAX_PIXELS // 1_000_000,
                    },
                    code="too_many_pixels",
                )
            image.load()  # decodes every pixel: a truncated file fails here
    except ValidationError:
        raise
    except PillowImage.DecompressionBombError as error:
        raise ValidationError(
            _("The image has far too many pixels to be opened safely (a decompression bomb)."),
            code="too_many_pixels",
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("The file is not an image we can read (JPEG, PNG, WebP or GIF), or it is damaged."),
            code="invalid",
        ) from error
    finally:
        file.seek(0)
    extension = PurePath(file.name or "").suffix.lower()
    if extension not in EXTENSIONS[image_format]:
        raise ValidationError(
            _(
                "The file is a %(format)s image but its name ends in “%(ext)s”; "
                "rename it to %(right)s."
            )
            % {
                "format": image_format,
                "ext": extension or _("nothing"),
                "right": STORED_EXTENSION[image_format],
            },
            code="extension",
        )
    return image_format, width, height


def image_upload_to(instance, filename):
    """An unguessable name: an image of an unpublished item is not found by guessing."""
    extension = PurePath(filename).suffix.lower()
    return f"images/{uuid.uuid4().hex}{extension}"


# --- Renditions ------------------------------------------------------------------


def rendition_widths(original_width):
    """
    Each configured width below the original's, then the original's own width
    up to the largest configured one: never an enlargement, and the sharpest
    picture that is reasonable to send.
    """
    widths = [w for w in settings.RENDITION_WIDTHS if w < original_width]
    largest = min(original_width, max(settings.RENDITION_WIDTHS))
    if largest not in widths:
        widths.append(largest)
    return widths


def make_renditions(image, *, storage=None):
    """
    Make and store the renditions of `image` (an archive.models.Image) and
    record them on it. Replaces any earlier ones. Returns the record.
    """
    storage = storage or default_storage
    delete_renditions(image.renditions, storage=storage)
    with image.file.open("rb") as source, PillowImage.open(source) as original:
        original.seek(0)  # the first frame of an animation
        picture = ImageOps.exif_transpose(original)
        if picture.mode not in ("RGB", "RGBA"):
            picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
        record = {}
        stem = f"renditions/{uuid.uuid4().hex}"
        for width in rendition_widths(picture.width):
            height = max(1, round(picture.height * width / picture.width))
            resized = picture.resize((width, height), PillowImage.Resampling.LANCZOS)
            webp, webp_bytes = _store(resized, f"{stem}-{width}.webp", "WEBP", storage, quality=80)
            jpeg, jpeg_bytes = _store(_flatten(resized), f"{stem}-{width}.jpg", "JPEG", storage)
            record[str(width)] = {
                "width": width,
                "height": height,
                "webp": webp,
                "jpeg": jpeg,
                # Sizes known now, so that a feed's enclosure never stats a file.
                "webp_bytes": webp_bytes,
                "jpeg_bytes": jpeg_bytes,
            }
    image.renditions = record
    image.renditions_of = image.file.name
    type(image).objects.filter(pk=image.pk).update(
        renditions=record, renditions_of=image.renditions_of
    )
    return record


def _flatten(picture):
    """JPEG has no transparency: put transparent pixels on white."""
    if picture.mode == "RGB":
        return picture
    background = PillowImage.new("RGB", picture.size, (255, 255, 255))
    background.paste(picture, mask=picture.getchannel("A"))
    return background


def _store(picture, name, image_format, storage, **options):
    buffer = io.BytesIO()
    # Saved from pixels alone: no EXIF, GPS or other metadata comes along.
    if image_format == "JPEG":
        options.update(quality=85, optimize=True, progressive=True)
    picture.save(buffer, image_format, **options)
    content = buffer.getvalue()
    return storage.save(name, ContentFile(content)), len(content)


def delete_renditions(renditions, *, storage=None):
    storage = storage or default_storage
    for rendition in (renditions or {}).values():
        for key in ("webp", "jpeg"):
            if rendition.get(key):
                storage.delete(rendition[key])


def renditions_are_current(image):
    return bool(image.renditions) and image.renditions_of == image.file.name
