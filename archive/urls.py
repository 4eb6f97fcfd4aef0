from django.urls import path

from . import feeds, views

app_name = "archive"

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
    path("feeds/news/", feeds.NewsFeed(), name="feed-news"),
    path("feeds/news/atom/", feeds.NewsAtomFeed(), name="feed-news-atom"),
    path("feeds/news/<slug:section>/", feeds.SectionFeed(), name="feed-section"),
    path("feeds/news/<slug:section>/atom/", feeds.SectionAtomFeed(), name="feed-section-atom"),
    path("feeds/statements/", feeds.StatementFeed(), name="feed-statements"),
    path("feeds/statements/atom/", feeds.StatementAtomFeed(), name="feed-statements-atom"),
    path("statements/", views.StatementListView.as_view(), name="statement-list"),
    path("statements/<slug:slug>/", views.StatementDetailView.as_view(), name="statement-detail"),
    path("persons/", views.IndexView.as_view(kind="person"), name="person-list"),
    path("bodies/", views.IndexView.as_view(kind="body"), name="body-list"),
    path("topics/", views.IndexView.as_view(kind="topic"), name="topic-list"),
    path("persons/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("bodies/<slug:slug>/", views.BodyDetailView.as_view(), name="body-detail"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("preview/<str:token>/", views.preview_view, name="preview"),
    path("documents/<int:pk>/", views.attachment_download, name="attachment"),
]
