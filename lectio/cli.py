"""The `lectio` command: Django's manage.py with Lectio's own commands."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lectio.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    # The contract spells commands with hyphens (load-demo); Django's modules can't.
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["lectio", *args])


if __name__ == "__main__":
    main()
