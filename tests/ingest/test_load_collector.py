"""A load runs Python's cyclic garbage collector less often while it runs
(``apps.ingest.loader.load.fewer_collections``: its walks of a growing heap took a tenth of a
20,000-transfer load), and leaves the collector as it found it, whether the load succeeds,
refuses its records or fails."""

import gc

import pytest

from apps.ingest.loader import load as loader
from apps.ingest.loader import load_records
from apps.ingest.services.readers import FileSource
from tests.ingest.conftest import story_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def spied_apply(monkeypatch):
    """The collector's thresholds as each load's apply pass saw them (the pass itself runs)."""
    seen = []
    real = loader.apply

    def apply(load):
        seen.append(gc.get_threshold())
        return real(load)

    monkeypatch.setattr(loader, "apply", apply)
    return seen


def test_a_load_runs_the_collector_less_often_and_restores_it(write_fixture, spied_apply):
    before = gc.get_threshold()
    during = (loader.LOAD_GC_THRESHOLD, *before[1:])
    report = load_records([FileSource(write_fixture(story_objects(), "story.json"))])
    assert report.ok
    assert gc.get_threshold() == before
    bad = load_records([FileSource(write_fixture([{"model": "transfers.transfer", "fields": []}], "bad.json"))])
    assert not bad.ok
    assert gc.get_threshold() == before
    assert spied_apply == [during, during]


def test_a_load_that_fails_restores_the_collector(write_fixture, monkeypatch):
    before = gc.get_threshold()

    def failing(load):
        assert gc.get_threshold()[0] == loader.LOAD_GC_THRESHOLD
        raise RuntimeError("the database went away")

    monkeypatch.setattr(loader, "apply", failing)
    with pytest.raises(RuntimeError):
        load_records([FileSource(write_fixture(story_objects(), "story.json"))])
    assert gc.get_threshold() == before
