from lectio.core.management.loader_command import LoaderCommand


class Command(LoaderCommand):
    help = (
        "Load enrolments from a CSV file (primary_id, course_code, section, role, "
        "operation): adds, changes and (operation DELETE) removes people on courses."
    )
    kind = "enrolments"
    what = "enrolments"
