"""A researcher's file written only against docs/data-model.md (tests/data/findings_contract.json)
loads with Django's ``loaddata`` and with ``import_data``, and gets the findings that page
defines ("The findings")."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

FILE = Path(__file__).parent.parent / "data" / "findings_contract.json"


def findings(client, reference):
    response = client.get(f"/api/v1/transfers/{reference}/contraventions/")
    assert response.status_code == 200, response.content
    return {(f["regime"]["code"], f["measure"]["code"]): f for f in response.json()["contraventions"]}


@pytest.mark.parametrize("load", ["loaddata", "import_data"])
def test_a_file_written_against_the_contract_gets_the_findings_it_defines(load, reviewer_client):
    call_command(load, str(FILE), verbosity=0)

    missiles = findings(reviewer_client, "kp-ru-missiles")
    assert set(missiles) == {("UN-1718", "all-arms-export-ban"), ("UN-1718", "missile-vigilance")}
    ban = missiles["UN-1718", "all-arms-export-ban"]
    assert ban["finding"] == "breach" and ban["binding"] is True
    assert ban["obliged_countries"] == ["KP", "RU"]
    assert ban["overlap"] == {"start": "2023-11-01", "end": "2024-01-31"}
    assert [(r["symbol"], r["recipient_position"]) for r in ban["resolutions"]] == [("S/RES/1874 (2009)", "yes")]
    assert missiles["UN-1718", "missile-vigilance"]["binding"] is False  # 1695 is not Chapter VII

    first = findings(reviewer_client, "ru-kp-fuel-2024-03")
    assert set(first) == {("UN-1718", "refined-petroleum-cap")}
    cap = first["UN-1718", "refined-petroleum-cap"]
    assert cap["finding"] == "exceeds_cap"  # 165,000 + 400,000 barrels in 2024
    assert cap["cap"]["total_low"] == "565000.000" and cap["cap"]["remaining"] == "-65000.000"
    assert cap["obliges"] == ["supplier"] and cap["obliged_countries"] == ["RU"]
    assert cap["measure"]["cap_period"] == "calendar_year" and cap["measure"]["cap_unit"] == "barrels"
    assert any("565,000" in reason and "500,000" in reason for reason in cap["reasons"])

    assert findings(reviewer_client, "kp-ru-shells-disproven") == {}


def test_the_profile_counts_a_cap_once_per_period_and_a_disproven_transfer_against_nobody(reviewer_client):
    call_command("import_data", str(FILE), verbosity=0)
    profile = reviewer_client.get("/api/v1/countries/RU/profile/").json()
    by_resolution = {entry["resolution"]: entry for entry in profile["contravened_resolutions_voted_for"]}
    assert set(by_resolution) == {"S/RES/1874 (2009)", "S/RES/2397 (2017)"}
    assert by_resolution["S/RES/1874 (2009)"]["transfers"] == ["kp-ru-missiles"]  # not the disproven shells
    assert by_resolution["S/RES/1874 (2009)"]["transfers_count"] == 1
    cap = by_resolution["S/RES/2397 (2017)"]
    assert cap["transfers"] == ["ru-kp-fuel-2024-later", "ru-kp-fuel-2024-03"]  # the most recent first
    assert cap["transfers_count"] == 2
    assert cap["exceeded_caps"] == [
        {
            "measure": ["UN-1718", "refined-petroleum-cap"],
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "total_low": "565000.000",
            "quantity": "500000.000",
            "unit": "barrels",
        }
    ]


def test_the_graph_and_the_filters_read_an_ongoing_transfer_as_running_to_today(reviewer_client):
    call_command("import_data", str(FILE), verbosity=0)
    graph = reviewer_client.get("/api/v1/graph/", {"from": "2024-06-01"}).json()
    shown = {
        (edge["source"], edge["target"], edge["category"]): edge
        for edge in graph["edges"]
        if edge["kind"] == "transfer"
    }
    # ru-kp-fuel-2024-later, from April 2024 with no end, is ongoing; ru-kp-fuel-2024-03 is not.
    fuel = shown.pop(("RU", "KP", "refined_petroleum"))
    assert (fuel["count"], fuel["started_on"], fuel["ongoing"]) == (1, "2024-04-01", True)
    listed = reviewer_client.get(fuel["list"]).json()["results"]
    assert [row["reference"] for row in listed] == ["ru-kp-fuel-2024-later"]
    # kp-ru-missiles ended January 2024; the disproven shells have no end (ongoing).
    assert set(shown) == {("KP", "RU", "munitions")}
    listed = reviewer_client.get("/api/v1/transfers/", {"active_after": "2024-03-31"}).json()["results"]
    # March 2024 at month precision runs to the 31st; the missiles ended in January.
    assert {row["reference"] for row in listed} >= {"ru-kp-fuel-2024-03", "ru-kp-fuel-2024-later"}
    assert "kp-ru-missiles" not in {row["reference"] for row in listed}
    before = reviewer_client.get("/api/v1/transfers/", {"active_before": "2023-10-31"}).json()["results"]
    assert {row["reference"] for row in before} == {"kp-ru-shells-disproven"}


def test_findings_as_csv_are_one_row_per_finding(reviewer_client):
    call_command("import_data", str(FILE), verbosity=0)
    response = reviewer_client.get("/api/v1/transfers/kp-ru-missiles/contraventions/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted((row["measure"], row["finding"], row["binding"]) for row in rows) == [
        ("all-arms-export-ban", "breach", "true"),
        ("missile-vigilance", "breach", "false"),
    ]
    ban = next(row for row in rows if row["measure"] == "all-arms-export-ban")
    assert (
        ban["obliges"] == "KP;RU" and ban["resolutions"] == "S/RES/1874 (2009)" and ban["recipient_positions"] == "yes"
    )
    assert "Chapter VII" in ban["reasons"]


SCOPE = Path(__file__).parent.parent / "data" / "scope_exemptions_contract.json"


@pytest.mark.parametrize("load", ["loaddata", "import_data"])
def test_a_file_with_scope_exemptions_notification_and_parts_gets_the_findings_it_defines(load, reviewer_client):
    """tests/data/scope_exemptions_contract.json, written only against docs/data-model.md: a
    measure on non-state actors, a government exemption with and without a notification, a
    category covered in part, a duty to notify, and a reported whole with a notified part under
    a cap."""
    call_command(load, str(SCOPE), verbosity=0)

    def kinds(reference):
        return sorted((key[1], f["finding"]) for key, f in findings(reviewer_client, reference).items())

    assert kinds("ir-lb-rifles-to-the-state") == []
    assert kinds("ir-lb-rifles-to-an-armed-group") == [("arms-to-non-state-actors", "breach")]
    assert kinds("us-so-rifles-notified") == [("arms-import-ban", "exempted")]
    assert kinds("tr-so-rifles-not-notified") == [("arms-import-ban", "needs_exemption")]
    assert kinds("ru-ir-heavy-weapons") == [("heavy-arms-import-ban", "possible_breach")]
    part = findings(reviewer_client, "ru-kp-fuel-notified-2024-01")["UN-1718", "refined-petroleum-cap"]
    assert part["finding"] == "exceeds_cap"
    assert part["cap"]["total_low"] == "1000000.000"  # the whole, not the whole and its part
    whole = reviewer_client.get("/api/v1/transfers/ru-kp-fuel-reported-2024/contraventions/").json()
    assert sorted(f["finding"] for f in whole["contraventions"]) == ["exceeds_cap", "not_notified"]
