from lectio.core.management.loader_command import LoaderCommand


class Command(LoaderCommand):
    help = (
        "Load people from a CSV file (primary_id, username, first_name, last_name, "
        "preferred_name, email, role, status): creates and updates users."
    )
    kind = "users"
    what = "users"
