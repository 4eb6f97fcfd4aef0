"""
Workflow mails: editors hear of an item sent to review, an author of their
item sent back or published.

Sent once the step's transaction has committed, so that a rolled-back step
mails no one, and never allowed to undo or break the step: a mail server that
fails is logged as a warning. Nobody is mailed about their own step, nor
without an e-mail address, nor after turning the mails off.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import PublicState

logger = logging.getLogger(__name__)

STEPS = {
    "submit": gettext_lazy("sent to review"),
    "send_back": gettext_lazy("sent back to the author"),
    "publish": gettext_lazy("published"),
}


def step_taken(*, item, user, action: str, comment: str):
    """Mail the people `action` on `item` concerns, once the step is committed."""
    if action not in STEPS:
        return
    transaction.on_commit(lambda: _send(item=item, user=user, action=action, comment=comment))


def recipients(*, item, user, action: str):
    """Who hears of `action` on `item` taken by `user`."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if action == "submit":
        users = users.filter(
            pk__in=get_user_model().objects.with_perm(
                f"archive.publish_{item._meta.model_name}",
                backend="django.contrib.auth.backends.ModelBackend",
            )
        )
    else:
        users = users.filter(pk=item.author_id)
    return list(
        users.exclude(pk=user.pk).exclude(notification_settings__email=False).order_by("pk")
    )


def message(*, item, user, action: str, comment: str, to: list) -> EmailMessage:
    meta = item._meta
    link = settings.SITE_URL + reverse(
        f"admin:{meta.app_label}_{meta.model_name}_change", args=[item.pk]
    )
    lines = [
        _("“%(title)s” (%(kind)s) was %(step)s by %(who)s.")
        % {
            "title": item,
            "kind": meta.verbose_name,
            "step": STEPS[action],
            "who": user.get_full_name() or user.get_username(),
        }
    ]
    if action == "publish" and item.public_state == PublicState.SCHEDULED:
        when = timezone.localtime(item.published_at).strftime("%d.%m.%Y %H:%M")
        lines.append(_("It is scheduled: it goes live on %(when)s.") % {"when": when})
    if comment.strip():
        lines += ["", _("Comment:"), comment.strip()]
    lines += ["", _("Open it in the admin:"), link]
    lines += [
        "",
        _("You can turn these mails off on your notifications page: %(url)s")
        % {"url": settings.SITE_URL + reverse("my-notifications")},
    ]
    subject = _("%(title)s: %(step)s") % {"title": item, "step": STEPS[action]}
    return EmailMessage(subject=subject[:200], body="\n".join(lines), to=to)


def _send(*, item, user, action, comment):
    try:
        people = recipients(item=item, user=user, action=action)
        if not people:
            return
        # One mail each, so that nobody sees who else was told.
        mails = [
            message(item=item, user=user, action=action, comment=comment, to=[person.email])
            for person in people
        ]
        get_connection(fail_silently=False).send_messages(mails)
    except Exception:
        # The step is done and recorded; a mail that cannot go must not hide that.
        logger.warning("Workflow mail for %s %s not sent", action, item, exc_info=True)
