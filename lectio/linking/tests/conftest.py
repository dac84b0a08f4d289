from __future__ import annotations

from collections.abc import Iterator

import pytest

from lectio.linking.models import LinkingSettings


@pytest.fixture(autouse=True)
def _forget_linking_settings() -> Iterator[None]:
    LinkingSettings.forget_cached()
    yield
    LinkingSettings.forget_cached()
