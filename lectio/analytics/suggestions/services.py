"""Adding a suggestion to a list: a co-cited work or a similar record becomes a
citation of the chosen section, linked to its catalog record when it has one, through
the lists' own services (status rules, rendering, events, the library's alert)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lectio.analytics.suggestions.models import Work
from lectio.analytics.suggestions.selectors import is_suggested
from lectio.catalog.models import Record
from lectio.lists import services as list_services
from lectio.lists.from_catalog import citation_add_from_record
from lectio.lists.models import Citation, MaterialType, ReadingList, Section
from lectio.lists.services import ServiceError


@transaction.atomic
def suggestion_add(
    *,
    actor: Any,
    reading_list: ReadingList,
    section: Section | None,
    work_id: int | None = None,
    record_id: int | None = None,
) -> Citation:
    """Adds a suggested work (or record) to `section` of `reading_list`.

    The caller has checked that `actor` may edit the list. Refuses (ServiceError)
    a section of another list, a suggestion that is not one for this list (any
    more: the list may have it already), and a request naming neither or both."""
    if (work_id is None) == (record_id is None):
        raise ServiceError(_("Say which suggestion to add."))
    if section is not None and section.reading_list_id != reading_list.pk:
        raise ServiceError(_("That section belongs to another list."))
    if not is_suggested(
        reading_list=reading_list, work_id=work_id, record_id=record_id
    ):
        raise ServiceError(
            _("That is not a suggestion for this list (it may be on it already).")
        )
    record = None
    work = None
    if work_id is not None:
        work = Work.objects.select_related("record").get(pk=work_id)
        record = work.record
    else:
        assert record_id is not None
        record = Record.objects.get(pk=record_id)
    if record is not None:
        return citation_add_from_record(
            actor=actor, record=record, reading_list=reading_list, section=section
        )
    assert work is not None
    metadata = dict(work.metadata or {})
    metadata.setdefault("title", work.title)
    material_type = (
        work.material_type
        if work.material_type in MaterialType.values
        else MaterialType.OTHER
    )
    return list_services.citation_add(
        actor=actor,
        reading_list=reading_list,
        section=section,
        material_type=material_type,
        metadata=metadata,
    )
