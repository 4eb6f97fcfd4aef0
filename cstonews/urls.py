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
