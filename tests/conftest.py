"""Shared pytest fixtures."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_data(relative):
    """A real public list from ../shared/data; skip (naming the path) when it is absent,
    except under CI=true where it must be there."""
    path = SHARED_DATA / relative
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{path} is missing; CI must run the tests that read it")
        pytest.skip(f"{path} is not present in this checkout")
    return path


@pytest.fixture
def demo_data(db):
    """The shipped demo data set, loaded as the quickstart loads it."""
    call_command("load_demo", verbosity=0)
