from django.urls import path

from . import views

app_name = "archive"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("news/", views.NewsListView.as_view(), name="news-list"),
    path("news/<slug:section>/", views.SectionView.as_view(), name="section"),
    path("news/<slug:section>/<slug:slug>/", views.NewsDetailView.as_view(), name="news-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("statements/", views.StatementListView.as_view(), name="statement-list"),
    path("statements/<slug:slug>/", views.StatementDetailView.as_view(), name="statement-detail"),
    path("persons/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("bodies/<slug:slug>/", views.BodyDetailView.as_view(), name="body-detail"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("preview/<str:token>/", views.preview_view, name="preview"),
    path("documents/<int:pk>/", views.attachment_download, name="attachment"),
]
