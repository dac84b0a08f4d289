"""Background jobs of suggestions."""

from typing import Any

from django_tasks import task


@task()
def refresh_pending_lists() -> dict[str, Any]:
    """Counts again the lists that changed since they were last counted."""
    from lectio.analytics.suggestions.refresh import refresh_pending

    return refresh_pending().as_dict()


@task()
def refresh_all_suggestions() -> dict[str, Any]:
    """Counts the suggestions of the whole institution again."""
    from lectio.analytics.suggestions.refresh import refresh_all

    return refresh_all().as_dict()
