"""Background jobs of suggestions."""

from typing import Any

from django_tasks import task


@task()
def refresh_pending_lists() -> dict[str, Any]:
    """Counts again the lists that changed since they were last counted."""
    from lectio.analytics.suggestions.refresh import refresh_pending

    return refresh_pending().as_dict()


@task()
def refresh_similar_records() -> dict[str, Any]:
    """Counts again the catalog records alike in subject and title words."""
    from lectio.analytics.suggestions.refresh import refresh_similar

    return refresh_similar().as_dict()


@task()
def refresh_all_suggestions() -> dict[str, Any]:
    """Counts the suggestions of the whole institution again."""
    from lectio.analytics.suggestions.refresh import refresh_all

    return refresh_all().as_dict()
