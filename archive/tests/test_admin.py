import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from archive.models import Attachment, GalleryImage, Image, NewsItem, Revision, Status

from . import media
from .factories import (
    BodyFactory,
    MediaLinkFactory,
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
    StatementFactory,
    TopicFactory,
    UserFactory,
)
from .test_media import FreshMediaMixin, make_attachment, make_image


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

    def test_the_list_writes_dates_as_the_workflow_log_does(self):
        when = timezone.localtime(self.item.published_at).strftime("%d.%m.%Y %H:%M")
        self.assertContains(self.client.get("/admin/archive/newsitem/"), when)

    def test_changelists_and_forms_open(self):
        for model in ("section", "person", "body", "topic", "newsitem", "statement", "medialink"):
            with self.subTest(model=model):
                self.assertEqual(self.client.get(f"/admin/archive/{model}/").status_code, 200)
                self.assertEqual(self.client.get(f"/admin/archive/{model}/add/").status_code, 200)

    def test_search_filters_and_change_page(self):
        response = self.client.get("/admin/archive/newsitem/", {"q": "ministers"})
        self.assertContains(response, "Ministers met")
        response = self.client.get("/admin/archive/newsitem/", {"state": "draft"})
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

    def test_the_translation_chooser_tells_items_of_one_title_apart(self):
        NewsItemFactory(title="Ministers met", status="draft", published_at=None, slug="stray")
        response = self.client.get(
            "/admin/autocomplete/",
            {
                "term": "Ministers",
                "app_label": "archive",
                "model_name": "newsitem",
                "field_name": "translation",
            },
        )
        published = timezone.localtime(self.item.published_at).strftime("%d.%m.%Y")
        self.assertEqual(
            sorted(result["text"] for result in response.json()["results"]),
            [
                "Ministers met · Draft · English",
                f"Ministers met · Published · {published} · English",
            ],
        )

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        self.client.logout()
        response = self.client.get("/admin/archive/newsitem/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_hostile_query_strings_never_give_a_500(self):
        for query in (
            "q=%00",
            "state=%00",
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


class PublicPageLinkTests(TestCase):
    """Persons, bodies and topics link to their public page, only while they have one."""

    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("editor", "e@example.org", "pw")
        cls.public = {"person": PersonFactory(), "body": BodyFactory(), "topic": TopicFactory()}
        cls.hidden = {"person": PersonFactory(), "body": BodyFactory(), "topic": TopicFactory()}
        item = NewsItemFactory()
        item.persons.add(cls.public["person"])
        item.bodies.add(cls.public["body"])
        item.topics.add(cls.public["topic"])
        draft = NewsItemFactory(status=Status.DRAFT, published_at=None)
        draft.persons.add(cls.hidden["person"])
        draft.bodies.add(cls.hidden["body"])
        draft.topics.add(cls.hidden["topic"])

    def setUp(self):
        self.client.force_login(self.user)

    def test_view_on_site_only_for_a_public_page(self):
        for kind, obj in self.public.items():
            with self.subTest(kind=kind):
                url = obj.get_absolute_url()
                response = self.client.get(f"/admin/archive/{kind}/{obj.pk}/change/")
                self.assertContains(response, f'href="{url}" class="viewsitelink"')
                self.assertContains(response, f'<a href="{url}">{url}</a>', html=True)
                self.assertEqual(self.client.get(url).status_code, 200)
        for kind, obj in self.hidden.items():
            with self.subTest(kind=kind):
                response = self.client.get(f"/admin/archive/{kind}/{obj.pk}/change/")
                self.assertNotContains(response, "viewsitelink")
                self.assertContains(response, "Not public yet: no published item shows it.")
                self.assertEqual(self.client.get(obj.get_absolute_url()).status_code, 404)

    def test_the_list_has_a_public_page_column(self):
        for kind in self.public:
            with self.subTest(kind=kind):
                response = self.client.get(f"/admin/archive/{kind}/")
                url = self.public[kind].get_absolute_url()
                self.assertContains(response, "Public page")
                self.assertContains(response, f'<a href="{url}">{url}</a>', html=True)
                self.assertNotContains(response, f'href="{self.hidden[kind].get_absolute_url()}"')
                self.assertContains(response, "Not public yet", count=1)

    def test_the_column_costs_no_query_per_row(self):
        self.client.get("/admin/archive/person/")
        with CaptureQueriesContext(connection) as few:
            self.client.get("/admin/archive/person/")
        PersonFactory.create_batch(20)
        with self.assertNumQueries(len(few)):
            response = self.client.get("/admin/archive/person/")
        self.assertContains(response, "Not public yet", count=21)

    def test_published_since_the_link_appears(self):
        person = self.hidden["person"]
        with self.captureOnCommitCallbacks(execute=True):
            NewsItemFactory().persons.add(person)
        response = self.client.get(f"/admin/archive/person/{person.pk}/change/")
        self.assertContains(response, f'href="{person.get_absolute_url()}" class="viewsitelink"')

    def test_the_add_form_has_no_public_page(self):
        response = self.client.get("/admin/archive/person/add/")
        self.assertNotContains(response, "Public page")
        self.assertNotContains(response, "viewsitelink")


class DeskTests(TestCase):
    """The admin is the press office's desk: named for the archive, opening on the queue."""

    def setUp(self):
        author = UserFactory(username="author", role="author")
        author.set_password("a-long-password-1")
        author.save()

    def sign_in(self, query=""):
        """As a browser does: the form, then its fields posted back."""
        following = self.client.get(f"/admin/login/{query}").context["next"]
        return self.client.post(
            f"/admin/login/{query}",
            {"username": "author", "password": "a-long-password-1", "next": following},
        )

    def test_staff_land_on_the_editorial_queue_after_signing_in(self):
        self.assertRedirects(self.sign_in(), "/admin/queue/")

    def test_a_page_asked_for_before_signing_in_comes_first(self):
        response = self.sign_in("?next=/admin/archive/newsitem/")
        self.assertRedirects(response, "/admin/archive/newsitem/")

    def test_the_admin_is_named_for_the_archive_in_both_languages(self):
        response = self.client.get("/admin/login/")
        self.assertContains(response, "CSTO News Archive")
        self.assertNotContains(response, "Django administration")
        # The request leaves Russian active in this thread; the override puts English back.
        with translation.override("en"):
            response = self.client.get("/admin/login/", headers={"accept-language": "ru"})
        self.assertContains(response, "Архив новостей ОДКБ")


class ItemPartPermissionTests(FreshMediaMixin, TestCase):
    """
    Media links, images and attachments follow the rule of the items that show
    them: an author changes only what belongs to their own drafts, an editor
    anything, and every change is in the history of the items showing it.
    """

    @classmethod
    def setUpTestData(cls):
        cls.author = UserFactory(username="author", role="author")
        cls.editor = UserFactory(username="editor", role="editor")
        cls.published = NewsItemFactory(slug="ministers-met", author=cls.author)
        cls.link = MediaLinkFactory(news_item=cls.published, url="https://example.org/tass/")
        cls.draft = NewsItemFactory(status=Status.DRAFT, published_at=None, author=cls.author)
        cls.draft_link = MediaLinkFactory(news_item=cls.draft, url="https://example.org/draft/")

    def link_data(self, link, **changes):
        return {
            "news_item": link.news_item_id,
            "outlet": link.outlet,
            "title": link.title,
            "url": link.url,
            "date": "",
            "position": link.position,
            **changes,
        }

    def post_link(self, link, **changes):
        url = f"/admin/archive/medialink/{link.pk}/change/"
        return self.client.post(url, self.link_data(link, **changes))

    def test_the_item_chooser_of_a_link_offers_only_items_its_writer_may_change(self):
        other = NewsItemFactory(status=Status.DRAFT, published_at=None, author=self.editor)
        query = {"term": "", "app_label": "archive", "model_name": "medialink"}
        for user, offered in ((self.author, {self.draft}), (self.editor, {self.draft, other})):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(
                    "/admin/autocomplete/", {**query, "field_name": "news_item"}
                )
                found = {int(result["id"]) for result in response.json()["results"]}
                self.assertEqual(found - {self.published.pk}, {item.pk for item in offered})
                # What is offered is what the form takes.
                self.assertEqual(self.published.pk in found, user == self.editor)

    def history(self, item):
        return self.client.get(f"/admin/archive/newsitem/{item.pk}/history/")

    def test_an_author_cannot_change_add_or_delete_links_of_a_published_item(self):
        self.client.force_login(self.author)
        response = self.post_link(self.link, url="https://evil.example/")
        self.assertEqual(response.status_code, 403)
        response = self.client.post(
            "/admin/archive/medialink/add/",
            self.link_data(self.link, url="https://evil.example/added/"),
        )
        self.assertContains(response, "Select a valid choice")
        delete = f"/admin/archive/medialink/{self.link.pk}/delete/"
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        response = self.client.post(
            "/admin/archive/medialink/",
            {"action": "delete_selected", "_selected_action": [self.link.pk], "post": "yes"},
        )
        self.assertEqual(response.status_code, 403)
        # A draft's link cannot be moved onto the published item either.
        response = self.post_link(self.draft_link, news_item=self.published.pk)
        self.assertContains(response, "Select a valid choice")

        self.assertEqual(
            list(self.published.media_links.values_list("url", flat=True)),
            ["https://example.org/tass/"],
        )
        page = self.client.get(self.published.get_absolute_url())
        self.assertContains(page, "https://example.org/tass/")
        self.assertNotContains(page, "evil.example")
        self.assertFalse(Revision.for_item(self.published).exists())

    def test_an_author_changes_the_links_of_their_own_draft_with_a_revision(self):
        self.client.force_login(self.author)
        response = self.post_link(self.draft_link, url="https://example.org/new/")
        self.assertEqual(response.status_code, 302)
        self.draft.refresh_from_db()
        revision = Revision.for_item(self.draft).get()
        self.assertEqual((revision.version, revision.user), (self.draft.version, self.author))
        self.assertEqual(revision.data["media_links"][0]["url"], "https://example.org/new/")

    def test_an_editor_changes_a_published_link_and_the_item_history_says_so(self):
        self.client.force_login(self.editor)
        response = self.post_link(self.link, url="https://example.org/moved/")
        self.assertEqual(response.status_code, 302)
        self.assertContains(
            self.client.get(self.published.get_absolute_url()), "https://example.org/moved/"
        )
        history = self.history(self.published)
        self.assertContains(history, f"Media link “{self.link}” changed")
        self.assertContains(history, "editor")

        response = self.client.post(
            f"/admin/archive/medialink/{self.link.pk}/delete/", {"post": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertContains(self.history(self.published), f"Media link “{self.link}” deleted")
        self.assertEqual(Revision.for_item(self.published).first().data["media_links"], [])

    def image_data(self, image, content):
        return {
            "file": media.upload(content, "new.png"),
            "alt_text": image.alt_text,
            "caption": "",
            "credit": "",
        }

    def test_an_author_cannot_replace_the_cover_of_a_published_item(self):
        cover = make_image()
        NewsItem.objects.filter(pk=self.published.pk).update(cover_image=cover)
        self.client.force_login(self.author)
        url = f"/admin/archive/image/{cover.pk}/change/"
        response = self.client.post(url, self.image_data(cover, media.image_bytes("PNG")))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Image.objects.get(pk=cover.pk).file.name, cover.file.name)
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'type="file"')

    def test_a_shared_image_is_the_authors_only_if_every_item_using_it_is_their_draft(self):
        photo = make_image()
        GalleryImage.objects.create(news_item=self.draft, image=photo)
        url = f"/admin/archive/image/{photo.pk}/change/"
        self.client.force_login(self.author)
        self.assertContains(self.client.get(url), 'name="alt_text"')
        other = NewsItemFactory(status=Status.DRAFT, published_at=None, author=self.editor)
        GalleryImage.objects.create(news_item=other, image=photo)
        response = self.client.post(url, self.image_data(photo, media.image_bytes("PNG")))
        self.assertEqual(response.status_code, 403)

        self.client.force_login(self.editor)
        response = self.client.post(url, self.image_data(photo, media.image_bytes("PNG")))
        self.assertEqual(response.status_code, 302)
        for item in (self.draft, other):
            self.assertContains(self.history(item), f"Image “{photo}” changed")

    def test_an_author_cannot_replace_the_document_of_a_published_statement(self):
        document = make_attachment()
        StatementFactory().attachments.add(document)
        self.client.force_login(self.author)
        url = f"/admin/archive/attachment/{document.pk}/change/"
        response = self.client.post(
            url, {"title": "Forged", "file": media.upload(media.pdf_bytes(), "forged.pdf")}
        )
        self.assertEqual(response.status_code, 403)
        document.refresh_from_db()
        self.assertEqual((document.title, document.kind), ("Statement on the UN Charter", "docx"))

    def test_the_attachment_change_page_links_to_the_download(self):
        document = make_attachment()
        self.client.force_login(self.editor)
        response = self.client.get(f"/admin/archive/attachment/{document.pk}/change/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'href="/documents/{document.pk}/"')
        self.assertContains(response, document.file.name)
        # A refused replacement shows the form again, with the current file.
        response = self.client.post(
            f"/admin/archive/attachment/{document.pk}/change/",
            {"title": document.title, "file": media.upload(b"MZ an executable", "a.pdf")},
        )
        self.assertContains(response, "not a PDF, DOCX or ODT")
        self.assertContains(response, f'href="/documents/{document.pk}/"')

    def test_an_author_sees_a_published_document_read_only(self):
        document = make_attachment()
        StatementFactory().attachments.add(document)
        self.client.force_login(self.author)
        response = self.client.get(f"/admin/archive/attachment/{document.pk}/change/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'href="/documents/{document.pk}/"')
        self.assertNotContains(response, 'type="file"')

    def item_form(self, item, version, **changes):
        when = timezone.localtime(item.published_at)
        return {
            "expected_version": version,
            "title": item.title,
            "slug": item.slug,
            "section": item.section_id,
            "language": item.language,
            "lead": "A new lead.",
            "body": item.body,
            "cover_image": item.cover_image_id or "",
            "published_at_0": when.strftime("%Y-%m-%d"),
            "published_at_1": when.strftime("%H:%M:%S"),
            "media_links-TOTAL_FORMS": "0",
            "media_links-INITIAL_FORMS": "0",
            "gallery_images-TOTAL_FORMS": "0",
            "gallery_images-INITIAL_FORMS": "0",
            **changes,
        }

    def test_an_item_form_opened_before_a_part_changed(self):
        """A new cover file leaves the form's content intact; a changed link would be lost."""
        self.client.force_login(self.editor)
        item = NewsItemFactory(cover_image=make_image())
        self.client.post(f"/admin/archive/newsitem/{item.pk}/change/", self.item_form(item, 1))
        item.refresh_from_db()
        opened_at = item.version
        url = f"/admin/archive/image/{item.cover_image_id}/change/"
        response = self.client.post(
            url, self.image_data(item.cover_image, media.image_bytes("PNG"))
        )
        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertEqual(item.version, opened_at + 1)
        change = f"/admin/archive/newsitem/{item.pk}/change/"
        response = self.client.post(change, self.item_form(item, opened_at))
        self.assertEqual(response.status_code, 302)

        item.refresh_from_db()
        opened_at = item.version
        link = MediaLinkFactory(news_item=item)
        self.post_link(link, url="https://example.org/corrected/")
        response = self.client.post(change, self.item_form(item, opened_at))
        # The link was changed by the same editor, on its own page.
        self.assertContains(response, "You saved this item in another window or tab")
        self.assertContains(response, "What the other save changed (now version")


class DocumentPickerTests(FreshMediaMixin, TestCase):
    def test_the_document_just_uploaded_comes_first(self):
        editor = UserFactory(username="editor", role="editor")
        older = make_attachment(title="Заявление пресс-службы ОДКБ")
        Attachment.objects.filter(pk=older.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=400)
        )
        newer = make_attachment(title="Заявление пресс-службы ОДКБ")
        self.client.force_login(editor)
        response = self.client.get(
            "/admin/autocomplete/",
            {
                "term": "ОДКБ",
                "app_label": "archive",
                "model_name": "newsitem",
                "field_name": "attachments",
            },
        )
        ids = [int(result["id"]) for result in response.json()["results"]]
        self.assertEqual(ids, [newer.pk, older.pk])


class AdminListTests(TestCase):
    """The list of news items as an editor reads and searches it, in Russian too."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(username="editor", role="editor")
        cls.long = NewsItemFactory(
            title="Комментарий Генерального секретаря ОДКБ о серьёзной угрозе на границе",
            section=SectionFactory(name="Новости ОДКБ", slug="csto-news"),
        )
        NewsItemFactory(title="Ministers met", lead="A serious meeting.")

    def setUp(self):
        self.client.force_login(self.editor)

    def titles(self, **query):
        response = self.client.get("/admin/archive/newsitem/", query)
        return [item.title for item in response.context["cl"].result_list]

    def test_search_in_any_case_and_with_either_e(self):
        for query in (
            "комментарий",
            "КОММЕНТАРИЙ",
            "серьезной",
            "СЕРЬЁЗНОЙ",
            '"генерального секретаря"',
        ):
            with self.subTest(query=query):
                self.assertEqual(self.titles(q=query), [self.long.title])
        self.assertEqual(self.titles(q="серьезной ministers"), [])
        self.assertEqual(self.titles(q="SERIOUS"), ["Ministers met"])
        # Characters a regular expression would read are searched as they are.
        self.assertEqual(self.titles(q="(.*)"), [])
        # The choosers' autocomplete searches the same way.
        response = self.client.get(
            "/admin/autocomplete/",
            {
                "term": "новости одкб",
                "app_label": "archive",
                "model_name": "newsitem",
                "field_name": "section",
            },
        )
        self.assertEqual([found["text"] for found in response.json()["results"]], ["Новости ОДКБ"])

    def test_a_search_of_many_words_looks_for_the_first_ten(self):
        response = self.client.get("/admin/archive/newsitem/", {"q": "комментарий " + "e " * 900})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Only the first 10 words were searched for.")
        self.assertEqual(
            [item.title for item in response.context["cl"].result_list], [self.long.title]
        )

    def test_the_autocomplete_of_a_field_no_form_has_is_refused(self):
        # A reverse relation (a section's news) is no field of a form: Django gave a 500.
        for model, field in (("newsitem", "statements"), ("section", "news_items")):
            with self.subTest(field=field):
                response = self.client.get(
                    "/admin/autocomplete/",
                    {"term": "", "app_label": "archive", "model_name": model, "field_name": field},
                )
                self.assertEqual(response.status_code, 403)

    def test_long_titles_show_whole_on_hover_and_the_count_needs_no_plural(self):
        response = self.client.get("/admin/archive/newsitem/", headers={"accept-language": "ru"})
        self.assertContains(response, f'<span title="{self.long.title}">')
        self.assertContains(response, "Новости: 2")
        # One filter of the state: the status alone said less, under a near-same name.
        self.assertNotContains(response, "status__exact")
