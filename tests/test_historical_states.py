"""States that no longer exist get their former ISO codes, and reach the country table only
when an importer meets one."""

import json

import pytest
from django.core.management import call_command

from apps.geo.historical import HISTORICAL_STATES, historical_state, records_for
from apps.geo.models import Country
from apps.ingest.services.countries import CountryResolver

pytestmark = pytest.mark.django_db


def test_no_former_code_is_a_code_of_today():
    today = set(Country.objects.values_list("iso2", flat=True))
    today3 = set(Country.objects.values_list("iso3", flat=True))
    assert len(today) == 249
    for state in HISTORICAL_STATES:
        assert state.iso2 not in today and state.iso3 not in today3, state


def test_names_and_both_codes_find_the_state():
    for key in ("Soviet Union", "USSR", "sun", "SU"):
        assert historical_state(key).iso2 == "SU"
    assert historical_state("YUG").name == "Yugoslavia"
    assert historical_state("Russia") is None and historical_state("") is None


def test_the_resolver_gives_a_former_code_and_the_importer_the_record_to_add(tmp_path):
    countries = CountryResolver()
    assert countries.code("Russia") == "RU" and countries.historical == set()
    assert countries.code("Soviet Union") == "SU"
    assert countries.code("Czechoslovakia") == "CS"
    [soviet, czech] = sorted(countries.country_records(), key=lambda r: r["iso2"], reverse=True)
    assert (soviet["iso2"], soviet["iso3"], soviet["name"]) == ("SU", "SUN", "Soviet Union")
    assert czech["iso2"] == "CS"
    # Loaded once, the state is in the table: nothing more to add, and the next resolver reads it.
    fixture = tmp_path / "states.json"
    fixture.write_text(json.dumps([{"model": "geo.country", "fields": soviet}]))
    call_command("import_data", str(fixture), verbosity=0)
    assert Country.objects.get(iso2="SU").iso3 == "SUN"
    assert records_for([historical_state("SU")]) == []
    assert CountryResolver().code("USSR") == "SU"
