"""The editor's desk: the editorial queue, its Publish button, workflow mails and their setting."""

import datetime
import smtplib
from unittest import mock

import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from archive import services
from archive.models import NotificationSettings, Statement, Status
from archive.preview import preview_url

from .factories import NewsItemFactory, StatementFactory, UserFactory
from .test_workflow_admin import AdminWorkflowTestCase, messages_of

QUEUE = "/admin/queue/"


def publish_url(item):
    return f"/admin/queue/publish/{item._meta.model_name}/{item.pk}/"


class DeskTestCase(AdminWorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for user in (cls.author, cls.other_author, cls.editor):
            user.email = f"{user.username}@example.org"
            user.save()
        cls.second_editor = UserFactory(
            username="editor2", role="editor", email="editor2@example.org"
        )

    def in_review(self, **kwargs):
        item = self.draft(**kwargs)
        services.submit_for_review(item=item, user=item.author, comment="Please look.")
        return item


class QueueTests(DeskTestCase):
    def test_a_row_shows_section_state_waited_and_last_comment(self):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=2), tick=False):
            item = self.draft(title="Ministers met in Minsk")
            services.submit_for_review(item=item, user=self.author, comment="Ready, with photos.")
        statement = StatementFactory(
            title="Joint declaration",
            kind=Statement.Kind.DECLARATION,
            status=Status.DRAFT,
            published_at=None,
            author=self.author,
        )
        services.submit_for_review(item=statement, user=self.author)
        self.client.force_login(self.editor)
        page = self.client.get(QUEUE)
        self.assertContains(page, '<table class="queue-table"', count=2)
        self.assertContains(page, "Ministers met in Minsk")
        self.assertContains(page, ">News</td>", html=False)
        self.assertContains(page, '<span class="state-badge state-review">In review</span>')
        self.assertContains(page, "2\xa0days")
        self.assertContains(page, "<q>Ready, with photos.</q>", html=False)
        self.assertContains(page, "Declaration")

    def test_recently_published_items_show_their_publication_date_not_a_wait(self):
        self.draft(
            title="An item of 2020",
            status=Status.PUBLISHED,
            published_at=datetime.datetime(2020, 5, 26, 9, tzinfo=datetime.UTC),
        )
        self.client.force_login(self.editor)
        page = self.client.get(QUEUE)
        self.assertContains(
            page, '<time datetime="2020-05-26T12:00:00+03:00">26.05.2020 12:00</time>'
        )
        self.assertContains(page, '<th scope="col">Published</th>', count=1)

    def test_sent_back_list_shows_the_editors_comment_to_the_author_only(self):
        item = self.in_review(title="Needs work")
        services.send_back(item=item, user=self.editor, comment="Add the date of the meeting.")
        self.draft(title="Plain draft")
        self.client.force_login(self.author)
        page = self.client.get(QUEUE)
        self.assertContains(page, "Sent back to you")
        sent_back = page.context["queues"][0]["sent_back"]
        self.assertEqual([i.title for i in sent_back], ["Needs work"])
        # Listed once: not again under "My drafts".
        drafts = page.context["queues"][0]["drafts"]
        self.assertEqual([i.title for i in drafts], ["Plain draft"])
        self.assertContains(page, "Add the date of the meeting.")
        self.assertContains(page, "editor, ")
        # Neither the editor nor another author has it sent back to them.
        for user in (self.editor, self.other_author):
            self.client.force_login(user)
            page = self.client.get(QUEUE)
            self.assertNotContains(page, "Sent back to you")
        # Submitted again, it leaves the list.
        services.submit_for_review(item=item, user=self.author)
        self.client.force_login(self.author)
        self.assertNotContains(self.client.get(QUEUE), "Sent back to you")

    @time_machine.travel("2026-05-04 10:00:00 +0000", tick=False)
    def test_preview_link_for_previewable_items_only(self):
        # The clock stands still: a preview link is signed with the time it was made.
        item = self.in_review(title="Previewable")
        live = NewsItemFactory(section=self.section, title="Already out")
        self.client.force_login(self.editor)
        page = self.client.get(QUEUE)
        self.assertContains(page, f'href="{preview_url(item)}"')
        self.assertNotContains(page, f'href="{preview_url(live)}"')

    def test_publish_button_only_for_editors(self):
        item = self.in_review(title="Waiting")
        self.client.force_login(self.author)
        self.assertNotContains(self.client.get(QUEUE), publish_url(item))
        self.client.force_login(self.editor)
        page = self.client.get(QUEUE)
        self.assertContains(page, f'action="{publish_url(item)}"')
        self.assertContains(page, 'name="csrfmiddlewaretoken"')

    def test_query_count_does_not_grow_with_the_number_of_items(self):
        """Each row's last comment comes with its item, not from a query per row."""

        def fill(n):
            for i in range(n):
                self.in_review(title=f"Review {i}-{n}")
                sent = self.in_review(title=f"Sent back {i}-{n}")
                services.send_back(item=sent, user=self.editor, comment="Fix it.")
                self.draft(title=f"Draft {i}-{n}", author=self.editor)
                NewsItemFactory(section=self.section, title=f"Out {i}-{n}")
                StatementFactory(author=self.author, status=Status.DRAFT, published_at=None)

        self.client.force_login(self.editor)
        self.client.get(QUEUE)  # content types and the like cached
        fill(1)
        with self.assertNumQueries(16):
            self.client.get(QUEUE)
        fill(10)
        with self.assertNumQueries(16):
            page = self.client.get(QUEUE)
        self.assertEqual(len(page.context["queues"][0]["review"]), 11)


class QueuePublishTests(DeskTestCase):
    def test_the_editor_publishes_from_the_queue(self):
        item = self.in_review(title="Going out")
        self.client.force_login(self.editor)
        response = self.client.post(publish_url(item), {"version": item.version})
        self.assertRedirects(response, QUEUE, fetch_redirect_response=False)
        item.refresh_from_db()
        self.assertEqual(item.status, Status.PUBLISHED)
        self.assertEqual(messages_of(response)[0], "“Going out” is now published.")

    def test_a_statement_too(self):
        statement = StatementFactory(author=self.author, status=Status.DRAFT, published_at=None)
        services.submit_for_review(item=statement, user=self.author)
        self.client.force_login(self.editor)
        self.client.post(publish_url(statement), {"version": statement.version})
        statement.refresh_from_db()
        self.assertEqual(statement.status, Status.PUBLISHED)

    def test_an_authors_forged_post_is_refused(self):
        item = self.in_review()
        self.client.force_login(self.author)
        response = self.client.post(publish_url(item), {"version": item.version})
        self.assertEqual(response.status_code, 403)
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)

    def test_a_changed_item_is_not_published_unseen(self):
        item = self.in_review(title="Changed since")
        self.client.force_login(self.editor)
        response = self.client.post(publish_url(item), {"version": item.version - 1})
        self.assertRedirects(response, QUEUE, fetch_redirect_response=False)
        self.assertIn("was changed since", messages_of(response)[0])
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)

    def test_a_refused_step_is_a_message(self):
        item = self.in_review()
        services.publish(item=item, user=self.editor)
        services.archive(item=item, user=self.editor)
        self.client.force_login(self.editor)
        response = self.client.post(publish_url(item), {"version": item.version})
        self.assertRedirects(response, QUEUE, fetch_redirect_response=False)
        self.assertIn(
            "Only a draft, an item in review or a scheduled item can be published.",
            messages_of(response)[0],
        )

    def test_bad_input(self):
        item = self.in_review()
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(publish_url(item)).status_code, 405)
        self.assertEqual(
            self.client.post(
                f"/admin/queue/publish/newsitem/{item.pk + 99}/", {"version": 1}
            ).status_code,
            404,
        )
        self.assertEqual(
            self.client.post(
                f"/admin/queue/publish/section/{self.section.pk}/", {"version": 1}
            ).status_code,
            404,
        )
        self.assertEqual(self.client.post(publish_url(item), {"version": "x"}).status_code, 400)
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)

    def test_csrf_is_required(self):
        item = self.in_review()
        self.client.handler.enforce_csrf_checks = True
        self.client.force_login(self.editor)
        with self.assertLogs("django.security.csrf", "WARNING"):
            response = self.client.post(publish_url(item), {"version": item.version})
        self.assertEqual(response.status_code, 403)
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)


class MailTests(DeskTestCase):
    def step(self, function, **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            return function(**kwargs)

    def test_editors_hear_of_an_item_sent_to_review_but_not_the_submitter(self):
        item = self.draft(title="For review")
        self.step(services.submit_for_review, item=item, user=self.author, comment="Done.")
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["editor2@example.org", "editor@example.org"]
        )
        body = mail.outbox[0].body
        self.assertIn("“For review”", body)
        self.assertIn("sent to review", body)
        self.assertIn("Done.", body)
        self.assertIn(f"http://localhost:8000/admin/archive/newsitem/{item.pk}/change/", body)

    def test_an_editor_submitting_is_not_mailed_about_it(self):
        item = self.draft(author=self.editor)
        self.step(services.submit_for_review, item=item, user=self.editor)
        self.assertEqual([m.to for m in mail.outbox], [["editor2@example.org"]])

    def test_the_author_hears_of_a_send_back_with_the_comment(self):
        item = self.in_review(title="Needs work")
        self.step(services.send_back, item=item, user=self.editor, comment="Name the minister.")
        self.assertEqual([m.to for m in mail.outbox], [["author@example.org"]])
        self.assertIn("sent back", mail.outbox[0].subject)
        self.assertIn("Name the minister.", mail.outbox[0].body)

    def test_the_author_hears_of_publication_and_of_scheduling(self):
        item = self.in_review(title="Out now")
        self.step(services.publish, item=item, user=self.editor)
        self.assertEqual([m.to for m in mail.outbox], [["author@example.org"]])
        self.assertIn("published", mail.outbox[0].body)
        self.assertNotIn("goes live", mail.outbox[0].body)

        later = self.in_review(title="Later")
        at = timezone.now() + datetime.timedelta(days=3)
        self.step(services.publish, item=later, user=self.editor, at=at)
        when = timezone.localtime(at).strftime("%d.%m.%Y %H:%M")
        self.assertIn(f"goes live on {when}", mail.outbox[1].body)

    def test_nobody_is_mailed_after_opting_out(self):
        NotificationSettings.objects.create(user=self.author, email=False)
        item = self.in_review()
        self.step(services.publish, item=item, user=self.editor)
        self.assertEqual(mail.outbox, [])

    def test_nobody_without_an_address_is_mailed(self):
        self.second_editor.email = ""
        self.second_editor.save()
        item = self.draft(author=UserFactory(username="no-mail", role="author"))
        self.step(services.submit_for_review, item=item, user=item.author)
        self.assertEqual([m.to for m in mail.outbox], [["editor@example.org"]])
        self.step(services.publish, item=item, user=self.editor)
        self.assertEqual(len(mail.outbox), 1)

    def test_nothing_is_sent_before_the_step_commits(self):
        item = self.draft()
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            services.submit_for_review(item=item, user=self.author)
        self.assertEqual(mail.outbox, [])
        for callback in callbacks:
            callback()
        self.assertEqual(len(mail.outbox), 2)

    @override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend")
    def test_a_failing_mail_server_does_not_undo_the_step(self):
        item = self.in_review()
        with (
            mock.patch("smtplib.SMTP", side_effect=smtplib.SMTPConnectError(421, "down")),
            self.assertLogs("archive.notifications", "WARNING") as logs,
        ):
            self.step(services.publish, item=item, user=self.editor)
        item.refresh_from_db()
        self.assertEqual(item.status, Status.PUBLISHED)
        self.assertIn("not sent", logs.output[0])

    def test_the_admin_step_mails_too(self):
        item = self.in_review()
        self.client.force_login(self.editor)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(publish_url(item), {"version": item.version})
        self.assertEqual([m.to for m in mail.outbox], [["author@example.org"]])


class NotificationSettingsPageTests(DeskTestCase):
    URL = "/admin/notifications/"

    def test_linked_from_the_user_tools_and_the_queue(self):
        self.client.force_login(self.author)
        self.assertContains(self.client.get(QUEUE), f'href="{self.URL}"', count=2)

    def test_a_user_turns_their_own_mails_off_and_on(self):
        self.client.force_login(self.author)
        page = self.client.get(self.URL)
        self.assertContains(page, 'name="email"')
        self.assertContains(page, "checked")
        response = self.client.post(self.URL, {})
        self.assertRedirects(response, self.URL)
        self.assertFalse(NotificationSettings.objects.get(user=self.author).email)
        self.client.post(self.URL, {"email": "on"})
        self.assertTrue(NotificationSettings.objects.get(user=self.author).email)

    def test_nobody_changes_another_users_setting(self):
        NotificationSettings.objects.create(user=self.editor, email=True)
        self.client.force_login(self.author)
        self.client.post(self.URL, {"email": "", "user": self.editor.pk})
        self.client.post(f"{self.URL}?user={self.editor.pk}", {})
        self.assertTrue(NotificationSettings.objects.get(user=self.editor).email)
        self.assertEqual(NotificationSettings.objects.get(user=self.author).email, False)

    def test_a_user_without_an_address_is_told(self):
        self.client.force_login(UserFactory(username="nomail", role="author"))
        self.assertContains(self.client.get(self.URL), "no e-mail address")

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = self.client.post(self.URL, {})
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.assertFalse(NotificationSettings.objects.exists())
