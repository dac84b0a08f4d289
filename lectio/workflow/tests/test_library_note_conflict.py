"""Two librarians editing one item's library note: the second save is a conflict."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from lectio.core.models import Event
from lectio.lists.models import Citation
from lectio.workflow.tests.conftest import item


def test_stale_library_note_is_a_409_and_changes_nothing(sent_list, librarian, admin):
    citation = item(sent_list, "On Anthologies")
    url = reverse("workflow:citation_library", args=[citation.pk])
    first, second = Client(), Client()
    first.force_login(librarian)
    second.force_login(admin)
    shown = citation.version
    data = {"copyright_status": citation.copyright_status, "version": shown}

    saved = first.post(url, {**data, "library_note": "Order two copies"})
    events = Event.objects.count()
    stale = second.post(url, {**data, "library_note": "Scan chapter 3"})

    assert saved.status_code == 302
    assert stale.status_code == 409
    assert stale["X-Current-Version"] == str(shown + 1)
    assert "Someone else changed this" in stale.content.decode()
    stored = Citation.objects.get(pk=citation.pk)
    assert (stored.library_note, stored.version) == ("Order two copies", shown + 1)
    assert Event.objects.count() == events
