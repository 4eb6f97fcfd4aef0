from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from archive.admin import editorial_queue
from archive.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/queue/", admin.site.admin_view(editorial_queue), name="editorial-queue"),
    path("admin/", admin.site.urls),
    path("", include("archive.urls")),
]

# With debug on, runserver serves uploaded images too; in production the web
# server or the object storage does (see README, "Deployment").
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
