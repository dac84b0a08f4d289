from lectio.core.management.loader_command import LoaderCommand


class Command(LoaderCommand):
    help = (
        "Load reading lists, sections and citations from a Leganto reading-list "
        "loader CSV file (one citation a row)."
    )
    kind = "lists"
    what = "rows"
