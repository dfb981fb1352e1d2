"""Project-level guarantees: settings checks, migrations in step, the country table."""

import io

import pytest
from django.core.checks import run_checks
from django.core.management import call_command

from apps.geo.models import Country


def test_refuses_debug_off_with_the_development_secret_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    assert "sanctionsdb.E001" in [message.id for message in run_checks()]


def test_accepts_debug_off_with_a_real_secret_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-long-random-production-value-0123456789abcdef"
    assert "sanctionsdb.E001" not in [message.id for message in run_checks()]


@pytest.mark.django_db
def test_models_and_migrations_are_in_step():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_migrations_fill_every_iso_country_and_the_permanent_members():
    assert Country.objects.count() == 249
    korea = Country.objects.get(iso2="KP")
    assert korea.iso3 == "PRK"
    assert set(Country.objects.filter(sc_permanent_member=True).values_list("iso2", flat=True)) == {
        "CN",
        "FR",
        "GB",
        "RU",
        "US",
    }


@pytest.mark.django_db
def test_migrations_create_the_editorial_roles():
    from django.contrib.auth.models import Group

    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    reviewers = set(Group.objects.get(name="Reviewers").permissions.values_list("codename", flat=True))
    assert {"add_transfer", "change_transfer", "view_transfer"} <= editors
    assert "delete_transfer" not in editors
    assert "delete_transfer" in reviewers
    assert "change_historicaltransfer" not in reviewers
