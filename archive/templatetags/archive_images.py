"""{% picture image %}: a responsive <picture> from renditions made at upload."""

from django import template
from django.core.files.storage import default_storage

register = template.Library()

# The rendition a browser without srcset support gets.
FALLBACK_WIDTH = 640


@register.inclusion_tag("includes/picture.html")
def picture(image, sizes="100vw", loading="lazy", css_class=""):
    """
    WebP renditions for browsers that take them, JPEG for the rest, with the
    width and height the layout reserves so nothing shifts while loading.
    """
    if image is None:
        return {"image": None}
    sources = image.sources
    if not sources:
        # Renditions not made yet (the rebuild command makes them): the original.
        return {
            "image": image,
            "src": image.file.url,
            "width": image.width,
            "height": image.height,
            "loading": loading,
            "css_class": css_class,
        }
    fallback = [s for s in sources if s["width"] <= FALLBACK_WIDTH][-1:] or sources[:1]
    largest = sources[-1]
    url = default_storage.url
    return {
        "image": image,
        "webp_srcset": ", ".join(f"{url(s['webp'])} {s['width']}w" for s in sources),
        "jpeg_srcset": ", ".join(f"{url(s['jpeg'])} {s['width']}w" for s in sources),
        "sizes": sizes,
        "src": url(fallback[0]["jpeg"]),
        "width": largest["width"],
        "height": largest["height"],
        "loading": loading,
        "css_class": css_class,
    }


@register.filter
def largest_rendition(image):
    """The address of an image's largest JPEG rendition (for previews elsewhere), or ""."""
    sources = getattr(image, "sources", None)  # templates pass "" for a missing image
    if not sources:
        return ""
    return default_storage.url(sources[-1]["jpeg"])


@register.filter
def absolute(url, request):
    """`url` as an absolute address (left as it is if it already is one)."""
    return request.build_absolute_uri(url) if url else ""
