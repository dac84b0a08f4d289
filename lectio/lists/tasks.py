"""Background jobs of the lists app."""

from django_tasks import task

from lectio.lists import services


@task()
def rerender_citations(style: str) -> int:
    """Re-formats every citation in `style` after the institution changed its style."""
    return services.rerender_all(style=style)
