"""Migrations match the models and carry names that say what they do."""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = io.StringIO()

    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:  # makemigrations --check exits 1 when one is missing
        pytest.fail(f"missing migrations (exit {exit_.code}):\n{out.getvalue()}")

    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_every_migration_of_ours_has_an_explicit_name():
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    ours = {
        app.label for app in apps.get_app_configs() if app.name.startswith("lectio.")
    }
    auto_named = sorted(
        f"{app_label}.{name}"
        for app_label, name in loader.disk_migrations
        if app_label in ours and re.fullmatch(r"\d{4}_auto_\d{8}_\d{4}", name)
    )

    assert auto_named == []
