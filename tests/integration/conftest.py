"""Every test under tests/integration/ builds with snakemake (or reads a build) and is marked `integration`, so that
`pytest -m "not integration"` is the fast suite: each module says so with its pytestmark, and this hook marks any
test here that does not."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.integration)
