"""import_data refuses a value outside a field's choices, for every choice field of every
contract model, in a new record and in a changed one, naming the model and the field, and
writes nothing."""

import copy
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from apps.common.models import CuratedModel
from apps.common.registry import contract_models
from tests.ingest.conftest import row_counts, story_objects

pytestmark = pytest.mark.django_db

BAD = "zz-not-a-choice"


def choice_fields():
    """(model label, field name) of every field with choices on a contract model, read from
    the models' ``_meta``."""
    found = []
    for model in contract_models():
        found += [(model._meta.label_lower, field.name) for field in model._meta.concrete_fields if field.choices]
    return sorted(found)


CHOICE_FIELDS = choice_fields()


def test_the_choice_fields_of_the_contract_are_found():
    contract = {
        ("actors.actor", "kind"),
        ("evidence.source", "kind"),
        ("resolutions.resolution", "body"),
        ("resolutions.resolution", "outcome"),
        ("resolutions.vote", "position"),
        ("sanctions.authority", "kind"),
        ("sanctions.measure", "kind"),
        ("sanctions.measure", "direction"),
        ("transfers.transfer", "category"),
        ("transfers.transfer", "date_precision"),
        ("transfers.transfer", "status"),
        ("transfers.claim", "stance"),
        ("relations.relationship", "kind"),
        ("relations.event", "kind"),
    }
    curated = {model._meta.label_lower for model in contract_models() if issubclass(model, CuratedModel)}
    assert len(curated) == 5
    assert contract | {(label, "review_status") for label in curated} <= set(CHOICE_FIELDS)


def with_bad_choice(label, name):
    """The story's objects, the first object of ``label`` given a value outside ``name``'s choices."""
    objects = copy.deepcopy(story_objects())
    target = next((o for o in objects if o["model"] == label), None)
    assert target is not None, f"tests/ingest/data/story.json has no {label} to give a bad {name}"
    target["fields"][name] = BAD
    return objects


def import_refused(path):
    errors = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_data", str(path), verbosity=0, stderr=errors)
    return errors.getvalue()


@pytest.mark.parametrize(("label", "name"), CHOICE_FIELDS, ids=[f"{label}.{name}" for label, name in CHOICE_FIELDS])
def test_import_refuses_a_bad_choice_in_a_new_record_and_writes_nothing(label, name, write_fixture):
    path = write_fixture(with_bad_choice(label, name))
    before = row_counts()
    errors = import_refused(path)
    assert f"{label}.{name}: Value '{BAD}' is not a valid choice." in errors, errors
    assert row_counts() == before


@pytest.mark.parametrize(("label", "name"), CHOICE_FIELDS, ids=[f"{label}.{name}" for label, name in CHOICE_FIELDS])
def test_import_refuses_a_bad_choice_in_a_stored_record_and_changes_nothing(label, name, write_fixture):
    call_command("import_data", str(write_fixture(story_objects(), "story.json")), verbosity=0)
    model = apps.get_model(label)
    stored = sorted(model._base_manager.values_list("pk", name))
    before = row_counts()
    errors = import_refused(write_fixture(with_bad_choice(label, name), "corrected.json"))
    assert f"{label}.{name}: Value '{BAD}' is not a valid choice." in errors, errors
    assert row_counts() == before
    assert sorted(model._base_manager.values_list("pk", name)) == stored
