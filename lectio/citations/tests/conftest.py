"""Fixtures for the citations tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from lectio.accounts.models import InstitutionSettings
from lectio.citations.models import PendingImport
from lectio.lists.tests.conftest import db_state as lists_db_state


def db_state() -> dict[str, Any]:
    """The lists' tables and the kept import files."""
    state = lists_db_state()
    table = connection.ops.quote_name(PendingImport._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, token, user_id, reading_list_id, section_id FROM {table}"  # noqa: S608
            " ORDER BY id"
        )
        state["pending_imports"] = cursor.fetchall()
    return state


@pytest.fixture
def snapshot(db: None) -> Callable[[], dict[str, Any]]:
    """`before = snapshot()`, act, `assert snapshot() == before`."""
    InstitutionSettings.current()
    return db_state
