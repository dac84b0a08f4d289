"""Background jobs of the lists app."""

from django_tasks import task

from lectio.lists import services


@task()
def rerender_citations(style: str) -> int:
    """Re-formats every citation in `style` after the institution changed its style."""
    return services.rerender_all(style=style)


@task()
def locate_list(list_id: int) -> dict[str, int]:
    """Matches the list's citations that have no catalog record to records (Locate):
    identifier matches are linked, title matches wait as suggestions."""
    from lectio.lists.locate import locate_citations
    from lectio.lists.models import ReadingList

    reading_list = ReadingList.objects.filter(pk=list_id).first()
    if reading_list is None:
        return {}
    return locate_citations(reading_list=reading_list).as_dict()
