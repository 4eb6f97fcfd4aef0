"""Addresses made from titles: ASCII slugs, Russian transliterated."""

from django.utils.text import slugify

TRANSLITERATION = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "_",
            "y",
            "_",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def slug_for(title, limit=80):
    """An ASCII slug, Russian titles transliterated."""
    latin = "".join(TRANSLITERATION.get(char, char) for char in title.lower()).replace("_", "")
    slug = slugify(latin)[:limit].rstrip("-")
    return slug.rsplit("-", 1)[0] if len(slugify(latin)) > limit and "-" in slug else slug
