"""WSGI entry point, e.g. `gunicorn cstonews.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cstonews.settings")

application = get_wsgi_application()


def warm_up():
    """
    What each worker would otherwise work out on its first requests
    (docs/performance.md), done once by gunicorn's master before it forks
    them (gunicorn.conf.py): the public templates and the filter forms'
    widget templates compiled, and each language's translations loaded and
    its addresses known. No database or cache is touched.
    """
    from django.conf import settings
    from django.template import engines
    from django.urls import reverse
    from django.utils import translation

    from archive.filters import WIDGET_RENDERER

    for env in (engines["jinja2"].env, WIDGET_RENDERER.engine.env):
        for name in env.list_templates(extensions=["html", "xml", "txt"]):
            env.get_template(name)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("archive:home")
