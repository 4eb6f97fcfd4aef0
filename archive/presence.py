"""
Who else has an item's change form open.

The change form tells the site every HEARTBEAT seconds that its user is still
there (static/js/presence.js), and says goodbye when the page goes away. A
session not heard from within WINDOW is gone; rows that old are deleted
lazily, by the heartbeats themselves.
"""

import datetime
import secrets

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import EditingSession

HEARTBEAT = datetime.timedelta(seconds=20)
# Three missed heartbeats: a slow network or a busy tab is not a departure.
WINDOW = datetime.timedelta(seconds=60)


def _sessions(item):
    content_type = ContentType.objects.get_for_model(item)
    return EditingSession.objects.filter(content_type=content_type, object_id=item.pk)


def touch(*, user, item, page="") -> None:
    """`user` has `item`'s form open now, in the opened page `page`."""
    now = timezone.now()
    EditingSession.objects.filter(last_seen_at__lt=now - WINDOW).delete()
    if not _sessions(item).filter(user=user).update(last_seen_at=now, page=page):
        EditingSession.objects.get_or_create(
            content_type=ContentType.objects.get_for_model(item),
            object_id=item.pk,
            user=user,
            defaults={"started_at": now, "last_seen_at": now, "page": page},
        )


def leave(*, user, item, page="") -> None:
    """
    `user` closed the page `page` of `item`'s form. A page saved or reloaded
    has already said hello again as a new page when the old one's goodbye
    arrives: that goodbye is ignored.
    """
    _sessions(item).filter(user=user, page=page).delete()


def new_page() -> str:
    """A name for one opened change page."""
    return secrets.token_urlsafe(12)


def others(*, user, item) -> list[dict]:
    """Who else has `item`'s form open: name and since when (HH:MM, the site's time)."""
    recent = (
        _sessions(item)
        .filter(last_seen_at__gte=timezone.now() - WINDOW)
        .exclude(user=user)
        .select_related("user")
        .order_by("started_at")
    )
    return [
        {
            "name": session.user.get_full_name() or session.user.get_username(),
            "since": timezone.localtime(session.started_at).strftime("%H:%M"),
        }
        for session in recent
    ]


def notice(present: list[dict]) -> str:
    """The line the change form shows, empty when no one else is there."""
    if not present:
        return ""
    names = ", ".join(
        _("%(name)s, since %(since)s") % {"name": who["name"], "since": who["since"]}
        for who in present
    )
    return _("Also editing: %(names)s") % {"names": names}
