"""
Signed preview links: a reviewer without an account sees an unpublished item
as it will appear. The link names the item, the version it was made at and
the item's preview key, and when it was made. It shows the item only while
the item is a draft, in review or scheduled, and at that version or a newer
one; an editor revokes every link of an item by changing its key
(services.revoke_preview_links). A forged, expired or revoked link reads as
nothing. See docs/preview-links.md.
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import PublicState

SALT = "archive.preview"
PREVIEWABLE = {"archive.newsitem", "archive.statement"}
# The states a preview shows: an item not yet public. A live item is public
# already; an expired or archived one was taken down on purpose.
PREVIEW_STATES = {PublicState.DRAFT, PublicState.REVIEW, PublicState.SCHEDULED}


def preview_url(item) -> str:
    token = signing.dumps(
        {
            "model": item._meta.label_lower,
            "pk": item.pk,
            "version": item.version,
            "key": item.preview_key,
        },
        salt=SALT,
    )
    return reverse("archive:preview", kwargs={"token": token})


def can_preview(item) -> bool:
    """Whether a preview link may show `item` in its present state."""
    return item.public_state in PREVIEW_STATES


def item_from_token(token: str):
    """
    The item a preview token names, or None if it is forged, expired or
    revoked, if the item is gone, or if it is older than the version the
    link was made at (brought back from a backup, say).
    """
    try:
        data = signing.loads(
            token, salt=SALT, max_age=datetime.timedelta(days=settings.PREVIEW_LINK_DAYS)
        )
        if data["model"] not in PREVIEWABLE:
            return None
        item = apps.get_model(data["model"]).objects.filter(pk=data["pk"]).first()
        if item is None or item.preview_key != data["key"] or item.version < data["version"]:
            return None
        return item
    except (signing.BadSignature, LookupError, KeyError, TypeError, ValueError):
        return None
