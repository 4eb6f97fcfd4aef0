from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from archive import sitemaps
from archive.admin import (
    desk_login,
    editorial_queue,
    my_notifications,
    queue_publish,
    session_check,
)
from archive.sitemaps import SITEMAPS
from archive.views import favicon, healthz, readyz, robots_txt

# A database error outside a view answers 503, as inside one (archive/middleware.py).
handler500 = "archive.views.server_error"
# A bad address or Host header, answered in the visitor's language (archive.views.site).
handler400 = "archive.views.bad_request"
# In the admin, a refused action is answered by an admin page (archive.views.site).
handler403 = "archive.views.permission_denied"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", favicon, name="favicon"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("news-sitemap.xml", sitemaps.google_news, name="sitemap-news"),
    path("admin/login/", desk_login),
    path("admin/queue/", admin.site.admin_view(editorial_queue), name="editorial-queue"),
    path(
        "admin/queue/publish/<str:model_name>/<int:pk>/",
        admin.site.admin_view(queue_publish),
        name="queue-publish",
    ),
    path("admin/session/", admin.site.admin_view(session_check), name="desk-session"),
    path(
        "admin/notifications/",
        admin.site.admin_view(my_notifications),
        name="my-notifications",
    ),
    path("admin/", admin.site.urls),
    path("", include("archive.urls")),
]

# With debug on, runserver serves uploaded images too; in production the web
# server or the object storage does (docs/deployment.md).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
