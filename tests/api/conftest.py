"""Fixtures for the API tests: clients signed in with each role, one full record of every
model, and the mixed data the comparisons of the rows' path with the serializer's read."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import models, transaction
from rest_framework.test import APIClient

from apps.common.meta import BOOKKEEPING
from apps.common.roles import EDITORS, REVIEWERS
from tests.factories import ActorFactory, EventFactory, country, one_of_each


@pytest.fixture(autouse=True)
def _deterministic_api(settings):
    """No throttling unless a test asks for it, and a fresh throttle cache for every test."""
    settings.API_THROTTLE_RATES = {"anon": None, "user": None}
    cache.clear()
    yield
    cache.clear()


def user_in(group_name, username):
    user = User.objects.create_user(username, password="unused-password-1234")
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def editor(db):
    return user_in(EDITORS, "eddie")


@pytest.fixture
def reviewer(db):
    return user_in(REVIEWERS, "rita")


@pytest.fixture
def editor_client(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def reviewer_client(reviewer):
    client = APIClient()
    client.force_authenticate(reviewer)
    return client


def _filler(model, field, record=None):
    """A value for an empty field, so that every filter has something to match."""
    if field.is_relation:
        related = field.related_model
        if related._meta.label == "geo.Country":
            return country("CN")
        if related._meta.label == "actors.Actor":
            return ActorFactory()
        if related._meta.label == "relations.Event":
            return EventFactory()
        if related._meta.label == "transfers.Transfer":  # part_of: the other transfer stands for the whole
            return related.objects.exclude(pk=record.pk).order_by("pk").first()
        raise AssertionError(f"no filler for {model.__name__}.{field.name}")
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.DateField):
        return datetime.date(2030, 1, 1) if field.name.startswith(("ended", "delisted")) else datetime.date(2001, 1, 1)
    if isinstance(field, models.IntegerField):
        return 20 if field.name.endswith("high") else 10
    if isinstance(field, models.JSONField):
        if field.name == "flags":  # a vessel's
            return [{"country": "KP", "from": "2019-01-01", "to": None}]
        if field.name == "obliges":
            return ["supplier"]
        if field.name in ("covers", "covers_in_part"):
            return ["heavy_weapons"]
        return {"un_ref": "KPi.900"} if field.name == "identifiers" else ["Alias One"]
    if isinstance(field, models.DecimalField):
        return Decimal("500000")
    if isinstance(field, models.URLField):
        return f"https://example.org/{model.__name__.lower()}/{field.name}"
    if field.name == "imo":  # a vessel's: a real number (the check digit checked)
        return "9176187"
    if isinstance(field, models.CharField | models.TextField):
        return f"filled {field.name}"[: field.max_length or None]
    return None


def fill_empty_fields(record):
    if getattr(record, "kind", None) and any(f.name == "cap_quantity" for f in record._meta.concrete_fields):
        # Every field filled: the cap fields belong to a trade cap.
        record.kind = "trade_cap"
    for field in record._meta.concrete_fields:
        if field.primary_key or field.name in BOOKKEEPING or isinstance(field, models.BooleanField):
            continue
        if field.name in ("imo", "flags") and getattr(record, "kind", None) != "vessel":
            continue  # only a vessel has an IMO number and flags
        if getattr(record, field.attname) in (None, "", [], {}):
            setattr(record, field.name, _filler(type(record), field, record))
    record.full_clean()
    record.save()
    return record


@pytest.fixture
def records(db):
    """One record of every contract model, every field filled, curated ones still drafts."""
    created = {**one_of_each(), "country": country("KP")}
    for record in created.values():
        fill_empty_fields(record)
    return created


@pytest.fixture(scope="module")
def mixed_data_module(django_db_setup, django_db_blocker):
    """The demo data plus one filled record of every model; half the curated records of the
    fixture published, so that drafts hang on published records and the reverse. Loaded once
    for the module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        records = {**one_of_each(), "country": country("KP")}
        for index, record in enumerate(records.values()):
            fill_empty_fields(record)
            if hasattr(record, "review_status") and index % 2 == 0:
                type(record).objects.filter(pk=record.pk).update(review_status="published")
        yield records
        transaction.set_rollback(True)


@pytest.fixture
def mixed_data(mixed_data_module, db):
    return mixed_data_module


def serializer_path(client, monkeypatch, url):
    """``client.get(url)`` through the serializer: no list plan, so lists and details take
    DRF's own path (``apps.common.api.views.BaseViewSet``)."""
    from apps.common.api import views

    with monkeypatch.context() as patch:
        patch.setattr(views, "plan_for", lambda view, request: None)
        return client.get(url)
