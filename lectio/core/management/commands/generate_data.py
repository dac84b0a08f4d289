import argparse

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lectio.core.generate import FULL_SIZE, SIZES, generate


class Command(BaseCommand):
    help = (
        "Fill the database with generated data for benchmarks: size l is a large "
        "university ({courses:,} courses, {users:,} users, {lists:,} lists, "
        "{citations:,} citations); m is a tenth of it, s a hundredth. Each run adds "
        "to what is there; the first also makes the lists BENCH-300 and BENCH-2000 "
        "and the user bench-student (password lectio)."
    ).format(**FULL_SIZE)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), help="s, m or l")
        # Any fraction of size l, for tests and experiments.
        parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--batch-size", type=int, default=20_000, help="rows per insert batch"
        )

    def handle(self, *args, **options) -> None:
        if options["scale"] is not None:
            scale = options["scale"]
        elif options["size"]:
            scale = SIZES[options["size"]]
        else:
            raise CommandError("Give --size s, m or l.")
        if scale <= 0:
            raise CommandError("The scale must be positive.")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "The database is not up to date: run `lectio migrate` first."
            )
        generate(
            scale=scale,
            seed=options["seed"],
            stdout=self.stdout,
            batch_size=options["batch_size"],
        )
