"""`lectio load-courses FILE`: an Alma course-loader file (tab-separated, 34 columns)."""

from lectio.core.management.loader_command import LoaderCommand


class Command(LoaderCommand):
    help = (
        "Load courses from an Alma course-loader file (tab-separated, header row, "
        "34 columns). Prints created / updated / unchanged / deleted / rolled over / "
        "rejected counts, writes a reject report and exits 1 when rows were rejected."
    )
    kind = "courses"
    what = "courses"
