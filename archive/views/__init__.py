"""The public pages, by what visitors see; urls.py and tests import them from here."""

from .news import HomeView, NewsArchiveView, NewsDetailView, NewsListView, SectionView
from .search import SearchView
from .site import (
    attachment_download,
    bad_request,
    favicon,
    healthz,
    permission_denied,
    preview_attachment,
    preview_view,
    readyz,
    robots_txt,
    server_error,
    switch_language,
)
from .statements import StatementDetailView, StatementListView
from .tags import BodyDetailView, IndexView, PersonDetailView, TopicDetailView

__all__ = [
    "BodyDetailView",
    "HomeView",
    "IndexView",
    "NewsArchiveView",
    "NewsDetailView",
    "NewsListView",
    "PersonDetailView",
    "SearchView",
    "SectionView",
    "StatementDetailView",
    "StatementListView",
    "TopicDetailView",
    "attachment_download",
    "bad_request",
    "favicon",
    "healthz",
    "permission_denied",
    "preview_attachment",
    "preview_view",
    "readyz",
    "robots_txt",
    "server_error",
    "switch_language",
]
