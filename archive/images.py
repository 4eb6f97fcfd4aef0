"""
Images: validation by content, and renditions made once, at write time.

An upload is checked by what it is, not by its name: Pillow must read it as
a JPEG, PNG, WebP or GIF, whole (not truncated), within the size and pixel
limits, with no web-page code hidden inside (a polyglot). Its name does not
matter: it is stored under the extension of the format it has (a PNG sent
as `photo.jpg` becomes `….png`). Nothing is written to storage before these
checks pass.

Renditions (settings.RENDITION_WIDTHS, in WebP and JPEG) are made when an
image is saved, stored next to it, and recorded on the Image row, so that a
page shows them without a query or a computation of its own. They carry the
original's EXIF orientation applied, and no EXIF or GPS metadata.

Memory is bounded: a worker decodes one upload's pixels at a time (DECODING),
JPEGs are decoded at the smallest scale their renditions allow, and a
picture is shrunk to its largest rendition before anything else is done
with it. docs/media.md has the figures.
"""

import contextlib
import ctypes
import io
import math
import re
import threading
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags
from PIL import Image as PillowImage

# The formats accepted (Pillow's names), and the extension each is stored under.
STORED_EXTENSION = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
# The start of an SVG drawing, which Pillow does not read.
SVG = re.compile(rb"<svg[\s>]", re.I)
# Markup that a browser sniffing the file as HTML (or SVG) would act on. A
# real photo has none; a polyglot (a valid image that is also a web page)
# hides it in a comment or metadata block. Camera XMP ("<?xpacket", "<x:")
# does not match.
HTML_INSIDE = re.compile(rb"<(script|html|head|body|svg|iframe|object|embed|!doctype)[\s>/]", re.I)
# WebP holds at most this many pixels on a side: a rendition taller than that
# could not be made, so such an image is refused before it is stored.
WEBP_MAX_SIDE = 16383
# At most one upload's pixels are decoded at a time in a worker process: each
# can take hundreds of megabytes, and concurrent uploads would add them up.
DECODING = threading.Lock()
try:
    # glibc keeps memory freed by a thread for that thread; this returns it.
    malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
except (OSError, AttributeError):
    malloc_trim = None
# EXIF orientation: the transposition that shows the picture upright.
UPRIGHT = {
    2: PillowImage.Transpose.FLIP_LEFT_RIGHT,
    3: PillowImage.Transpose.ROTATE_180,
    4: PillowImage.Transpose.FLIP_TOP_BOTTOM,
    5: PillowImage.Transpose.TRANSPOSE,
    6: PillowImage.Transpose.ROTATE_270,
    7: PillowImage.Transpose.TRANSVERSE,
    8: PillowImage.Transpose.ROTATE_90,
}
SIDEWAYS = {5, 6, 7, 8}


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
    try:
        # Opening reads the header only: the pixel count is known before any
        # pixel is decoded, so a decompression bomb is refused unopened.
        with PillowImage.open(file) as image:
            image_format, (width, height) = image.format, image.size
            if image_format not in STORED_EXTENSION:
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
        # Only for what is an image: a web page or a drawing is simply not one.
        file.seek(0)
        if HTML_INSIDE.search(file.read()):
            raise ValidationError(
                _(
                    "The image carries web-page code inside it; export it again from a photo "
                    "editor."
                ),
                code="polyglot",
            )
        file.seek(0)
        with decoding():
            orientation = _decode(file)
        _check_renditions_fit(upright(width, height, orientation))
    except ValidationError:
        raise
    except PillowImage.DecompressionBombError as error:
        raise ValidationError(
            _("The image has far too many pixels to be opened safely (a decompression bomb)."),
            code="too_many_pixels",
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        file.seek(0)
        if SVG.search(file.read(4096)):
            raise ValidationError(
                _("SVG drawings are not accepted: export the drawing as a PNG and upload that."),
                code="format",
            ) from error
        raise ValidationError(
            _("The file is not an image we can read (JPEG, PNG, WebP or GIF), or it is damaged."),
            code="invalid",
        ) from error
    finally:
        file.seek(0)
    return image_format, width, height


@contextlib.contextmanager
def decoding():
    """
    Hold DECODING while full-size pixels exist; when they are freed, give
    the memory back to the system, so that the next upload, in another
    thread, does not add to it.
    """
    with DECODING:
        try:
            yield
        finally:
            if malloc_trim:
                malloc_trim(0)


def _decode(file):
    """Decode every pixel of `file`, so that a truncated file fails; return its EXIF orientation."""
    file.seek(0)
    with PillowImage.open(file) as image:
        # A JPEG is decoded at an eighth of its size: every byte is still
        # read, so a truncated file fails here all the same.
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
        # Read after the pixels: a PNG's EXIF may follow them.
        return image.getexif().get(ExifTags.Base.Orientation)


def upright(width, height, orientation):
    """(width, height) as shown, the EXIF orientation applied."""
    return (height, width) if orientation in SIDEWAYS else (width, height)


def _check_renditions_fit(size):
    width, height = size
    tallest = round(height * rendition_widths(width)[-1] / width)
    if tallest > WEBP_MAX_SIDE:
        raise ValidationError(
            _(
                "The image is %(width)s × %(height)s pixels: too tall for its width to be "
                "shown on a page. Crop it, or split it into several images."
            )
            % {"width": width, "height": height},
            code="proportions",
        )


def image_upload_to(instance, filename):
    """
    An unguessable name (an image of an unpublished item is not found by
    guessing), ending as the format check_image found: files from messengers
    often carry the wrong extension, and a server would send them with the
    wrong type.
    """
    extension = STORED_EXTENSION.get(instance.format) or PurePath(filename).suffix.lower()
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
    record them on it. Replaces any earlier ones. Returns the record. If one
    fails, those already stored are deleted before the error goes on.
    """
    storage = storage or default_storage
    delete_renditions(image.renditions, storage=storage)
    record = {}
    try:
        with decoding():
            _store_renditions(image.file, record, storage)
    except Exception:
        delete_renditions(record, storage=storage)
        raise
    image.renditions = record
    image.renditions_of = image.file.name
    type(image).objects.filter(pk=image.pk).update(
        renditions=record, renditions_of=image.renditions_of
    )
    return record


def _store_renditions(file, record, storage):
    """Store each rendition of `file`, entering it in `record` once stored."""
    stem = f"renditions/{uuid.uuid4().hex}"
    with file.open("rb") as source, PillowImage.open(source) as original:
        picture = _largest_rendition(original)
        for width in rendition_widths(picture.width):
            height = max(1, round(picture.height * width / picture.width))
            resized = picture.resize((width, height), PillowImage.Resampling.LANCZOS)
            rendition = record[str(width)] = {"width": width, "height": height}
            # Sizes known now, so that a feed's enclosure never stats a file.
            rendition["webp"], rendition["webp_bytes"] = _store(
                resized, f"{stem}-{width}.webp", "WEBP", storage, quality=80
            )
            rendition["jpeg"], rendition["jpeg_bytes"] = _store(
                _flatten(resized), f"{stem}-{width}.jpg", "JPEG", storage
            )


def _largest_rendition(original):
    """
    The first frame of `original`, upright, in RGB or RGBA, at the width of
    its largest rendition: the only full-size pixels are those decoded.
    """
    original.seek(0)  # the first frame of an animation
    # A PNG's EXIF may follow its pixels, so reading it decodes them; a
    # JPEG's is in its header, so draft() below still applies.
    orientation = original.getexif().get(ExifTags.Base.Orientation)
    width = upright(*original.size, orientation)[0]
    largest = rendition_widths(width)[-1]
    scale = largest / width
    # A JPEG decodes straight to the smallest scale (1/2, 1/4, 1/8) that is
    # still at least as large as needed; other formats ignore this.
    original.draft(
        original.mode,
        (max(1, math.ceil(original.width * scale)), max(1, math.ceil(original.height * scale))),
    )
    picture = original
    if picture.mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
    # Shrunk in place, on the side that is the width once upright.
    if orientation in SIDEWAYS:
        picture.thumbnail((picture.width, largest), PillowImage.Resampling.LANCZOS)
    else:
        picture.thumbnail((largest, picture.height), PillowImage.Resampling.LANCZOS)
    if orientation in UPRIGHT:
        picture = picture.transpose(UPRIGHT[orientation])
    return picture


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


def renditions_are_stored(image, storage=None):
    """Whether every rendition the image's row names is in storage too (not lost since)."""
    storage = storage or default_storage
    return all(
        storage.exists(rendition[key])
        for rendition in (image.renditions or {}).values()
        for key in ("webp", "jpeg")
        if rendition.get(key)
    )
