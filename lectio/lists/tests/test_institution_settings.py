import pytest
from django.urls import reverse

from lectio.accounts.models import InstitutionSettings, User
from lectio.lists import services
from lectio.lists.models import Citation
from lectio.lists.tasks import rerender_citations

URL = reverse("lists:institution_settings")

# The loader and rollover part of the form as a new institution has it.
POLICY = {
    "loader_date_format": "%Y-%m-%d",
    "loader_unknown_users": "create",
    "loader_unknown_codes": "create",
    "rollover_recalculate_statuses": "on",
    "rollover_copy_public_notes": "on",
    "rollover_copy_library_tags": "on",
    "rollover_copy_collaborators": "on",
    "rollover_copy_syllabus": "on",
    "analytics_min_group": "10",
    "max_upload_mb": "50",
}


@pytest.fixture
def admin_user(db):
    # May change institution policy.
    return User.objects.create_user("boss", password="x", role="admin")


@pytest.fixture
def a_citation(db, admin_user):
    reading_list = services.reading_list_create(actor=admin_user, name="Style list")
    return services.citation_add(
        actor=admin_user,
        reading_list=reading_list,
        material_type="book",
        metadata={
            "type": "book",
            "title": "The structure of scientific revolutions",
            "author": [{"family": "Kuhn", "given": "Thomas"}],
            "issued": {"date-parts": [[1962]]},
        },
    )


def test_new_citations_use_the_institution_style(a_citation):
    assert a_citation.rendered_style == "apa"
    assert a_citation.rendered_html.startswith("Kuhn, T. (1962).")


def test_only_admins_see_institution_settings(client, db):
    for role in ("student", "instructor", "librarian"):
        user = User.objects.create_user(f"u-{role}", password="x", role=role)
        client.force_login(user)
        assert client.get(URL).status_code == 403
        response = client.post(
            URL, {"version": 1, "name": "Hacked", "citation_style": "ieee"}
        )
        assert response.status_code == 403
    assert InstitutionSettings.current().name == "Lectio University"


def test_changing_the_style_queues_a_reformat(client, admin_user, a_citation):
    client.force_login(admin_user)
    response = client.post(
        URL,
        {
            **POLICY,
            "version": 1,
            "name": "Lectio University",
            "citation_style": "ieee",
            "students_see_only_complete": "on",
            "publishing_workflow": "instructor",
        },
    )
    assert response.status_code == 302
    assert InstitutionSettings.current().citation_style == "ieee"
    # The job the view queued, run here directly: citations come back in IEEE.
    assert rerender_citations.call("ieee") == 1
    citation = Citation.objects.get(pk=a_citation.pk)
    assert citation.rendered_style == "ieee"
    assert (
        citation.rendered_html
        == "T. Kuhn, <i>The structure of scientific revolutions</i>. 1962."
    )


def test_stale_settings_form_is_a_conflict(client, admin_user):
    client.force_login(admin_user)
    data = {
        **POLICY,
        "version": 1,
        "name": "First",
        "citation_style": "apa",
        "publishing_workflow": "instructor",
    }
    assert client.post(URL, data).status_code == 302
    response = client.post(URL, {**data, "name": "Second"})
    assert response.status_code == 409
    assert response["X-Current-Version"] == "2"
    assert InstitutionSettings.current().name == "First"


def test_unknown_style_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, {"version": 1, "name": "X", "citation_style": "nope"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert InstitutionSettings.current().citation_style == "apa"


def test_publishing_workflow_library_publishes_stops_instructors(client, admin_user):
    from lectio.accounts.models import PublishingWorkflow
    from lectio.lists.services import ServiceError

    client.force_login(admin_user)
    response = client.post(
        URL,
        {
            **POLICY,
            "version": 1,
            "name": "Lectio University",
            "citation_style": "apa",
            "publishing_workflow": "library",
        },
    )
    assert response.status_code == 302
    assert InstitutionSettings.current().publishing_workflow == (
        PublishingWorkflow.LIBRARY_PUBLISHES
    )
    instructor = User.objects.create_user("teach", password="x", role="instructor")
    reading_list = services.reading_list_create(actor=instructor, name="Mine")
    with pytest.raises(ServiceError, match="the library publishes lists"):
        services.reading_list_publish(
            actor=instructor, reading_list=reading_list, visibility="course"
        )
    reading_list.refresh_from_db()
    assert reading_list.publication_status == "Draft"
    services.reading_list_publish(
        actor=admin_user, reading_list=reading_list, visibility="course"
    )
    reading_list.refresh_from_db()
    assert reading_list.publication_status == "Published"


def test_publish_on_send_publishes_when_the_list_is_sent(db):
    from lectio.accounts.models import PublishingWorkflow

    InstitutionSettings.objects.update_or_create(
        pk=1, defaults={"publishing_workflow": PublishingWorkflow.PUBLISH_ON_SEND}
    )
    InstitutionSettings.forget_cached()
    instructor = User.objects.create_user("teach", password="x", role="instructor")
    reading_list = services.reading_list_create(actor=instructor, name="Mine")
    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)
    reading_list.refresh_from_db()
    assert reading_list.status == "ReadyForProcessing"
    assert reading_list.publication_status == "Published"


def _full_form(**changes: str) -> dict[str, str]:
    return {
        **POLICY,
        "version": "1",
        "name": "Lectio University",
        "citation_style": "apa",
        "students_see_only_complete": "on",
        "send_updates_automatically": "on",
        "publishing_workflow": "instructor",
        **changes,
    }


def test_settings_page_has_loader_and_rollover_sections(client, admin_user):
    client.force_login(admin_user)

    page = client.get(URL).content.decode()

    assert '<h2 id="loader-settings">Loaders</h2>' in page
    assert '<h2 id="rollover-settings">Rollover</h2>' in page
    assert 'name="loader_date_format" value="%Y-%m-%d"' in page
    assert 'href="/institution/data/"' in page
    for name in POLICY:
        assert f'name="{name}"' in page


def test_loader_and_rollover_settings_are_saved(client, admin_user):
    from lectio.core.models import Event

    client.force_login(admin_user)
    data = _full_form(
        loader_date_format="%d/%m/%Y",
        loader_unknown_users="reject",
        loader_unknown_codes="reject",
    )
    for name in ("rollover_copy_collaborators", "rollover_copy_syllabus"):
        del data[name]

    response = client.post(URL, data)

    assert response.status_code == 302
    row = InstitutionSettings.current()
    assert (
        row.loader_date_format,
        row.loader_unknown_users,
        row.loader_unknown_codes,
        row.rollover_recalculate_statuses,
        row.rollover_copy_public_notes,
        row.rollover_copy_library_tags,
        row.rollover_copy_collaborators,
        row.rollover_copy_syllabus,
        row.version,
    ) == ("%d/%m/%Y", "reject", "reject", True, True, True, False, False, 2)
    changed = [
        name
        for event in Event.objects.filter(verb="institution.settings")
        for name in event.params["changed"]
    ]
    assert sorted(changed) == [
        "loader_date_format",
        "loader_unknown_codes",
        "loader_unknown_users",
        "rollover_copy_collaborators",
        "rollover_copy_syllabus",
    ]
    # The upload page starts from the new date format.
    upload = client.get(reverse("courses:data")).content.decode()
    assert 'name="date_format" value="%d/%m/%Y"' in upload


@pytest.mark.parametrize("fmt", ["", "DD/MM/YYYY", "%m/%Y", "%Q"])
def test_loader_date_format_must_be_a_whole_date(client, admin_user, fmt):
    client.force_login(admin_user)

    response = client.post(URL, _full_form(loader_date_format=fmt, name="Changed"))

    assert response.status_code == 200
    assert 'id="id_loader_date_format_error"' in response.content.decode()
    row = InstitutionSettings.current()
    assert (row.name, row.loader_date_format, row.version) == (
        "Lectio University",
        "%Y-%m-%d",
        1,
    )


def test_stale_form_changes_no_loader_setting(client, admin_user):
    client.force_login(admin_user)
    assert client.post(URL, _full_form(name="First")).status_code == 302

    response = client.post(URL, _full_form(loader_unknown_users="reject"))

    assert response.status_code == 409
    row = InstitutionSettings.current()
    assert (row.name, row.loader_unknown_users, row.version) == ("First", "create", 2)


def test_unknown_loader_policy_is_refused(client, admin_user):
    client.force_login(admin_user)

    response = client.post(URL, _full_form(loader_unknown_codes="ignore"))

    assert response.status_code == 200
    assert InstitutionSettings.current().loader_unknown_codes == "create"


def test_admins_set_the_upload_limit(client, admin_user):
    client.force_login(admin_user)
    assert InstitutionSettings.current().max_upload_mb == 50
    page = client.get(URL)
    assert b'name="max_upload_mb" value="50"' in page.content
    base = {
        **POLICY,
        "version": 1,
        "name": "Lectio University",
        "citation_style": "apa",
        "students_see_only_complete": "on",
        "publishing_workflow": "instructor",
    }
    refused = client.post(URL, {**base, "max_upload_mb": "0"})
    assert refused.status_code == 200
    assert InstitutionSettings.current().max_upload_mb == 50
    response = client.post(URL, {**base, "max_upload_mb": "20"})
    assert response.status_code == 302
    row = InstitutionSettings.current()
    assert (row.max_upload_mb, row.version) == (20, 2)
