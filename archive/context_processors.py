from django.urls import reverse

from .taxonomy import taxonomy


def navigation(request):
    """The top-level sections for the main navigation, from the cached taxonomy."""

    def sections():
        return [
            {"name": name, "url": reverse("archive:section", args=[slug])}
            for slug, name in taxonomy()["top"]
        ]

    # Read only when a template shows it (never for /healthz or feeds).
    return {"nav_sections": sections}
