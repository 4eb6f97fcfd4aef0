"""
Signed preview links: a reviewer without an account sees an unpublished item
as it will appear. The link names the item and when it was made; a changed
or expired link reads as nothing.
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "archive.preview"
PREVIEWABLE = {"archive.newsitem", "archive.statement"}


def preview_url(item) -> str:
    token = signing.dumps({"model": item._meta.label_lower, "pk": item.pk}, salt=SALT)
    return reverse("archive:preview", kwargs={"token": token})


def item_from_token(token: str):
    """The item a preview token names, or None if it is forged, expired or gone."""
    try:
        data = signing.loads(
            token, salt=SALT, max_age=datetime.timedelta(days=settings.PREVIEW_LINK_DAYS)
        )
        if data["model"] not in PREVIEWABLE:
            return None
        return apps.get_model(data["model"]).objects.filter(pk=data["pk"]).first()
    except (signing.BadSignature, LookupError, KeyError, TypeError, ValueError):
        return None
