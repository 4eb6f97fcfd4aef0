from django.contrib.auth import get_user_model
from django.test import TestCase

from .factories import MediaLinkFactory, NewsItemFactory, StatementFactory


class AdminTests(TestCase):
    """Every model is usable in the admin at Django's usual addresses."""

    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("editor", "e@example.org", "pw")
        cls.item = NewsItemFactory(title="Ministers met")
        MediaLinkFactory(news_item=cls.item)
        StatementFactory(title="On peace")

    def setUp(self):
        self.client.force_login(self.user)

    def test_changelists_and_forms_open(self):
        for model in ("section", "person", "body", "topic", "newsitem", "statement", "medialink"):
            with self.subTest(model=model):
                self.assertEqual(self.client.get(f"/admin/archive/{model}/").status_code, 200)
                self.assertEqual(self.client.get(f"/admin/archive/{model}/add/").status_code, 200)

    def test_search_filters_and_change_page(self):
        response = self.client.get("/admin/archive/newsitem/", {"q": "ministers"})
        self.assertContains(response, "Ministers met")
        response = self.client.get("/admin/archive/newsitem/", {"status__exact": "draft"})
        self.assertNotContains(response, "Ministers met")
        response = self.client.get(f"/admin/archive/newsitem/{self.item.pk}/change/")
        self.assertContains(response, "Media links")

    def test_autocomplete(self):
        response = self.client.get(
            "/admin/autocomplete/",
            {
                "term": self.item.section.name[:4],
                "app_label": "archive",
                "model_name": "newsitem",
                "field_name": "section",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.item.section.name, response.json()["results"][0]["text"])

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        self.client.logout()
        response = self.client.get("/admin/archive/newsitem/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_hostile_query_strings_never_give_a_500(self):
        for query in (
            "q=%00",
            "status__exact=%00",
            "published_at__year=99999999999",
            "published_at__year=2020&published_at__month=13&published_at__day=32",
            "section__id__exact=abc",
            "topics__id__exact=99999999999999999999999",
            "o=99",
            "p=abc",
        ):
            for model in ("newsitem", "statement"):
                with self.subTest(model=model, query=query):
                    response = self.client.get(f"/admin/archive/{model}/?{query}")
                    self.assertIn(response.status_code, (200, 302, 400))
