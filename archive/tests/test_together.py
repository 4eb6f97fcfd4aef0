"""Working together on an item: who else has it open, and a conflict resolved field by field."""

import datetime
import re

import time_machine
from django.test import TestCase

from archive import pagecache, services
from archive.models import EditingSession, NewsItem, Revision, Status

from .factories import NewsItemFactory, TopicFactory, UserFactory
from .test_workflow_admin import AdminWorkflowTestCase, change_url

# 12:00 in Moscow, the site's time zone.
NOON = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def presence_url(item):
    return f"/admin/archive/newsitem/{item.pk}/presence/"


def notice_of(response):
    """The presence notice as the change page renders it."""
    found = re.search(rb'id="presence-notice"[^>]*>([^<]*)</p>', response.content)
    return found[1].decode() if found else None


class PresenceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.anna = UserFactory(username="anna", first_name="Anna", last_name="Petrova")
        cls.anna.groups.clear()
        from archive.roles import give_role

        give_role(cls.anna, "editor")
        cls.boris = UserFactory(username="boris", role="editor")
        cls.nobody = UserFactory(username="nobody")
        cls.item = NewsItemFactory(status=Status.DRAFT, published_at=None)

    def client_for(self, user):
        client = self.client_class()
        client.force_login(user)
        return client

    def test_a_reloaded_page_stays_present_whatever_its_old_page_says(self):
        anna, boris = self.client_for(self.anna), self.client_for(self.boris)
        with time_machine.travel(NOON, tick=False):
            first = re.search(r'data-page="([^"]+)"', anna.get(change_url(self.item)).text)[1]
        with time_machine.travel(NOON + datetime.timedelta(seconds=5), tick=False):
            # Saved or reloaded: the new page is there before the old one's goodbye.
            anna.get(change_url(self.item))
            anna.post(presence_url(self.item), {"leave": "1", "page": first})
            beat = boris.post(presence_url(self.item)).json()
        self.assertEqual(beat["notice"], "Also editing: Anna Petrova, since 12:00")

    def test_someone_who_may_only_read_is_not_editing(self):
        author = UserFactory(username="writer", role="author")
        self.item.status = Status.REVIEW
        self.item.save()
        self.client_for(author).get(change_url(self.item))
        self.client_for(author).post(presence_url(self.item))
        self.assertEqual(
            self.client_for(self.boris).post(presence_url(self.item)).json()["others"], []
        )

    def test_two_editors_see_each_other_until_one_leaves(self):
        anna, boris = self.client_for(self.anna), self.client_for(self.boris)
        with time_machine.travel(NOON, tick=False):
            self.assertEqual(notice_of(anna.get(change_url(self.item))), "")
        with time_machine.travel(NOON + datetime.timedelta(seconds=50), tick=False):
            self.assertEqual(anna.post(presence_url(self.item)).json()["others"], [])
        with time_machine.travel(NOON + datetime.timedelta(seconds=70), tick=False):
            opened = boris.get(change_url(self.item))
            self.assertEqual(notice_of(opened), "Also editing: Anna Petrova, since 12:00")
            self.assertContains(opened, 'aria-live="polite"')
            beat = anna.post(presence_url(self.item)).json()
        self.assertEqual(beat["others"], [{"name": "boris", "since": "12:01"}])
        self.assertEqual(beat["notice"], "Also editing: boris, since 12:01")

        # Boris closes the tab: his beacon says goodbye, naming his page.
        page = re.search(r'data-page="([^"]+)"', opened.text)[1]
        left = boris.post(presence_url(self.item), {"leave": "1", "page": page})
        self.assertEqual(left.status_code, 200)
        with time_machine.travel(NOON + datetime.timedelta(seconds=80), tick=False):
            beat = anna.post(presence_url(self.item)).json()
        # Each answer names who asked: the page holds a save made for someone else.
        self.assertEqual(beat, {"user": self.anna.pk, "others": [], "notice": ""})

    def test_someone_not_heard_from_for_a_minute_is_gone(self):
        anna, boris = self.client_for(self.anna), self.client_for(self.boris)
        with time_machine.travel(NOON, tick=False):
            boris.get(change_url(self.item))
        with time_machine.travel(NOON + datetime.timedelta(seconds=50), tick=False):
            self.assertEqual(len(anna.post(presence_url(self.item)).json()["others"]), 1)
        with time_machine.travel(NOON + datetime.timedelta(seconds=70), tick=False):
            self.assertEqual(anna.post(presence_url(self.item)).json()["others"], [])
        # Purged by that heartbeat, not kept forever.
        self.assertEqual(
            list(EditingSession.objects.values_list("user__username", flat=True)), ["anna"]
        )

    def test_a_heartbeat_renews_presence_without_moving_its_start(self):
        anna, boris = self.client_for(self.anna), self.client_for(self.boris)
        with time_machine.travel(NOON, tick=False):
            boris.get(change_url(self.item))
        for seconds in (20, 40, 60, 80):
            with time_machine.travel(NOON + datetime.timedelta(seconds=seconds), tick=False):
                boris.post(presence_url(self.item))
        with time_machine.travel(NOON + datetime.timedelta(seconds=90), tick=False):
            beat = anna.post(presence_url(self.item)).json()
        self.assertEqual(beat["notice"], "Also editing: boris, since 12:00")

    def test_bad_requests_are_refused_plainly(self):
        anna = self.client_for(self.anna)
        self.assertEqual(anna.get(presence_url(self.item)).status_code, 405)
        self.assertEqual(anna.post("/admin/archive/newsitem/999999/presence/").status_code, 404)
        # Not an item's address at all: the admin's own answer, a redirect.
        self.assertEqual(anna.post("/admin/archive/newsitem/x/presence/").status_code, 302)
        nobody = self.client_for(self.nobody)
        self.assertEqual(nobody.post(presence_url(self.item)).status_code, 403)
        self.assertFalse(EditingSession.objects.filter(user=self.nobody).exists())
        # Signed out: to the sign-in page, nothing recorded.
        response = self.client_class().post(presence_url(self.item))
        self.assertEqual(response.status_code, 302)

    def test_the_heartbeat_needs_the_csrf_token(self):
        client = self.client_class(enforce_csrf_checks=True)
        client.force_login(self.anna)
        with self.assertLogs("django.security.csrf", "WARNING"):
            self.assertEqual(client.post(presence_url(self.item)).status_code, 403)
        self.assertFalse(EditingSession.objects.exists())

    def test_an_author_may_see_who_edits_an_item_they_may_view(self):
        author = UserFactory(username="writer", role="author")
        self.client_for(self.boris).post(presence_url(self.item))
        response = self.client_for(author).post(presence_url(self.item))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["others"][0]["name"], "boris")

    def test_a_heartbeat_leaves_the_cached_public_pages_valid(self):
        """Editors beat every 20 s each: that must not make every cached page old."""
        anna = self.client_for(self.anna)
        anna.post(presence_url(self.item))
        before = pagecache.stored_generation()
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            anna.post(presence_url(self.item))
            anna.post(presence_url(self.item), {"leave": "1"})
        self.assertEqual(callbacks, [])
        self.assertEqual(pagecache.stored_generation(), before)

    def test_the_heartbeat_costs_a_fixed_number_of_queries(self):
        """However many people have the item open, a heartbeat costs the same."""
        for n in range(5):
            self.client_for(UserFactory(username=f"e{n}", role="editor")).post(
                presence_url(self.item)
            )
        anna = self.client_for(self.anna)
        anna.post(presence_url(self.item))
        with self.assertNumQueries(8):
            beat = anna.post(presence_url(self.item)).json()
        self.assertEqual(len(beat["others"]), 5)


class ConflictResolutionTests(AdminWorkflowTestCase):
    def setUp(self):
        self.item = self.opened_item(title="Original title", lead="Original lead.")
        self.login(self.editor)
        # Editor A opens the form at version 1 ...
        self.opened = self.form_data(self.item)
        # ... and the author saves a new lead first.
        other = self.client_class()
        other.force_login(self.author)
        other.post(change_url(self.item), self.form_data(self.item, lead="Author's better lead."))
        self.item.refresh_from_db()
        self.assertEqual(self.item.version, 2)

    def opened_item(self, **kwargs):
        """A draft at version 1, in the history as the admin keeps it."""
        item = self.draft(**kwargs)
        services.record_revision(item=item, user=self.author)
        return item

    def refused(self, **typed):
        response = self.client.post(change_url(self.item), {**self.opened, **typed})
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "Someone else saved this item while you were editing it", count=1
        )
        # Nothing in the form is wrong: no "correct the error below", no "Error:" title.
        self.assertNotContains(response, "Please correct the error")
        self.assertNotContains(response, "<title>Error:")
        return response

    def test_the_refused_form_shows_their_change_beside_what_was_typed(self):
        response = self.refused(title="Editor's title")
        self.assertContains(response, 'value="Editor&#x27;s title"')
        self.assertContains(response, "<del>Original</del> <ins>Author&#x27;s better</ins> lead.")
        # The form now stands on their version: saved again, it goes on top of it.
        self.assertContains(response, 'name="expected_version" value="2"')
        # The lead only they changed: theirs is the choice unless the editor picks otherwise.
        self.assertRegex(
            response.content.decode(),
            r'name="conflict-lead" value="theirs" checked',
        )
        self.assertContains(response, "Save with these choices")
        self.assertContains(response, "their changes are listed above it")
        self.item.refresh_from_db()
        self.assertEqual((self.item.title, self.item.version), ("Original title", 2))

    def test_a_field_not_on_the_stale_form_is_said_to_stay_theirs(self):
        # The editor renames the item; the author's form has no slug field.
        self.client.post(
            change_url(self.item), self.form_data(self.item, slug="renamed-by-the-editor")
        )
        self.item.refresh_from_db()
        author = self.client_class()
        author.force_login(self.author)
        stale = {**self.opened, "title": "Author's title"}
        stale.pop("slug", None)
        stale.pop("published_at_0", None)
        stale.pop("published_at_1", None)
        response = author.post(change_url(self.item), stale)
        self.assertContains(response, "Not on your form: their change stays as it is.")
        self.assertNotContains(response, "Not merged: the rows")

    def test_take_theirs_keeps_their_lead_and_my_title(self):
        self.refused(title="Editor's title")
        response = self.client.post(
            change_url(self.item),
            {
                **self.opened,
                "title": "Editor's title",
                "expected_version": "2",
                "conflict-lead": "theirs",
                "_continue": "1",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.item.refresh_from_db()
        self.assertEqual(
            (self.item.title, self.item.lead, self.item.version),
            ("Editor's title", "Author's better lead.", 3),
        )
        self.assertEqual(Revision.for_item(self.item).first().data["lead"], "Author's better lead.")

    def test_their_new_title_taken_in_a_merge_keeps_the_address_it_gave(self):
        item = self.opened_item(title="Summit notes", slug="summit-notes")
        author = self.client_class()
        author.force_login(self.author)
        opened = self.form_data(item, lead="Author's lead.")
        # The editor retitles the draft; its address follows the title.
        self.client.post(change_url(item), self.form_data(item, title="Summit report"))
        item.refresh_from_db()
        self.assertEqual(item.slug, "summit-report")
        self.assertContains(author.post(change_url(item), opened), "Someone else saved")
        merged = {**opened, "expected_version": str(item.version), "conflict-title": "theirs"}
        self.assertEqual(author.post(change_url(item), merged).status_code, 302)
        item.refresh_from_db()
        self.assertEqual(
            (item.title, item.lead, item.slug), ("Summit report", "Author's lead.", "summit-report")
        )

    def test_keep_mine_overwrites_their_lead(self):
        response = self.refused(title="Editor's title", lead="Editor's lead.")
        # Both changed the lead: the editor's own text is the choice unless they pick theirs.
        self.assertRegex(response.content.decode(), r'name="conflict-lead" value="mine" checked')
        self.assertContains(response, "changed by both of you")
        self.client.post(
            change_url(self.item),
            {
                **self.opened,
                "title": "Editor's title",
                "lead": "Editor's lead.",
                "expected_version": "2",
                "conflict-lead": "mine",
            },
        )
        self.item.refresh_from_db()
        self.assertEqual(
            (self.item.title, self.item.lead, self.item.version),
            ("Editor's title", "Editor's lead.", 3),
        )

    def test_a_third_save_in_between_is_a_conflict_again(self):
        self.refused(title="Editor's title")
        third = self.client_class()
        third.force_login(self.author)
        third.post(change_url(self.item), self.form_data(self.item, body="Author's new body."))
        self.item.refresh_from_db()
        response = self.client.post(
            change_url(self.item),
            {
                **self.opened,
                "title": "Editor's title",
                "expected_version": "2",
                "conflict-lead": "theirs",
            },
        )
        self.assertContains(response, "Someone else saved this item while you were editing it")
        self.assertContains(response, "<ins>Author&#x27;s new</ins> body.")
        self.assertContains(response, 'name="expected_version" value="3"')
        self.assertContains(response, 'value="Editor&#x27;s title"')
        # The lead, chosen in the first panel, is not in this one: the choice still holds.
        self.assertContains(response, '<input type="hidden" name="conflict-lead" value="theirs">')
        self.item.refresh_from_db()
        self.assertEqual((self.item.title, self.item.version), ("Original title", 3))

        self.client.post(
            change_url(self.item),
            {
                **self.opened,
                "title": "Editor's title",
                "expected_version": "3",
                "conflict-lead": "theirs",
                "conflict-body": "theirs",
            },
        )
        self.item.refresh_from_db()
        self.assertEqual(
            (self.item.title, self.item.lead, self.item.body, self.item.version),
            ("Editor's title", "Author's better lead.", "<p>Author's new body.</p>", 4),
        )

    def test_an_item_made_without_a_revision_keeps_its_first_version_at_its_first_save(self):
        # Demo, generated and bulk-imported items start without a revision.
        item = self.draft(title="Unrecorded", slug="unrecorded", lead="Old lead.")
        opened = self.form_data(item)
        other = self.client_class()
        other.force_login(self.author)
        other.post(change_url(item), self.form_data(item, lead="New lead."))
        self.assertEqual([r.version for r in Revision.for_item(item)], [2, 1])
        response = self.client.post(change_url(item), {**opened, "title": "Mine"})
        self.assertNotContains(response, "The version you opened is not in the history")
        self.assertNotContains(response, "changed by both of you")
        self.assertContains(response, "<del>Old</del> <ins>New</ins> lead.")
        # Their lead is taken unless chosen otherwise; the title only this editor changed.
        self.assertRegex(response.content.decode(), r'name="conflict-lead" value="theirs" checked')
        self.assertNotContains(response, 'name="conflict-title"')

    def test_without_the_opened_version_in_history_their_change_is_shown_against_mine(self):
        item = self.draft(title="Unrecorded", slug="unrecorded", lead="Old lead.")
        opened = self.form_data(item)
        other = self.client_class()
        other.force_login(self.author)
        other.post(change_url(item), self.form_data(item, lead="New lead."))
        Revision.for_item(item).delete()  # a history lost
        response = self.client.post(change_url(item), {**opened, "title": "Mine"})
        self.assertContains(response, "The version you opened is not in the history")
        self.assertContains(response, "<del>Old</del> <ins>New</ins> lead.")
        # Who changed it is unknown, so no one is said to have: what was
        # typed is kept unless chosen otherwise.
        self.assertNotContains(response, "changed by both of you")
        self.assertRegex(response.content.decode(), r'name="conflict-lead" value="mine" checked')
        self.assertRegex(response.content.decode(), r'name="conflict-title" value="mine" checked')

    def test_take_theirs_for_topics(self):
        topic = TopicFactory(name="Security")
        item = self.opened_item(title="Tagged", slug="tagged")
        opened = self.form_data(item)
        other = self.client_class()
        other.force_login(self.author)
        other.post(change_url(item), self.form_data(item, topics=[topic.pk]))
        response = self.client.post(change_url(item), {**opened, "title": "Retitled"})
        self.assertContains(response, "<ins>Security</ins>")
        self.client.post(
            change_url(item),
            {**opened, "title": "Retitled", "expected_version": "2", "conflict-topics": "theirs"},
        )
        item.refresh_from_db()
        self.assertEqual((item.title, list(item.topics.all())), ("Retitled", [topic]))

    def test_a_choice_never_applies_without_a_conflict_seen(self):
        """A forged "take theirs" on a fresh form changes nothing but what was typed."""
        item = NewsItem.objects.get(pk=self.item.pk)
        self.client.post(
            change_url(item),
            self.form_data(item, title="Fresh", **{"conflict-lead": "theirs", "conflict-x": "1"}),
        )
        item.refresh_from_db()
        self.assertEqual(
            (item.title, item.lead, item.version), ("Fresh", "Author's better lead.", 3)
        )


class OwnOtherWindowTests(AdminWorkflowTestCase):
    def test_a_save_of_ones_own_in_another_tab_is_said_to_be_ones_own(self):
        item = self.draft(title="Summit")
        services.record_revision(item=item, user=self.author)
        self.login(self.author)
        first_tab = self.form_data(item, lead="Typed in the first tab.")
        self.client.post(change_url(item), self.form_data(item, lead="Saved in the second tab."))
        response = self.client.post(change_url(item), first_tab)
        self.assertContains(response, "You saved this item in another window or tab")
        self.assertContains(response, "What the other save changed (now version 2)")
        self.assertNotContains(response, "Someone else saved")
        item.refresh_from_db()
        self.assertEqual(item.lead, "Saved in the second tab.")


class PublishedMeanwhileTests(AdminWorkflowTestCase):
    def test_a_form_opened_before_a_publish_keeps_its_go_live_time(self):
        """The stale form shows no go-live time: saving it must not need one typed."""
        item = self.draft(title="Ministers met", published_at=None)
        services.record_revision(item=item, user=self.author)
        self.login(self.editor)
        opened = self.form_data(item)
        services.publish(item=item, user=UserFactory(username="second", role="editor"))
        item.refresh_from_db()

        response = self.client.post(change_url(item), {**opened, "lead": "My lead."})
        self.assertEqual(response.status_code, 302)
        stored = NewsItem.objects.get(pk=item.pk)
        self.assertEqual(
            (stored.lead, stored.status, stored.published_at),
            ("My lead.", Status.PUBLISHED, item.published_at),
        )


class SessionCheckTests(TestCase):
    """/admin/session/: what a new item's form asks before it is sent."""

    def test_it_answers_whether_the_form_would_be_taken(self):
        editor = UserFactory(username="editor", role="editor")
        client = self.client_class(enforce_csrf_checks=True)

        def form_token(address):
            return re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(address).text
            )[1]

        # Signed out: the admin's sign-in page.
        token = form_token("/admin/login/")
        self.assertRedirects(
            client.post("/admin/session/", {"csrfmiddlewaretoken": token}),
            "/admin/login/?next=/admin/session/",
            fetch_redirect_response=False,
        )
        client.force_login(editor)
        token = form_token("/admin/archive/newsitem/add/")
        response = client.post("/admin/session/", {"csrfmiddlewaretoken": token})
        self.assertEqual(response.json(), {"user": editor.pk})
        self.assertEqual(client.get("/admin/session/").status_code, 405)
        # Signed in again in another tab (the token rotates): the form's token is refused.
        editor.set_password("editor-password")
        editor.save()
        client.post(
            "/admin/login/",
            {
                "username": "editor",
                "password": "editor-password",
                "csrfmiddlewaretoken": form_token("/admin/login/"),
            },
        )
        with self.assertLogs("django.security.csrf", "WARNING"):
            response = client.post("/admin/session/", {"csrfmiddlewaretoken": token})
        self.assertEqual(response.status_code, 403)
