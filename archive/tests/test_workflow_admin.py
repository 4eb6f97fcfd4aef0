"""The editorial workflow as authors and editors meet it in the admin."""

import datetime
import re
from unittest import mock

import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import RequestFactory, TestCase, override_settings
from django.utils import timezone

from archive import services, views
from archive.models import NewsItem, PublicState, Revision, Status, Transition, TrashedItem
from archive.preview import preview_url

from .factories import (
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
    StatementFactory,
    TopicFactory,
    UserFactory,
)

CHANGELIST = "/admin/archive/newsitem/"
TRASH = f"{CHANGELIST}trash/"


def change_url(item):
    return f"{CHANGELIST}{item.pk}/change/"


def delete_url(item):
    return f"{CHANGELIST}{item.pk}/delete/"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


class AdminWorkflowTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = UserFactory(username="author", role="author")
        cls.other_author = UserFactory(username="other", role="author")
        cls.editor = UserFactory(username="editor", role="editor")
        cls.section = SectionFactory(name="News", slug="news")

    def login(self, user):
        self.client.force_login(user)

    def form_data(self, item=None, **changes):
        """What the admin's news item form posts."""
        data = {
            "title": "Ministers met",
            "slug": "ministers-met",
            "section": self.section.pk,
            "language": "en",
            "lead": "A lead.",
            "body": "A body.",
            "media_links-TOTAL_FORMS": "0",
            "media_links-INITIAL_FORMS": "0",
            "gallery_images-TOTAL_FORMS": "0",
            "gallery_images-INITIAL_FORMS": "0",
            "expected_version": "",
        }
        if item is not None:
            data.update(
                title=item.title,
                slug=item.slug,
                section=item.section_id,
                lead=item.lead,
                body=item.body,
                expected_version=item.version,
            )
            if services.is_editor(self.editor, item):
                when = item.published_at and timezone.localtime(item.published_at)
                data["published_at_0"] = when.strftime("%Y-%m-%d") if when else ""
                data["published_at_1"] = when.strftime("%H:%M:%S") if when else ""
        data.update(changes)
        return data

    def step(self, item, action, **changes):
        """Press a workflow step's button on `item`'s change form, as it is now."""
        item.refresh_from_db()
        return self.client.post(change_url(item), self.form_data(item, workflow=action, **changes))

    def draft(self, author=None, **kwargs):
        return NewsItemFactory(
            **{
                "section": self.section,
                "status": Status.DRAFT,
                "published_at": None,
                "author": author or self.author,
                **kwargs,
            }
        )


class AuthorTests(AdminWorkflowTestCase):
    def test_author_writes_a_draft_and_sends_it_to_review(self):
        self.login(self.author)
        response = self.client.post(f"{CHANGELIST}add/", self.form_data())
        self.assertEqual(response.status_code, 302)
        item = NewsItem.objects.get(slug="ministers-met")
        self.assertEqual((item.status, item.author, item.version), ("draft", self.author, 1))
        self.assertEqual(Revision.for_item(item).count(), 1)

        page = self.client.get(change_url(item))
        self.assertContains(page, "Save and send to review")
        self.assertNotContains(page, "publish or schedule")

        response = self.step(item, "submit", workflow_comment="Ready")
        self.assertRedirects(response, change_url(item))
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)
        self.assertEqual(Transition.for_item(item).first().comment, "Ready")

    def test_send_to_review_sends_what_was_typed(self):
        item = self.draft(lead="Old lead.")
        self.login(self.author)
        response = self.step(item, "submit", lead="The lead typed before pressing the button.")
        self.assertRedirects(response, change_url(item))
        self.assertIn("is now in review", messages_of(response)[0])
        item.refresh_from_db()
        self.assertEqual(
            (item.status, item.lead, item.version),
            (Status.REVIEW, "The lead typed before pressing the button.", 2),
        )
        self.assertEqual(
            Revision.for_item(item).first().data["lead"],
            "The lead typed before pressing the button.",
        )

    def test_a_statement_sent_to_review_keeps_the_text_typed(self):
        statement = StatementFactory(author=self.author, status=Status.DRAFT, published_at=None)
        self.login(self.author)
        data = {
            "expected_version": statement.version,
            "title": statement.title,
            "slug": statement.slug,
            "kind": statement.kind,
            "adopted_by": statement.adopted_by_id,
            "adopted_on": "2020-05-26",
            "language": statement.language,
            "text": "<p>Typed before sending.</p>",
            "workflow": "submit",
        }
        url = f"/admin/archive/statement/{statement.pk}/change/"
        self.assertRedirects(self.client.post(url, data), url)
        statement.refresh_from_db()
        self.assertEqual(
            (statement.status, statement.text), (Status.REVIEW, "<p>Typed before sending.</p>")
        )

    def test_a_step_on_a_form_that_does_not_validate_moves_nothing(self):
        item = self.draft(lead="Old lead.")
        self.login(self.author)
        response = self.step(item, "submit", title="", lead="Typed, but no title.")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Typed, but no title.")
        item.refresh_from_db()
        self.assertEqual((item.status, item.lead), (Status.DRAFT, "Old lead."))

    def test_a_new_item_takes_no_step_until_it_is_saved(self):
        self.login(self.author)
        response = self.client.post(
            f"{CHANGELIST}add/", self.form_data(lead="A new lead.", workflow="submit")
        )
        self.assertContains(response, "Save the new item first, then take a workflow step.")
        self.assertContains(response, "A new lead.")
        self.assertFalse(NewsItem.objects.exists())

    def test_author_sees_only_the_steps_they_may_take(self):
        item = self.draft()
        self.login(self.author)
        page = self.client.get(change_url(item))
        self.assertContains(page, 'name="workflow" value="submit"')
        for action in ("publish", "send_back", "archive", "restore"):
            self.assertNotContains(page, f'name="workflow" value="{action}"')
        self.assertNotContains(page, "/workflow/")

    def test_author_cannot_publish_even_by_a_forged_post(self):
        item = self.draft(lead="Old lead.")
        self.login(self.author)
        for action in ("publish", "unschedule", "send_back", "archive", "restore", "nonsense"):
            with self.subTest(action=action):
                response = self.step(
                    item, action, lead="Typed by the author.", workflow_comment="Why not?"
                )
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Typed by the author.")
                self.assertContains(
                    response,
                    "Unknown workflow step." if action == "nonsense" else "Only an editor may do",
                )
                item.refresh_from_db()
                # Nothing saved half: neither the text nor the state.
                self.assertEqual((item.status, item.lead, item.version), ("draft", "Old lead.", 1))
        self.assertEqual(Revision.for_item(item).count(), 0)
        services.submit_for_review(item=item, user=self.author)
        response = self.client.post(
            CHANGELIST, {"action": "publish_selected", "_selected_action": [item.pk]}
        )
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)

    def test_author_cannot_edit_once_in_review_or_someone_elses_draft(self):
        in_review = self.draft(title="In review")
        services.submit_for_review(item=in_review, user=self.author)
        others = self.draft(author=self.other_author, title="Not mine")
        self.login(self.author)
        self.assertContains(
            self.client.post(change_url(in_review), self.form_data(in_review, title="Mine")),
            "You may no longer change “In review”: you made it “In review” on",
        )
        for item, status in ((in_review, 200), (others, 403)):
            with self.subTest(item=item.title):
                page = self.client.get(change_url(item))
                self.assertEqual(page.status_code, 200)  # read-only view
                self.assertNotContains(page, 'name="title"')
                response = self.client.post(change_url(item), self.form_data(item, title="Hacked"))
                self.assertEqual(response.status_code, status)
                item.refresh_from_db()
                self.assertNotEqual(item.title, "Hacked")

    def test_an_own_item_published_while_its_form_was_open_shows_what_was_typed(self):
        item = self.draft(title="Summit", lead="Old lead.", body="<p>Old body.</p>")
        opened = self.form_data(item)
        services.submit_for_review(item=item, user=self.author)
        services.publish(item=item, user=self.editor)
        self.login(self.author)
        typed = {
            "lead": "A lead typed meanwhile.",
            "body": "<p>Typed <b>body</b>.</p><script>x</script>",
        }
        response = self.client.post(change_url(item), {**opened, **typed})
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "You may no longer change “Summit”: editor made it “Published” on"
        )
        self.assertContains(response, "Nothing was saved. What you typed is below, to copy.")
        self.assertContains(response, ">A lead typed meanwhile.</textarea>")
        self.assertContains(response, "<p>Typed <b>body</b>.</p>", html=True)
        self.assertNotContains(response, "<script>x</script>")
        self.assertNotContains(response, 'name="title"')  # the read-only page, not a form
        item.refresh_from_db()
        self.assertEqual((item.lead, item.status), ("Old lead.", Status.PUBLISHED))

    def test_author_sees_the_comment_of_a_send_back(self):
        item = self.draft()
        services.submit_for_review(item=item, user=self.author)
        services.send_back(item=item, user=self.editor, comment="Please add the signature.")
        self.login(self.author)
        page = self.client.get(change_url(item))
        self.assertContains(page, "Sent back by editor")
        self.assertContains(page, "Please add the signature.")

    def test_author_is_not_offered_bulk_delete(self):
        self.draft()
        self.login(self.author)
        self.assertNotContains(self.client.get(CHANGELIST), 'value="delete_selected"')
        self.login(self.editor)
        self.assertContains(self.client.get(CHANGELIST), 'value="delete_selected"')

    def test_author_cannot_set_the_publication_time(self):
        self.login(self.author)
        response = self.client.get(f"{CHANGELIST}add/")
        self.assertNotContains(response, 'name="published_at_0"')
        self.assertNotContains(response, 'name="status"')


class EditorTests(AdminWorkflowTestCase):
    @time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC), tick=False)
    def test_editor_schedules_an_item_that_goes_live_at_its_time(self):
        item = self.draft(slug="scheduled-item")
        services.submit_for_review(item=item, user=self.author)
        self.login(self.editor)
        # The site's time zone is Moscow (UTC+3): 15:00 there is 12:00 UTC.
        response = self.step(item, "publish", workflow_at="2026-05-01T15:00", lead="Edited lead.")
        self.assertIn("is scheduled: it goes live on 01.05.2026 15:00", messages_of(response)[0])
        item.refresh_from_db()
        self.assertEqual(item.published_at, datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC))
        self.assertEqual(item.lead, "Edited lead.")
        self.assertContains(self.client.get(CHANGELIST), "state-scheduled")

        self.client.logout()
        url = item.get_absolute_url()
        self.assertEqual(self.client.get(url).status_code, 404)
        with time_machine.travel(
            datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC), tick=False
        ):
            self.assertEqual(self.client.get(url).status_code, 200)

    def test_an_item_never_public_takes_its_new_titles_address(self):
        self.login(self.editor)
        # The address as the add form fills it in from the title.
        self.client.post(f"{CHANGELIST}add/", self.form_data())
        item = NewsItem.objects.get(title="Ministers met")
        self.assertEqual(item.slug, "ministers-met")
        self.client.post(change_url(item), self.form_data(item, title="Exercises in Belarus"))
        item.refresh_from_db()
        self.assertEqual(item.slug, "exercises-in-belarus")
        # An address the editor typed is theirs: a new title leaves it.
        self.client.post(change_url(item), self.form_data(item, slug="belarus-2026"))
        item.refresh_from_db()
        self.client.post(change_url(item), self.form_data(item, title="Exercises in Minsk"))
        item.refresh_from_db()
        self.assertEqual((item.title, item.slug), ("Exercises in Minsk", "belarus-2026"))
        # A published item keeps the address it went out with.
        public = self.draft(
            title="Old title",
            slug="old-title",
            status=Status.PUBLISHED,
            published_at=timezone.now(),
        )
        self.client.post(change_url(public), self.form_data(public, title="New title"))
        public.refresh_from_db()
        self.assertEqual((public.title, public.slug), ("New title", "old-title"))

    @time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC), tick=False)
    def test_a_go_live_time_that_has_passed_is_named_when_published(self):
        """09:30 typed in a UTC clock is 09:30 Moscow time, hours ago: the editor is told."""
        item = self.draft()
        services.submit_for_review(item=item, user=self.author)
        self.login(self.editor)
        response = self.step(item, "publish", workflow_at="2026-05-01T09:30")
        self.assertIn(
            "is now published, dated 01.05.2026 09:30 (Moscow time, UTC+3), which has already "
            "passed",
            messages_of(response)[0],
        )
        # Published now, without a time: the plain message.
        other = self.draft()
        services.submit_for_review(item=other, user=self.author)
        self.assertIn("is now published.", messages_of(self.step(other, "publish"))[-1])

    def test_a_refused_step_is_said_at_the_top_and_keeps_what_was_typed(self):
        item = self.draft()
        services.submit_for_review(item=item, user=self.author)
        self.login(self.editor)
        for action, extra, error in (
            ("publish", {"workflow_at": "tomorrow"}, "Enter a valid publication time."),
            ("send_back", {}, "a comment is required"),
        ):
            with self.subTest(action=action):
                response = self.step(item, action, lead="Editor's half-edited lead.", **extra)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, error, count=1)
                # Nothing in the form is wrong: no "correct the error below" over it.
                self.assertNotContains(response, "Please correct the error")
                self.assertContains(response, "Editor&#x27;s half-edited lead.")
                item.refresh_from_db()
                self.assertEqual((item.status, item.version), (Status.REVIEW, 1))

    def test_times_outside_the_archive_and_an_expiry_before_going_live_are_form_errors(self):
        item = self.draft()
        services.submit_for_review(item=item, user=self.author)
        self.login(self.editor)
        years = "Enter a time in the archive&#x27;s years, 1992 to 2100."
        never = "The expiry time must come after the publication time."
        for changes, error in (
            # Year 1 in Moscow is before year 1 in UTC: it could not even be stored.
            ({"workflow": "publish", "workflow_at": "0001-01-01T00:00"}, years),
            ({"published_at_0": "0001-01-01", "published_at_1": "00:00", "_continue": "1"}, years),
            ({"expire_at_0": "9999-12-31", "expire_at_1": "23:59", "_continue": "1"}, years),
            (
                {
                    "published_at_0": "2024-01-10",
                    "published_at_1": "10:00",
                    "expire_at_0": "2024-01-01",
                    "expire_at_1": "10:00",
                    "_continue": "1",
                },
                never,
            ),
        ):
            with self.subTest(changes=changes):
                item.refresh_from_db()
                data = self.form_data(item, lead="Typed lead.", **changes)
                response = self.client.post(change_url(item), data)
                self.assertContains(response, error)
                self.assertContains(response, "Typed lead.")
                item.refresh_from_db()
                self.assertEqual((item.status, item.version), (Status.REVIEW, 1))

    @time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC), tick=False)
    def test_a_save_does_not_take_a_live_item_off_the_site_by_its_times(self):
        earlier = datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.UTC)
        item = self.draft(status=Status.PUBLISHED, published_at=earlier)
        self.login(self.editor)
        shown = self.form_data(item)
        shown.update(
            {
                "initial-published_at_0": shown["published_at_0"],
                "initial-published_at_1": shown["published_at_1"],
            }
        )
        for changes, error in (
            ({"published_at_0": "2030-01-01", "published_at_1": "10:00"}, "still to come"),
            ({"published_at_0": "", "published_at_1": ""}, "needs a publication time"),
            ({"expire_at_0": "2026-04-30", "expire_at_1": "10:00"}, "has passed"),
        ):
            with self.subTest(changes=changes):
                response = self.client.post(
                    change_url(item), {**shown, "lead": "Typed lead.", **changes}
                )
                self.assertContains(response, error)
                self.assertContains(response, "Typed lead.")
                item.refresh_from_db()
                self.assertEqual((item.public_state, item.version), (PublicState.LIVE, 1))
        # An expiry still to come, or a publication time that has passed, is saved.
        changes = {"expire_at_0": "2026-06-01", "expire_at_1": "10:00", "published_at_1": "08:00"}
        response = self.client.post(change_url(item), {**shown, **changes, "_continue": "1"})
        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertEqual(item.public_state, PublicState.LIVE)
        self.assertEqual(item.published_at.hour, 5)  # 08:00 in Moscow

    def test_a_step_on_a_form_opened_before_a_send_back_is_refused_once(self):
        item = self.draft()
        services.submit_for_review(item=item, user=self.author)
        self.login(self.editor)
        opened = self.form_data(item, opened_state="review", lead="Edited lead.")
        services.send_back(item=item, user=self.editor, comment="Facts are wrong")
        response = self.client.post(change_url(item), {**opened, "workflow": "publish"})
        self.assertContains(response, "is “Draft” now, not “In review” as when this form")
        self.assertContains(response, "Edited lead.")
        item.refresh_from_db()
        self.assertEqual((item.public_state, item.lead), (PublicState.DRAFT, "A lead."))
        # The form came back with the state as it is now: sent again, the step is taken.
        self.assertContains(response, 'name="opened_state" value="draft"')
        again = {**opened, "opened_state": "draft", "expected_version": item.version}
        response = self.client.post(change_url(item), {**again, "workflow": "publish"})
        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertEqual((item.public_state, item.lead), (PublicState.LIVE, "Edited lead."))

    def test_a_save_of_an_item_unpublished_meanwhile_says_it_is_not_public(self):
        item = self.draft(status=Status.PUBLISHED, published_at=timezone.now())
        self.login(self.editor)
        opened = self.form_data(item, opened_state="live", lead="Corrected lead.")
        services.archive(item=item, user=self.editor, comment="Withdrawn: legal issue")
        response = self.client.post(change_url(item), opened, follow=True)
        self.assertIn(
            f"“{item.title}” left the public site while this form was open (it is "
            "“Archived” now): what you saved is not public.",
            messages_of(response),
        )

    def test_send_back_archive_and_restore(self):
        item = self.draft()
        services.submit_for_review(item=item, user=self.author)
        self.login(self.editor)
        self.step(item, "send_back", workflow_comment="Fix it")
        item.refresh_from_db()
        self.assertEqual(item.status, Status.DRAFT)
        services.submit_for_review(item=item, user=self.author)
        self.step(item, "publish")
        self.step(item, "archive")
        item.refresh_from_db()
        self.assertEqual(item.status, Status.ARCHIVED)
        self.step(item, "restore")
        item.refresh_from_db()
        self.assertEqual(item.status, Status.DRAFT)
        page = self.client.get(change_url(item))
        self.assertContains(page, "Workflow log")
        self.assertEqual(Transition.for_item(item).count(), 6)

    def test_bulk_actions_report_what_they_did_and_refused(self):
        in_review = self.draft(title="Waiting")
        services.submit_for_review(item=in_review, user=self.author)
        archived = self.draft(title="Withdrawn", status=Status.ARCHIVED)
        self.login(self.editor)
        response = self.client.post(
            CHANGELIST,
            {"action": "publish_selected", "_selected_action": [in_review.pk, archived.pk]},
        )
        reported = messages_of(response)
        # Each line says what the items are now.
        self.assertIn("Published: “Waiting”.", reported)
        self.assertIn(
            "Refused: “Withdrawn” is “Archived”. Only a draft, an item in review or a "
            "scheduled item can be published.",
            reported,
        )
        in_review.refresh_from_db()
        archived.refresh_from_db()
        self.assertEqual((in_review.status, archived.status), (Status.PUBLISHED, Status.ARCHIVED))

    def test_bulk_publishing_says_which_went_live_and_which_are_scheduled(self):
        now = self.draft(title="Now")
        later = self.draft(title="Later", published_at=timezone.now() + datetime.timedelta(days=2))
        for item in (now, later):
            services.submit_for_review(item=item, user=self.author)
        self.login(self.editor)
        response = self.client.post(
            CHANGELIST, {"action": "publish_selected", "_selected_action": [now.pk, later.pk]}
        )
        reported = messages_of(response)
        self.assertIn("Published: “Now”.", reported)
        self.assertIn("Scheduled: “Later”.", reported)

    def test_an_author_sending_their_own_item_again_is_told_it_is_in_review(self):
        in_review = self.draft(title="Waiting")
        services.submit_for_review(item=in_review, user=self.author)
        self.login(self.author)
        response = self.client.post(
            CHANGELIST, {"action": "submit_selected", "_selected_action": [in_review.pk]}
        )
        self.assertIn(
            "Refused: “Waiting” is “In review”. Only a draft can be sent to review.",
            messages_of(response),
        )

    def test_a_refusal_that_does_not_name_its_items_is_told_which_they_are(self):
        own = self.draft(title="Mine")
        others = self.draft(title="Not mine", author=UserFactory(role="author"), slug="theirs")
        self.login(self.author)
        response = self.client.post(
            CHANGELIST, {"action": "submit_selected", "_selected_action": [own.pk, others.pk]}
        )
        self.assertIn(
            "Refused for “Not mine”: Only the item's author or an editor may send it to review.",
            messages_of(response),
        )

    def test_list_filters_by_state(self):
        NewsItemFactory(title="Live one", section=self.section)
        NewsItemFactory(
            title="Future one",
            section=self.section,
            published_at=timezone.now() + datetime.timedelta(days=1),
        )
        self.login(self.editor)
        response = self.client.get(CHANGELIST, {"state": "scheduled"})
        self.assertContains(response, "Future one")
        self.assertNotContains(response, "Live one")
        response = self.client.get(CHANGELIST, {"author__id__exact": self.author.pk})
        self.assertEqual(response.status_code, 200)


class ConflictTests(AdminWorkflowTestCase):
    def test_a_stale_form_is_refused_and_keeps_what_was_typed(self):
        item = self.draft(title="Original")
        self.login(self.editor)
        opened = self.client.get(change_url(item))
        version = re.search(rb'name="expected_version" value="(\d+)"', opened.content)[1]
        self.assertEqual(version, b"1")

        # Someone else saves first.
        other = self.client_class()
        other.force_login(self.author)
        other.post(change_url(item), self.form_data(item, title="Author's title"))
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("Author's title", 2))

        stale = self.form_data(item, title="Editor's title", expected_version="1")
        response = self.client.post(change_url(item), stale)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Someone else saved this item while you were editing it")
        self.assertContains(response, 'value="Editor&#x27;s title"')
        item.refresh_from_db()
        self.assertEqual(item.title, "Author's title")

    def test_a_form_without_its_version_is_refused_and_keeps_what_was_typed(self):
        item = self.draft(title="Original")
        self.login(self.editor)
        for missing in ({"expected_version": ""}, {"expected_version": "x"}):
            with self.subTest(missing=missing):
                data = self.form_data(item, title="Typed title", **missing)
                response = self.client.post(change_url(item), data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "did not say which version of the item")
                self.assertContains(response, 'value="Typed title"')
        del data["expected_version"]
        self.assertContains(self.client.post(change_url(item), data), 'value="Typed title"')
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("Original", 1))

    def test_the_loser_of_a_race_gets_the_form_back_with_their_text(self):
        item = self.draft(title="Original")
        save_item = services.save_item

        def someone_saves_first(**kwargs):
            # The author saves between the editor's form check and the editor's save.
            theirs = NewsItem.objects.get(pk=item.pk)
            theirs.title = "Author's title"
            save_item(item=theirs, user=self.author, expected_version=1)
            services.record_revision(item=theirs, user=self.author)
            return save_item(**kwargs)

        self.login(self.editor)
        data = self.form_data(item, title="Editor's title", workflow="submit")
        with mock.patch.object(services, "save_item", someone_saves_first):
            response = self.client.post(change_url(item), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Someone else saved this item while you were editing it")
        self.assertContains(response, "(author on ")
        self.assertContains(response, 'value="Editor&#x27;s title"')

    def test_a_fresh_form_saves(self):
        item = self.draft()
        self.login(self.editor)
        response = self.client.post(change_url(item), self.form_data(item, title="New title"))
        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("New title", 2))


class TranslationChoiceTests(AdminWorkflowTestCase):
    def test_taking_a_partner_from_another_item_says_so(self):
        english = self.draft(title="Summit")
        russian = self.draft(title="Саммит", language="ru", slug="sammit")
        earlier = self.draft(title="Summit held", slug="summit-held")
        services.save_item(item=earlier, user=self.editor)
        earlier.translation = russian
        services.save_item(item=earlier, user=self.editor)
        self.login(self.editor)
        response = self.client.post(
            change_url(english), self.form_data(english, translation=russian.pk), follow=True
        )
        self.assertContains(
            response,
            "“Саммит” was paired with “Summit held”: it is paired with this item now, "
            "and “Summit held” has no translation.",
        )
        earlier.refresh_from_db()
        self.assertIsNone(earlier.translation)
        # Choosing it again, or a partner nobody had, says nothing of the kind.
        english.refresh_from_db()
        response = self.client.post(
            change_url(english), self.form_data(english, translation=russian.pk), follow=True
        )
        self.assertNotContains(response, "was paired with")

    def test_a_version_page_says_a_restore_leaves_the_pairing(self):
        english = self.draft(title="Summit")
        russian = self.draft(title="Саммит", language="ru", slug="sammit")
        services.record_revision(item=english, user=self.editor)
        english.translation = russian
        services.save_item(item=english, user=self.editor)
        services.record_revision(item=english, user=self.editor)
        english.title = "Summit held"
        services.save_item(item=english, user=self.editor)
        services.record_revision(item=english, user=self.editor)
        self.login(self.editor)
        page = self.client.get(f"{CHANGELIST}{english.pk}/history/1/")
        self.assertContains(page, "It leaves these as they are now: translation.")
        # A version with the same pairing says nothing of it.
        page = self.client.get(f"{CHANGELIST}{english.pk}/history/2/")
        self.assertContains(page, "Restore version 2")
        self.assertNotContains(page, "It leaves these as they are now")


class DateInputTests(AdminWorkflowTestCase):
    def test_dates_are_typed_as_shown_and_never_month_first(self):
        item = self.draft(event_date=datetime.date(2020, 5, 26))
        self.login(self.author)
        page = self.client.get(change_url(item))
        self.assertContains(page, 'name="event_date" value="26.05.2020"')
        response = self.client.post(change_url(item), self.form_data(item, event_date="05/06/2020"))
        self.assertContains(response, "Enter a valid date.")
        item.refresh_from_db()
        self.assertEqual(item.event_date, datetime.date(2020, 5, 26))
        for typed in ("05.06.2020", "2020-06-05"):
            with self.subTest(typed=typed):
                item.refresh_from_db()
                response = self.client.post(
                    change_url(item), self.form_data(item, event_date=typed)
                )
                self.assertEqual(response.status_code, 302)
                item.refresh_from_db()
                self.assertEqual(item.event_date, datetime.date(2020, 6, 5))


class HistoryTests(AdminWorkflowTestCase):
    def test_the_current_version_shows_no_difference_from_itself(self):
        item = self.draft(event_date=datetime.date(2020, 5, 26))
        services.record_revision(item=item, user=self.editor)
        self.login(self.editor)
        page = self.client.get(f"{CHANGELIST}{item.pk}/history/{item.version}/")
        to_current = page.content.decode().split("From this version to the current one")[1]
        self.assertIn("No differences.", to_current)
        self.assertNotIn("Event date", to_current)

    def test_history_comparison_and_restore(self):
        self.login(self.author)
        self.client.post(f"{CHANGELIST}add/", self.form_data(title="First title"))
        item = NewsItem.objects.get(slug="first-title")
        self.client.post(change_url(item), self.form_data(item, title="Second title"))

        history = self.client.get(f"{CHANGELIST}{item.pk}/history/")
        self.assertContains(history, "Revisions")
        self.assertContains(history, f"{CHANGELIST}{item.pk}/history/1/")
        self.assertNotContains(history, "Saved without changes")

        page = self.client.get(f"{CHANGELIST}{item.pk}/history/2/")
        self.assertContains(page, "Changes since version 1")
        self.assertContains(page, "<del>First</del>")
        self.assertContains(page, "<ins>Second</ins>")

        page = self.client.get(f"{CHANGELIST}{item.pk}/history/1/")
        self.assertContains(page, "Restore version 1")
        response = self.client.post(
            f"{CHANGELIST}{item.pk}/history/1/restore/", {"expected_version": "2"}
        )
        self.assertRedirects(response, change_url(item))
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("First title", 3))
        self.assertEqual(Revision.for_item(item).first().comment_text(), "Restored version 1")
        # An editor reading the history in Russian reads the note in Russian.
        history = self.client.get(f"{CHANGELIST}{item.pk}/history/", HTTP_ACCEPT_LANGUAGE="ru")
        self.assertContains(history, "Восстановлена версия 1")
        # Sent to review with nothing changed: that revision says so.
        self.step(item, "submit")
        history = self.client.get(f"{CHANGELIST}{item.pk}/history/")
        self.assertContains(history, "Saved without changes", count=1)

    def test_a_restore_without_the_version_it_was_shown_is_refused(self):
        item = self.draft(title="Second title", version=2)
        services.record_revision(item=item, user=self.author)
        Revision.objects.filter(pk=Revision.for_item(item).get().pk).update(
            version=1, data={**services.snapshot(item), "title": "First title"}
        )
        self.login(self.editor)
        response = self.client.post(f"{CHANGELIST}{item.pk}/history/1/restore/", follow=True)
        self.assertContains(response, "Reload the page and restore again: nothing was changed.")
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("Second title", 2))

    def test_a_restore_after_someone_elses_save_is_refused_without_talk_of_typed_text(self):
        item = self.draft(title="Second title", version=2)
        services.record_revision(item=item, user=self.author)
        Revision.objects.filter(pk=Revision.for_item(item).get().pk).update(
            version=1, data={**services.snapshot(item), "title": "First title"}
        )
        self.login(self.editor)
        response = self.client.post(
            f"{CHANGELIST}{item.pk}/history/1/restore/", {"expected_version": "1"}, follow=True
        )
        self.assertContains(response, "since its history was shown (now version 2), so nothing")
        self.assertNotContains(response, "Your text")
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("Second title", 2))

    def test_unknown_revision_or_item_is_404(self):
        item = self.draft()
        self.login(self.editor)
        self.assertEqual(self.client.get(f"{CHANGELIST}{item.pk}/history/9/").status_code, 404)
        self.assertEqual(self.client.get(f"{CHANGELIST}999999/history/").status_code, 404)


class RevokePreviewLinksTests(AdminWorkflowTestCase):
    def revoke_url(self, item):
        return f"{CHANGELIST}{item.pk}/revoke-previews/"

    def test_an_editor_revokes_the_links_from_the_change_form(self):
        item = self.draft(title="Under review")
        old_link = preview_url(item)
        self.login(self.editor)
        form = self.client.get(change_url(item))
        self.assertContains(form, f'action="{self.revoke_url(item)}"')
        self.assertContains(form, "Revoke preview links")
        response = self.client.post(self.revoke_url(item))
        self.assertRedirects(response, change_url(item), fetch_redirect_response=False)
        self.assertIn(
            "The preview links of “Under review” made until now no longer work.",
            messages_of(response),
        )
        self.assertEqual(self.client.get(old_link).status_code, 404)
        form = self.client.get(change_url(item))
        self.assertContains(form, "Last revoked by editor on")
        # The form now shows a new link, which works.
        fresh = re.search(r'id="preview-link" [^>]*value="http://testserver([^"]+)"', form.text)
        self.assertContains(self.client.get(fresh[1]), "Under review")

    def test_an_author_can_neither_see_nor_use_the_button(self):
        item = self.draft(title="Own draft")
        link = preview_url(item)
        self.login(self.author)
        self.assertNotContains(self.client.get(change_url(item)), "Revoke preview links")
        response = self.client.post(self.revoke_url(item))
        self.assertIn("Only an editor may do this.", messages_of(response))
        self.assertEqual(self.client.get(link).status_code, 200)
        self.assertEqual(self.client.get(self.revoke_url(item)).status_code, 405)

    def test_the_bulk_action_revokes_the_links_of_each_item(self):
        first, second = self.draft(title="First"), self.draft(title="Second", slug="second")
        links = [preview_url(first), preview_url(second)]
        self.login(self.editor)
        response = self.client.post(
            CHANGELIST,
            {"action": "revoke_previews_selected", "_selected_action": [first.pk, second.pk]},
        )
        self.assertIn(
            "Preview links made until now no longer work: “Second”; “First”.",
            messages_of(response),
        )
        for link in links:
            self.assertEqual(self.client.get(link).status_code, 404)

    def test_an_archived_item_shows_no_preview_link(self):
        self.login(self.editor)
        archived = NewsItemFactory(section=self.section, status=Status.ARCHIVED)
        self.assertNotContains(self.client.get(change_url(archived)), 'id="preview-link"')


class PagesRenderTests(AdminWorkflowTestCase):
    def test_every_page_renders_for_both_roles(self):
        own = self.draft(title="Own draft")
        services.record_revision(item=own, user=self.author)
        published = NewsItemFactory(section=self.section, title="Published")
        statement = StatementFactory(author=self.author, status=Status.DRAFT, published_at=None)
        for user in (self.author, self.editor):
            self.login(user)
            for url in (
                "/admin/",
                "/admin/queue/",
                CHANGELIST,
                f"{CHANGELIST}add/",
                change_url(own),
                change_url(published),
                f"{CHANGELIST}{own.pk}/history/",
                f"{CHANGELIST}{own.pk}/history/1/",
                "/admin/archive/statement/",
                "/admin/archive/statement/add/",
                f"/admin/archive/statement/{statement.pk}/change/",
                "/admin/archive/section/",
            ):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_queue(self):
        waiting = self.draft(title="Waiting for review")
        services.submit_for_review(item=waiting, user=self.author)
        self.draft(title="My own draft", author=self.editor)
        self.draft(title="Someone else's draft")
        NewsItemFactory(
            section=self.section,
            title="Coming soon",
            published_at=timezone.now() + datetime.timedelta(days=2),
        )
        NewsItemFactory(section=self.section, title="Out already")
        self.login(self.editor)
        self.assertContains(self.client.get("/admin/"), 'href="/admin/queue/"')
        page = self.client.get("/admin/queue/")
        for text in ("Waiting for review", "My own draft", "Coming soon", "Out already"):
            self.assertContains(page, text)
        self.assertNotContains(page, "Someone else&#x27;s draft")

    def test_anonymous_visitors_cannot_reach_workflow_pages(self):
        item = self.draft()
        for url in (change_url(item), f"{CHANGELIST}{item.pk}/history/1/", "/admin/queue/"):
            with self.subTest(url=url):
                response = self.client.post(url, self.form_data(item, workflow="submit"))
                self.assertEqual(response.status_code, 302)
                self.assertIn("/admin/login/", response["Location"])
        item.refresh_from_db()
        self.assertEqual(item.status, Status.DRAFT)


class OneStepPublishTests(AdminWorkflowTestCase):
    def test_an_editor_publishes_a_draft_in_one_press_with_the_typed_text(self):
        item = self.draft(author=self.editor, lead="Old lead.")
        self.login(self.editor)
        self.assertContains(self.client.get(change_url(item)), "Save and publish or schedule")
        response = self.step(item, "publish", lead="The lead typed before publishing.")
        self.assertRedirects(response, change_url(item))
        item.refresh_from_db()
        self.assertEqual(
            (item.status, item.lead), (Status.PUBLISHED, "The lead typed before publishing.")
        )
        self.assertTrue(item.is_public)
        step = Transition.for_item(item).get()
        self.assertEqual((step.from_status, step.to_status), (Status.DRAFT, Status.PUBLISHED))

    @time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC), tick=False)
    def test_an_editor_reschedules_then_cancels_the_schedule(self):
        item = self.draft(
            status=Status.PUBLISHED,
            published_at=datetime.datetime(2026, 5, 3, 9, tzinfo=datetime.UTC),
        )
        self.login(self.editor)
        page = self.client.get(change_url(item))
        self.assertContains(page, "Save and publish or schedule")
        self.assertContains(page, "Save and cancel the schedule (back to draft)")

        # Moscow time, UTC+3: 10:00 there is 07:00 UTC.
        response = self.step(item, "publish", workflow_at="2026-05-04T10:00")
        self.assertIn("goes live on 04.05.2026 10:00", messages_of(response)[0])
        item.refresh_from_db()
        self.assertEqual(item.published_at, datetime.datetime(2026, 5, 4, 7, tzinfo=datetime.UTC))

        response = self.step(item, "unschedule", workflow_comment="Not this week.")
        self.assertRedirects(response, change_url(item))
        item.refresh_from_db()
        self.assertEqual((item.status, item.published_at), (Status.DRAFT, None))
        steps = list(Transition.for_item(item).order_by("created_at", "id"))
        self.assertEqual(
            [(s.from_status, s.to_status) for s in steps],
            [(Status.PUBLISHED, Status.PUBLISHED), (Status.PUBLISHED, Status.DRAFT)],
        )
        self.assertEqual(steps[-1].comment, "Not this week.")

    @time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC), tick=False)
    def test_a_scheduled_item_is_published_now_in_one_click(self):
        later = datetime.datetime(2026, 5, 3, 9, tzinfo=datetime.UTC)
        item = self.draft(status=Status.PUBLISHED, published_at=later)
        self.login(self.editor)
        self.assertContains(self.client.get(change_url(item)), "Save and publish now")
        # The form still holds the scheduled time: the button is what counts.
        response = self.step(item, "publish_now", lead="Typed lead.")
        self.assertRedirects(response, change_url(item))
        item.refresh_from_db()
        self.assertEqual((item.public_state, item.lead), (PublicState.LIVE, "Typed lead."))
        self.assertEqual(item.published_at, timezone.now())
        self.assertEqual(str(Transition.for_item(item).first()), "Scheduled → Published")
        # A live item has no such button, and a forged press is refused.
        self.assertNotContains(self.client.get(change_url(item)), "Save and publish now")
        response = self.step(item, "publish_now")
        self.assertContains(response, "Only a scheduled item can be published now.")
        # Nor has an author.
        scheduled = self.draft(status=Status.PUBLISHED, published_at=later, slug="other")
        self.login(self.author)
        self.assertNotContains(self.client.get(change_url(scheduled)), "publish now")

    @time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC), tick=False)
    def test_a_form_opened_while_scheduled_does_not_undo_a_publish_made_meanwhile(self):
        later = datetime.datetime(2026, 5, 3, 9, tzinfo=datetime.UTC)
        item = self.draft(status=Status.PUBLISHED, published_at=later)
        self.login(self.editor)
        page = self.client.get(change_url(item))
        # The form carries the time it shows, to tell it from a time typed.
        self.assertContains(page, 'name="initial-published_at_0" value="03.05.2026"')
        opened = self.form_data(item)
        opened.update(
            {
                "initial-published_at_0": opened["published_at_0"],
                "initial-published_at_1": opened["published_at_1"],
            }
        )
        # Another editor publishes it now.
        services.publish(item=item, user=self.editor, at=timezone.now())
        # The old form's "cancel the schedule" finds it live: refused, nothing saved.
        response = self.client.post(change_url(item), {**opened, "workflow": "unschedule"})
        self.assertContains(response, "Only a scheduled item can have its schedule cancelled.")
        item.refresh_from_db()
        self.assertEqual((item.public_state, item.published_at), (PublicState.LIVE, timezone.now()))
        # A plain save from it keeps the time the step set.
        response = self.client.post(change_url(item), {**opened, "lead": "Corrected."})
        self.assertRedirects(response, "/admin/archive/newsitem/")
        item.refresh_from_db()
        self.assertEqual((item.lead, item.published_at), ("Corrected.", timezone.now()))
        # A time typed over the one shown is the editor's: it is saved.
        fresh = self.form_data(item)
        fresh["initial-published_at_0"] = fresh["published_at_0"]
        fresh["initial-published_at_1"] = fresh["published_at_1"]
        response = self.client.post(change_url(item), {**fresh, "published_at_0": "2026-04-20"})
        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertEqual(item.published_at.date(), datetime.date(2026, 4, 20))

    def test_a_save_after_a_publish_from_the_queue_says_it_is_public_now(self):
        item = self.draft()
        services.submit_for_review(item=item, user=self.author)
        self.login(self.editor)
        page = self.client.get(change_url(item))
        self.assertContains(page, 'name="opened_state" value="review"')
        # Another editor publishes it from the queue while this form is open.
        services.publish(item=item, user=UserFactory(username="boris", role="editor"))
        response = self.client.post(
            change_url(item),
            {**self.form_data(item), "opened_state": "review", "lead": "Typed."},
            follow=True,
        )
        self.assertContains(response, "was published while this form was open (boris, ")
        self.assertContains(response, "what you saved is on the public site now.")
        # Opened when it was already live, a save says nothing of the kind.
        response = self.client.post(
            change_url(item),
            {**self.form_data(NewsItem.objects.get(pk=item.pk)), "opened_state": "live"},
            follow=True,
        )
        self.assertNotContains(response, "was published while this form was open")

    def test_a_live_item_cannot_be_unscheduled(self):
        item = NewsItemFactory(section=self.section)
        self.login(self.editor)
        self.assertNotContains(self.client.get(change_url(item)), "cancel the schedule")
        response = self.step(item, "unschedule")
        self.assertContains(response, "Only a scheduled item can have its schedule cancelled.")
        item.refresh_from_db()
        self.assertEqual(item.status, Status.PUBLISHED)


class DeleteTests(AdminWorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.superuser = UserFactory(username="root", is_staff=True, is_superuser=True)

    def bulk_delete(self, *items):
        return self.client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [i.pk for i in items], "post": "yes"},
        )

    def test_an_editor_cannot_delete_a_published_or_archived_item(self):
        published = NewsItemFactory(section=self.section)
        archived = self.draft(status=Status.ARCHIVED)
        self.login(self.editor)
        for item in (published, archived):
            with self.subTest(status=item.status):
                self.assertEqual(self.client.get(delete_url(item)).status_code, 403)
                response = self.client.post(delete_url(item), {"post": "yes"})
                self.assertEqual(response.status_code, 403)
                self.assertTrue(NewsItem.objects.filter(pk=item.pk).exists())
        self.assertNotContains(self.client.get(change_url(published)), delete_url(published))

    def test_a_refused_page_of_the_admin_is_an_admin_page_that_says_why(self):
        published = NewsItemFactory(section=self.section)
        self.login(self.editor)
        response = self.client.get(delete_url(published))
        self.assertContains(response, "has been public, so it stays on record", status_code=403)
        self.assertContains(response, "unpublish (archive) it.", status_code=403)
        self.assertContains(response, 'href="/admin/">Back to the desk</a>', status_code=403)
        # A refusal of Django's own, which gives no reason, is said in general.
        self.login(self.author)
        response = self.client.post(change_url(published), self.form_data(published))
        self.assertContains(response, "Your account may not do this.", status_code=403)
        # An author's own draft that was public once: that is the reason given.
        once = self.draft(title="Once public")
        services.publish(item=once, user=self.editor)
        services.archive(item=once, user=self.editor)
        services.restore_to_draft(item=once, user=self.editor)
        response = self.client.get(delete_url(once))
        self.assertContains(
            response, "“Once public” has been public, so it stays on record", status_code=403
        )
        other = self.draft(title="Not mine", author=self.editor)
        response = self.client.get(delete_url(other))
        self.assertContains(response, "an author deletes only their own drafts", status_code=403)
        # Anyone else is refused with the site's own page.
        request = RequestFactory().get(delete_url(published))
        request.user = AnonymousUser()
        response = views.permission_denied(request, PermissionDenied())
        self.assertContains(response, "You may not see this page.", status_code=403)

    def test_a_bulk_delete_holding_a_published_item_deletes_nothing_and_says_why(self):
        published = NewsItemFactory(section=self.section, title="Summit held")
        draft = self.draft(title="Notes")
        self.login(self.editor)
        for confirmed in (False, True):
            with self.subTest(confirmed=confirmed):
                data = {"action": "delete_selected", "_selected_action": [published.pk, draft.pk]}
                if confirmed:
                    data["post"] = "yes"
                response = self.client.post(CHANGELIST, data, follow=True)
                self.assertRedirects(response, CHANGELIST)
                self.assertContains(
                    response,
                    "Nothing was deleted. Items that have been published are unpublished "
                    "(archived), not deleted: “Summit held”.",
                )
                self.assertNotContains(response, "permission to delete")
                self.assertEqual(
                    NewsItem.objects.filter(pk__in=[published.pk, draft.pk]).count(), 2
                )
        # A long choice names a few and counts the rest.
        many = [NewsItemFactory(section=self.section, title=f"Item {n}") for n in range(7)]
        response = self.client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [item.pk for item in many]},
            follow=True,
        )
        self.assertContains(response, "” and 2 more.")
        self.assertEqual(response.content.decode().count("“Item "), 5)
        # Drafts alone go through Django's own confirmation page.
        response = self.client.post(
            CHANGELIST, {"action": "delete_selected", "_selected_action": [draft.pk]}
        )
        self.assertContains(response, "Are you sure you want to delete the selected news item?")

    def test_a_superuser_is_told_what_is_deleted_for_good_and_what_goes_to_the_trash(self):
        published = NewsItemFactory(section=self.section, title="Summit held")
        drafts = [self.draft(title=f"Notes {n}", slug=f"notes-{n}") for n in range(2)]
        chosen = [published.pk, *(draft.pk for draft in drafts)]
        self.login(self.superuser)
        confirm = self.client.post(
            CHANGELIST, {"action": "delete_selected", "_selected_action": chosen}
        )
        self.assertContains(
            confirm,
            "These have been published, so they are deleted for good, not kept in the "
            "trash: “Summit held”.",
        )
        self.assertContains(confirm, "These go to the trash, where they can be restored for 30")
        done = self.client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": chosen, "post": "yes"},
            follow=True,
        )
        told = " ".join(messages_of(done))
        self.assertIn("In the trash, where they can be restored for 30 days: “Notes ", told)
        self.assertIn("“Notes 0”", told)
        self.assertIn("“Notes 1”", told)
        self.assertFalse(NewsItem.objects.filter(pk__in=chosen).exists())
        self.assertEqual(TrashedItem.objects.count(), 2)

    def test_what_a_delete_takes_with_it_names_records_not_the_rows_that_link_them(self):
        item = self.draft(title="Talks in Minsk")
        item.persons.add(PersonFactory(name="Imangali Tasmagambetov"))
        item.topics.add(TopicFactory(name="Peacekeeping"))
        self.login(self.superuser)
        pages = {
            "one item": self.client.get(delete_url(item)),
            "chosen items": self.client.post(
                CHANGELIST, {"action": "delete_selected", "_selected_action": [item.pk]}
            ),
            "a person": self.client.get(f"/admin/archive/person/{item.persons.get().pk}/delete/"),
        }
        for name, response in pages.items():
            with self.subTest(page=name):
                self.assertContains(response, "Are you sure")
                self.assertNotContains(response, "relationship")
                self.assertNotContains(response, "_persons object")
        self.assertContains(pages["one item"], "Talks in Minsk")
        self.assertContains(
            pages["one item"],
            "It goes to the trash, where it can be restored for 30 days, with its history "
            "and what is listed below.",
        )
        self.assertContains(pages["chosen items"], "News items: 1")
        self.assertContains(pages["a person"], "Imangali Tasmagambetov")

    def test_a_draft_deleted_from_its_page_is_said_to_be_in_the_trash_only(self):
        item = self.draft(title="Second thoughts", slug="second-thoughts")
        self.login(self.editor)
        response = self.client.post(delete_url(item), {"post": "yes"}, follow=True)
        self.assertEqual(response.redirect_chain[-1][0], CHANGELIST)
        self.assertEqual(
            messages_of(response),
            ["“Second thoughts” is in the trash, where it can be restored for 30 days."],
        )

    def test_a_superuser_can_delete_a_published_item(self):
        published = NewsItemFactory(section=self.section)
        self.login(self.superuser)
        confirm = self.client.get(delete_url(published))
        self.assertContains(confirm, "so it is deleted for good, not kept in the trash")
        self.assertNotContains(confirm, "It goes to the trash")
        response = self.client.post(delete_url(published), {"post": "yes"})
        self.assertRedirects(response, CHANGELIST)
        self.assertFalse(NewsItem.objects.filter(pk=published.pk).exists())

    def test_a_deleted_draft_goes_to_the_trash_and_comes_back_with_its_history(self):
        item = self.draft(title="Second thoughts", slug="second-thoughts")
        services.record_revision(item=item, user=self.author)
        services.submit_for_review(item=item, user=self.author)
        pk = item.pk
        self.login(self.editor)
        deleted = self.bulk_delete(item)
        self.assertRedirects(deleted, CHANGELIST)
        self.assertFalse(NewsItem.objects.filter(pk=pk).exists())
        told = [str(message) for message in get_messages(deleted.wsgi_request)]
        self.assertIn(
            "“Second thoughts” is in the trash, where it can be restored for 30 days.", told
        )

        self.assertContains(self.client.get(CHANGELIST), f'href="{TRASH}"')
        self.assertContains(self.client.get("/admin/queue/"), f'href="{TRASH}"')
        trash = self.client.get(TRASH)
        self.assertContains(trash, "Second thoughts")
        trashed = TrashedItem.objects.get()
        # As the admin shows it: the day in the site's time zone, not in UTC.
        self.assertContains(trash, timezone.localtime(trashed.kept_until).strftime("%d.%m.%Y"))
        self.assertEqual(trashed.deleted_by, self.editor)

        self.assertEqual(self.client.get(f"{TRASH}{trashed.pk}/restore/").status_code, 405)
        response = self.client.post(f"{TRASH}{trashed.pk}/restore/")
        self.assertRedirects(response, change_url(item))
        restored = NewsItem.objects.get(pk=pk)
        self.assertEqual(
            (restored.title, restored.status, restored.author),
            ("Second thoughts", "draft", self.author),
        )
        self.assertEqual(Revision.for_item(restored).count(), 2)
        deleted_at = timezone.localtime(trashed.deleted_at).strftime("%d.%m.%Y %H:%M")
        self.assertEqual(
            Revision.for_item(restored).first().comment_text(),
            f"Restored from the trash (deleted by editor on {deleted_at})",
        )
        self.assertEqual(Transition.for_item(restored).count(), 1)
        self.assertFalse(TrashedItem.objects.exists())

    def test_the_trash_is_the_authors_own_and_a_taken_address_is_replaced(self):
        item = self.draft(slug="taken-later")
        self.login(self.author)
        response = self.client.post(delete_url(item), {"post": "yes"})
        self.assertRedirects(response, CHANGELIST)
        trashed = TrashedItem.objects.get()

        self.login(self.other_author)
        self.assertNotContains(self.client.get(TRASH), trashed.title)
        self.assertEqual(self.client.post(f"{TRASH}{trashed.pk}/restore/").status_code, 404)

        self.draft(slug="taken-later", title="Someone else's")
        self.login(self.author)
        response = self.client.post(f"{TRASH}{trashed.pk}/restore/", follow=True)
        # Restored all the same, under a free address, which the message names.
        self.assertContains(
            response,
            "Its old address “taken-later” is used by another item now, so its address is "
            "“taken-later-2”.",
        )
        self.assertEqual(NewsItem.objects.get(pk=item.pk).slug, "taken-later-2")
        self.assertFalse(TrashedItem.objects.exists())

    def test_the_trash_is_purged_after_30_days(self):
        start = datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC)
        with time_machine.travel(start, tick=False):
            kept = self.draft(title="Deleted later")
            gone = self.draft(title="Deleted first")
            services.record_revision(item=gone, user=self.author)
            services.delete_item(item=gone, user=self.author)
        with time_machine.travel(start + datetime.timedelta(days=20), tick=False):
            services.delete_item(item=kept, user=self.author)
        with time_machine.travel(start + datetime.timedelta(days=31), tick=False):
            self.login(self.editor)
            trash = self.client.get(TRASH)
            self.assertContains(trash, "Deleted later")
            self.assertNotContains(trash, "Deleted first")
        self.assertFalse(Revision.objects.filter(object_id=gone.pk).exists())
        with time_machine.travel(start + datetime.timedelta(days=51), tick=False):
            call_command("purge_trash", verbosity=0)
        self.assertFalse(TrashedItem.objects.exists())


class NeedsAttentionFilterTests(AdminWorkflowTestCase):
    def test_the_list_narrows_to_what_the_importer_flagged(self):
        self.draft(title="Undated notes", slug="undated", flags="no-date")
        self.draft(title="Dated notes", slug="dated")
        self.login(self.editor)
        page = self.client.get(CHANGELIST)
        self.assertContains(page, "By import check")
        flagged = self.client.get(CHANGELIST, {"flagged": "yes"})
        self.assertContains(flagged, "Undated notes")
        self.assertNotContains(flagged, "Dated notes")
        clean = self.client.get(CHANGELIST, {"flagged": "no"})
        self.assertContains(clean, "Dated notes")
        self.assertNotContains(clean, "Undated notes")
        russian = self.client.get(CHANGELIST, headers={"accept-language": "ru"})
        self.assertContains(russian, "Требует внимания")


class AuthorFormTests(AdminWorkflowTestCase):
    def test_an_authors_form_has_only_what_they_write(self):
        item = self.draft(slug="kept-slug", flags="no-date")
        self.login(self.author)
        for url in (f"{CHANGELIST}add/", change_url(item)):
            with self.subTest(url=url):
                page = self.client.get(url)
                for name in ("slug", "flags", "translation", "published_at_0", "expire_at_0"):
                    self.assertNotContains(page, f'name="{name}"')
                self.assertNotContains(page, "field-version")
                self.assertContains(page, 'name="title"')
        self.assertContains(self.client.get(change_url(item)), 'name="expected_version"')

    def test_an_author_cannot_set_technical_fields_by_a_forged_post(self):
        item = self.draft(slug="kept-slug", flags="no-date")
        self.login(self.author)
        response = self.client.post(
            change_url(item),
            self.form_data(item, slug="forged", flags="", version="99", title="New title"),
        )
        self.assertRedirects(response, CHANGELIST)
        item.refresh_from_db()
        self.assertEqual(
            (item.title, item.slug, item.flags, item.version),
            ("New title", "kept-slug", "no-date", 2),
        )

    def test_a_new_items_slug_is_made_from_its_title(self):
        self.draft(slug="ministers-met")
        self.login(self.author)
        self.client.post(f"{CHANGELIST}add/", self.form_data(title="Ministers met"))
        self.client.post(f"{CHANGELIST}add/", self.form_data(title="Министры встретились"))
        slugs = set(NewsItem.objects.filter(author=self.author).values_list("slug", flat=True))
        self.assertEqual(slugs, {"ministers-met", "ministers-met-2", "ministry-vstretilis"})

    def test_editors_see_every_field(self):
        item = self.draft()
        self.login(self.editor)
        page = self.client.get(change_url(item))
        for name in ("slug", "flags", "published_at_0", "expire_at_0"):
            self.assertContains(page, f'name="{name}"')


class TimeZoneLabelTests(AdminWorkflowTestCase):
    def test_the_times_say_in_which_zone_they_are_read(self):
        item = self.draft(author=self.editor)
        self.login(self.editor)
        page = self.client.get(change_url(item))
        self.assertContains(page, "Date and time in Moscow time, UTC+3.", count=2)
        self.assertContains(page, "Go live at, in Moscow time, UTC+3")

    @override_settings(TIME_ZONE="Asia/Yerevan")
    def test_a_zone_without_a_name_goes_by_its_offset(self):
        from archive.admin import time_zone_label

        self.assertEqual(time_zone_label(), "UTC+4")

    @time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC), tick=False)
    def test_the_admin_shows_times_in_the_sites_zone(self):
        item = NewsItemFactory(
            section=self.section, published_at=datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.UTC)
        )
        self.login(self.editor)
        page = self.client.get(change_url(item))
        self.assertContains(page, 'name="published_at_1" value="12:00:00"')
