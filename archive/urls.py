from django.urls import path, register_converter

from . import feeds, views


class FeedLanguage:
    """The language of a feed's address other than English, which has none: "ru"."""

    regex = "ru"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FeedLanguage, "feed_language")

app_name = "archive"

# Each feed in English (/feeds/news/) and in Russian (/feeds/ru/news/), under one name.
FEEDS = [
    ("news/", feeds.NewsFeed(), "feed-news"),
    ("news/atom/", feeds.NewsAtomFeed(), "feed-news-atom"),
    ("news/<slug:section>/", feeds.SectionFeed(), "feed-section"),
    ("news/<slug:section>/atom/", feeds.SectionAtomFeed(), "feed-section-atom"),
    ("statements/", feeds.StatementFeed(), "feed-statements"),
    ("statements/atom/", feeds.StatementAtomFeed(), "feed-statements-atom"),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("news/", views.NewsListView.as_view(), name="news-list"),
    # Years before sections: a number is a year, never a section's slug.
    path("news/<int:year>/", views.NewsArchiveView.as_view(), name="news-year"),
    path("news/<int:year>/<int:month>/", views.NewsArchiveView.as_view(), name="news-month"),
    path("news/<slug:section>/", views.SectionView.as_view(), name="section"),
    path("news/<slug:section>/<slug:slug>/", views.NewsDetailView.as_view(), name="news-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("language/<str:language>/", views.switch_language, name="language"),
    *(path(f"feeds/{route}", feed, name=name) for route, feed, name in FEEDS),
    *(
        path(f"feeds/<feed_language:language>/{route}", feed, name=name)
        for route, feed, name in FEEDS
    ),
    path("statements/", views.StatementListView.as_view(), name="statement-list"),
    path("statements/<slug:slug>/", views.StatementDetailView.as_view(), name="statement-detail"),
    path("persons/", views.IndexView.as_view(kind="person"), name="person-list"),
    path("bodies/", views.IndexView.as_view(kind="body"), name="body-list"),
    path("topics/", views.IndexView.as_view(kind="topic"), name="topic-list"),
    path("persons/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("bodies/<slug:slug>/", views.BodyDetailView.as_view(), name="body-detail"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("preview/<str:token>/", views.preview_view, name="preview"),
    path(
        "preview/<str:token>/documents/<int:pk>/",
        views.preview_attachment,
        name="preview-attachment",
    ),
    path("documents/<int:pk>/", views.attachment_download, name="attachment"),
]
