"""Background jobs of the LTI app."""

from django_tasks import task

from lectio.lti.models import RosterLink
from lectio.lti.roster import RosterFailed, roster_sync


@task()
def sync_roster(link_id: int) -> dict[str, int]:
    """Reads one course's roster from its platform and applies it. A failure is
    recorded on the link (and logged); it leaves the enrolments as they were."""
    link = (
        RosterLink.objects.select_related("platform", "course")
        .filter(pk=link_id, platform__active=True, platform__roster_sync=True)
        .first()
    )
    if link is None:
        return {}
    try:
        return roster_sync(link).as_dict()
    except RosterFailed:
        return {"failed": 1}
