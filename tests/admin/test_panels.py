"""What the change pages show beyond the fields: the contraventions of a transfer, the tally
of a resolution, links to the filtered changelists of a regime, a country or a resolution,
the field-by-field history, and the CSV/XLSX export."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from apps.resolutions.models import Resolution
from apps.sanctions.models import Designation
from apps.transfers.models import Transfer
from tests import factories as f
from tests.admin.forms import admin_url, open_change_page

pytestmark = pytest.mark.django_db

SC_2006 = ["CN", "FR", "RU", "GB", "US", "AR", "CG", "DK", "GH", "GR", "JP", "PE", "QA", "SK", "TZ"]


@pytest.fixture
def missiles_transfer():
    """The demo data's missiles allegation and the UN-1718 arms export ban it would break."""
    r1718 = f.ResolutionFactory(symbol="S/RES/1718 (2006)", number=1718, voted_on=datetime.date(2006, 10, 14))
    r1874 = f.ResolutionFactory(symbol="S/RES/1874 (2009)", number=1874, voted_on=datetime.date(2009, 6, 12))
    for resolution in (r1718, r1874):
        f.VoteFactory(resolution=resolution, country=f.country("RU"), position="yes")
    regime = f.RegimeFactory(
        code="UN-1718",
        name="DPRK sanctions (resolution 1718)",
        authority=f.AuthorityFactory(code="UN"),
        target_country=f.country("KP"),
    )
    regime.resolutions.add(r1718, r1874)
    measure = f.MeasureFactory(
        regime=regime, code="arms-export-ban", direction="exports_from_target", covers=["munitions", "missiles"]
    )
    measure.provisions.add(
        f.ProvisionFactory(resolution=r1718, paragraph="8(b)"), f.ProvisionFactory(resolution=r1874, paragraph="9")
    )
    return f.TransferFactory(
        reference="kp-ru-ballistic-missiles-2023",
        supplier=f.country("KP"),
        recipient=f.country("RU"),
        category="missiles",
        started_on=datetime.date(2023, 11, 1),
        ended_on=datetime.date(2024, 1, 31),
    )


def test_contraventions_panel_lists_un_1718_and_russias_yes_votes(editor_client, missiles_transfer):
    page = editor_client.get(admin_url(Transfer, "change", missiles_transfer.pk)).content.decode()
    panel = re.search(r'<table class="contraventions">.*?</table>', page, re.S).group(0)
    assert "UN-1718" in panel and "arms-export-ban" in panel
    assert "S/RES/1718 (2006) para 8(b)" in panel and "S/RES/1874 (2009) para 9" in panel
    assert "Russian Federation (recipient) voted" in panel
    rows = re.findall(
        r'>(S/RES/\d+ \(\d+\))</a></td><td class="vote vote-supplier">([^<]*)</td><td class="vote vote-recipient">([^<]*)</td>',
        panel,
    )
    assert rows == [("S/RES/1718 (2006)", "no vote recorded", "yes"), ("S/RES/1874 (2009)", "no vote recorded", "yes")]


def test_contraventions_panel_says_so_when_nothing_applies(editor_client):
    transfer = f.TransferFactory(supplier=f.country("FR"), recipient=f.country("DE"), category="fuel")
    page = editor_client.get(admin_url(Transfer, "change", transfer.pk)).content.decode()
    assert "No sanctions measure in force covers fuel from France to Germany" in page


def test_resolution_tally_names_the_vetoing_members(editor_client):
    draft = f.ResolutionFactory(symbol="S/2022/431", number=None, outcome="vetoed", chapter_vii=False)
    f.country("CN").__class__.objects.filter(iso2__in=["CN", "FR", "RU", "GB", "US"]).update(sc_permanent_member=True)
    for iso2 in SC_2006[:13]:
        if iso2 not in ("CN", "RU"):
            f.VoteFactory(resolution=draft, country=f.country(iso2), position="yes")
    f.VoteFactory(resolution=draft, country=f.country("CN"), position="no")
    f.VoteFactory(resolution=draft, country=f.country("RU"), position="no")
    for iso2 in SC_2006[13:]:
        f.VoteFactory(resolution=draft, country=f.country(iso2), position="yes")
    expected = "13–2–0, vetoed by China, Russian Federation"
    assert expected in editor_client.get(admin_url(Resolution, "changelist")).content.decode()
    assert expected in editor_client.get(admin_url(Resolution, "change", draft.pk)).content.decode()


def test_regime_page_links_to_its_filtered_designations(editor_client):
    regime = f.RegimeFactory(code="UN-1718")
    mine = f.DesignationFactory.create_batch(2, regime=regime)
    f.DesignationFactory(regime=f.RegimeFactory(code="UN-1737"))
    page = editor_client.get(admin_url(regime.__class__, "change", regime.pk)).content.decode()
    link = re.search(r'<a href="([^"]+)">Its designations</a>', page).group(1).replace("&amp;", "&")
    response = editor_client.get(link)
    assert response.status_code == 200  # an unknown lookup would redirect with ?e=1
    assert {d.pk for d in response.context["cl"].result_list} == {d.pk for d in mine}


@pytest.mark.parametrize(
    "record, label",
    [
        ("KP", "Regimes targeting it"),
        ("KP", "Measures of regimes targeting it"),
        ("KP", "Designations of its actors"),
        ("KP", "Transfers it supplied"),
        ("RU", "Transfers it received"),
        ("RU", "Its votes"),
        ("resolution", "Measures citing it"),
        ("resolution", "Regimes resting on it"),
        ("resolution", "Its votes"),
        ("regime", "Its measures"),
        ("regime", "Transfers from its target"),
    ],
)
def test_related_record_links_open_a_filtered_changelist(editor_client, record, label):
    records = f.one_of_each()
    record = records[record] if record in records else f.country(record)
    page = editor_client.get(admin_url(type(record), "change", record.pk)).content.decode()
    link = re.search(rf'<a href="([^"]+)">{label}</a>', page).group(1).replace("&amp;", "&")
    response = editor_client.get(link)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_history_shows_who_changed_which_field(editor_client, editor):
    transfer = f.TransferFactory(items="ballistic missiles")
    # A change made outside the admin (API, loader) is in the history too.
    transfer.status = "corroborated"
    transfer.save()
    data = open_change_page(editor_client, transfer)
    data["items"] = "KN-23 missiles"
    editor_client.post(admin_url(Transfer, "change", transfer.pk), data)

    response = editor_client.get(admin_url(Transfer, "history", transfer.pk))
    latest, middle, _created = response.context["page_obj"].object_list
    assert latest.history_user == editor
    assert [(c["field"], c["old"], c["new"]) for c in latest.history_delta_changes] == [
        ("Items", "ballistic missiles", "KN-23 missiles")
    ]
    assert [(c["field"], c["old"], c["new"]) for c in middle.history_delta_changes] == [
        ("Status", "alleged", "corroborated")
    ]
    page = response.content.decode()
    assert "KN-23 missiles" in page and "editor" in page


def export_rows(client, model, query=""):
    resource = f"{model.__name__}ExportResource".lower()
    fields = model.contract_field_names()
    data = {"format": "0", "resource": "0", **{f"{resource}_{name}": "on" for name in fields}}
    response = client.post(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export") + query, data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_writes_the_filtered_rows_with_natural_keys(editor_client):
    records = f.one_of_each()
    f.TransferFactory(reference="fuel-cn-kp", supplier=f.country("CN"), recipient=f.country("KP"), category="fuel")
    rows = export_rows(editor_client, Transfer, "?category__exact=missiles")
    assert [row["reference"] for row in rows] == [records["transfer"].reference]
    row = rows[0]
    assert list(row) == Transfer.contract_field_names()
    assert (row["supplier"], row["recipient"], row["via"]) == ("KP", "RU", "CN")
    assert row["supplier_actor"] == records["actor"].slug
    assert row["sources"] == records["source"].url


def test_export_joins_compound_keys_with_a_bar(editor_client):
    records = f.one_of_each()
    rows = export_rows(editor_client, records["measure"].__class__)
    assert rows[0]["regime"] == records["regime"].code
    assert rows[0]["provisions"] == f"{records['resolution'].symbol}|{records['provision'].paragraph}"
    assert rows[0]["covers"] == "munitions;missiles"


def test_export_action_offers_xlsx_too(editor_client):
    f.DesignationFactory()
    response = editor_client.get(reverse("admin:sanctions_designation_export"))
    formats = [label for _, label in response.context["form"].fields["format"].choices]
    assert formats[:2] == ["csv", "xlsx"] or formats == ["---", "csv", "xlsx"]
    assert Designation.objects.count() == 1
