import datetime
import html
import json
import re

from django.core.cache import cache
from django.test import TestCase
from django.utils import translation

from archive import services
from archive.models import Status

from .factories import NewsItemFactory, SectionFactory, UserFactory


class InterfaceLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        NewsItemFactory(
            section=SectionFactory(slug="news", name="News"),
            published_at=datetime.datetime(2020, 5, 26, 12, tzinfo=datetime.UTC),
        )

    def setUp(self):
        cache.clear()

    def test_english_by_default(self):
        response = self.client.get("/news/")
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "<h1>All news</h1>", html=True)

    def test_the_browser_language_chooses_russian(self):
        response = self.client.get("/news/", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"})
        self.assertContains(response, '<html lang="ru">')
        self.assertContains(response, "<h1>Все новости</h1>", html=True)
        self.assertContains(response, "1 материал")
        self.assertContains(response, '<label for="id_section">Раздел</label>', html=True)

    def test_the_switch_is_remembered_and_returns_to_the_page(self):
        response = self.client.get("/language/ru/", {"next": "/news/2020/?section=news"})
        self.assertRedirects(response, "/news/2020/?section=news", fetch_redirect_response=False)
        self.assertEqual(response.cookies["django_language"].value, "ru")
        page = self.client.get("/news/2020/", headers={"accept-language": "en"})
        self.assertContains(page, "<h1>Новости 2020 года</h1>", html=True)
        # Dates in the interface's language.
        self.assertContains(page, ">Май</a>")
        self.assertContains(page, 'href="/language/en/?next=/news/2020/"')
        self.client.get("/language/en/")
        self.assertContains(self.client.get("/news/2020/"), ">May</a>")

    def test_the_admin_has_its_own_switch_back_to_the_same_page(self):
        item = NewsItemFactory(title="Summit", status=Status.DRAFT, published_at=None)
        self.client.force_login(UserFactory(username="editor", role="editor"))
        change = f"/admin/archive/newsitem/{item.pk}/change/"
        page = self.client.get(change, {"_changelist_filters": "language=en"})
        switch = f"/language/ru/?next={change}%3F_changelist_filters%3Dlanguage%253Den"
        self.assertContains(page, f'<a href="{switch}" lang="ru" hreflang="ru">Русский</a>')
        response = self.client.get(switch)
        self.assertRedirects(
            response, f"{change}?_changelist_filters=language%3Den", fetch_redirect_response=False
        )
        page = self.client.get(change, headers={"accept-language": "en"})
        self.assertContains(page, "Сохранить")
        self.assertContains(page, f'href="/language/en/?next={change}"')

    def test_russian_admin_titles_decline_the_models_name(self):
        self.client.force_login(UserFactory(username="editor", role="editor"))
        russian = {"accept-language": "ru"}
        for address, title in (
            ("/admin/archive/person/", "Выберите персону для изменения"),
            ("/admin/archive/topic/add/", "Добавить тему"),
            ("/admin/archive/medialink/", "Выберите ссылку на СМИ для изменения"),
        ):
            with self.subTest(address=address):
                page = self.client.get(address, headers=russian)
                self.assertContains(page, f"<h1>{title}</h1>", html=True)
        page = self.client.get("/admin/archive/person/", headers={"accept-language": "en"})
        self.assertContains(page, "<h1>Select person to change</h1>", html=True)

    def test_the_admins_script_catalog_names_the_parts_of_a_date_and_time(self):
        # static/js/admin-a11y.js names each input of a date-and-time field with these.
        self.client.force_login(UserFactory(username="editor", role="editor"))
        catalog = self.client.get("/admin/jsi18n/", headers={"accept-language": "ru"})
        self.assertContains(catalog, '"date": "\\u0434\\u0430\\u0442\\u0430"')
        self.assertContains(catalog, '"time": "\\u0432\\u0440\\u0435\\u043c\\u044f"')

    def test_a_bad_switch_is_refused_or_stays_on_the_site(self):
        self.assertEqual(self.client.get("/language/fr/").status_code, 404)
        for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
            with self.subTest(target=target):
                response = self.client.get("/language/ru/", {"next": target})
                self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_error_pages_and_messages_are_translated(self):
        response = self.client.get(
            "/news/", {"date_from": "bad"}, headers={"accept-language": "ru"}
        )
        self.assertContains(response, "«bad» — не дата.")
        response = self.client.get("/news/nope/", headers={"accept-language": "ru"})
        self.assertContains(response, "Страница не найдена", status_code=404)
        # The search's fields are named in Russian too, and a text in Russian quotes.
        response = self.client.get(
            "/search/",
            {"q": "x", "year": "1800", "section": "nope"},
            headers={"accept-language": "ru"},
        )
        self.assertContains(response, "Год: ")
        self.assertContains(response, "Раздел: Раздела «nope» нет.")
        response = self.client.get("/news/", {"q": "x"}, headers={"accept-language": "ru"})
        self.assertContains(response, "«x»")

    def test_the_workflow_steps_of_the_change_form_are_translated(self):
        author = UserFactory(username="author", role="author")
        item = NewsItemFactory(author=author, status=Status.DRAFT, published_at=None)
        self.client.force_login(author)
        response = self.client.get(
            f"/admin/archive/newsitem/{item.pk}/change/", headers={"accept-language": "ru"}
        )
        self.assertContains(response, "Сохранить и отправить на проверку")
        # An author sends nothing back: the comment is not said to be required for that.
        self.assertContains(response, "Комментарий для журнала</label>")

    def test_a_refused_workflow_step_says_why_in_russian(self):
        editor = UserFactory(username="editor", role="editor")
        item = NewsItemFactory(title="Саммит")
        with translation.override("ru"), self.assertRaises(services.WorkflowError) as raised:
            services.submit_for_review(item=item, user=editor)
        self.assertEqual(
            str(raised.exception),
            "«Саммит» сейчас в состоянии «Опубликовано». "
            "Отправить на проверку можно только черновик.",
        )

    def test_the_delete_page_quotes_the_title_in_russian_quotes(self):
        item = NewsItemFactory(title="Саммит", status="draft", published_at=None)
        self.client.force_login(UserFactory(username="editor", role="editor"))
        page = self.client.get(
            f"/admin/archive/newsitem/{item.pk}/delete/", headers={"accept-language": "ru"}
        )
        self.assertContains(page, "Удалить новость «Саммит»?")

    def test_a_taken_address_is_said_grammatically(self):
        NewsItemFactory(slug="summit")
        self.client.force_login(UserFactory(username="editor", role="editor"))
        response = self.client.post(
            "/admin/archive/newsitem/add/",
            {"title": "Саммит", "slug": "summit", "language": "ru"},
            headers={"accept-language": "ru"},
        )
        self.assertContains(response, "значение поля «Адрес (slug)» уже занято другой записью.")

    def test_a_new_item_is_in_the_language_the_editor_works_in(self):
        self.client.force_login(UserFactory(username="author", role="author"))
        for language in ("ru", "en"):
            with self.subTest(language=language):
                response = self.client.get(
                    "/admin/archive/newsitem/add/", headers={"accept-language": language}
                )
                self.assertEqual(response.context["adminform"].form["language"].value(), language)
        # Chosen in the address, as Django's admin allows, it is that one.
        response = self.client.get(
            "/admin/archive/statement/add/?language=en", headers={"accept-language": "ru"}
        )
        self.assertEqual(response.context["adminform"].form["language"].value(), "en")

    def test_the_admins_own_messages_agree_with_every_russian_noun(self):
        # Django's Russian says "был успешно добавлен" of a feminine "новость".
        editor = UserFactory(username="editor", role="editor")
        item = NewsItemFactory(status=Status.DRAFT, published_at=None, title="Саммит")
        self.client.force_login(editor)
        russian = {"accept-language": "ru"}
        page = self.client.get(f"/admin/archive/newsitem/{item.pk}/change/", headers=russian)
        # The page's title, whatever the noun's gender.
        self.assertContains(page, "<h1>Изменить: новость</h1>", html=True)
        formsets = re.findall(r'data-inline-formset="([^"]+)"', page.content.decode())
        add_texts = {json.loads(html.unescape(found))["options"]["addText"] for found in formsets}
        self.assertEqual(
            add_texts, {"Добавить ещё: Изображение галереи", "Добавить ещё: Ссылка на СМИ"}
        )
        # The related links' titles hold no straight quotes, which would end the attribute.
        self.assertContains(page, 'title="Добавить ещё: ')
        self.assertNotContains(page, 'объект типа "')
        data = {
            "title": "Саммит",
            "slug": item.slug,
            "section": item.section_id,
            "language": "ru",
            "lead": "",
            "body": "<p>Текст.</p>",
            "expected_version": item.version,
            "media_links-TOTAL_FORMS": "0",
            "media_links-INITIAL_FORMS": "0",
            "gallery_images-TOTAL_FORMS": "0",
            "gallery_images-INITIAL_FORMS": "0",
            "_continue": "1",
        }
        response = self.client.post(
            f"/admin/archive/newsitem/{item.pk}/change/", data, headers=russian, follow=True
        )
        link = f'<a href="/admin/archive/newsitem/{item.pk}/change/">Саммит</a>'
        self.assertContains(response, f"Сохранено: новость «{link}». Ниже можно продолжить правку.")
