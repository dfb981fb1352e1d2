"""Helpers for the loader tests: write small fixture files and count every contract row."""

import json
from pathlib import Path

import pytest
from django.apps import apps

from apps.common.history import link_history_model
from apps.common.registry import contract_labels

DATA = Path(__file__).parent / "data"
STORY = DATA / "story.json"


def row_counts():
    """Rows of every contract model, their history, their links and the links' history."""
    counts = {}
    for label in contract_labels():
        model = apps.get_model(label)
        counts[label] = model._base_manager.count()
        counts[f"{label} history"] = model.history.count()
        for field in model._meta.many_to_many:
            counts[f"{label}.{field.name}"] = field.remote_field.through.objects.count()
            counts[f"{label}.{field.name} history"] = link_history_model(field).objects.count()
    return counts


@pytest.fixture
def write_fixture(tmp_path):
    def write(objects, name="data.json"):
        path = tmp_path / name
        if name.endswith(".jsonl"):
            path.write_text("\n".join(json.dumps(obj) for obj in objects) + "\n", encoding="utf-8")
        else:
            path.write_text(json.dumps(objects, indent=1), encoding="utf-8")
        return path

    return write


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(username="researcher", password="x")


def story_objects():
    return json.loads(STORY.read_text(encoding="utf-8"))
