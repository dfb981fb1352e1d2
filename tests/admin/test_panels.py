"""What the change pages show beyond the fields: the contraventions of a transfer, the tally
of a resolution, links to the filtered changelists of a regime, a country or a resolution,
the field-by-field history, and the CSV/XLSX export."""

import csv
import datetime
import io
import re

import pytest
from django.test.html import Element, parse_html
from django.urls import reverse

from apps.resolutions.models import Resolution
from apps.sanctions.models import Designation, Measure
from apps.transfers.findings import audience_of
from apps.transfers.models import Finding, Transfer
from apps.transfers.services import FINDINGS
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


# The findings panel's HTML, read with Django's own test parser (django.test.html).


def attribute(element, name):
    return dict(element.attributes).get(name)


def has_class(element, name):
    return name in (attribute(element, "class") or "").split()


def find_all(element, tag=None, class_name=None):
    """The elements under ``element`` (not itself), in document order, of ``tag`` and ``class_name``."""
    found = []
    for child in element.children:
        if isinstance(child, Element):
            if (tag is None or child.name == tag) and (class_name is None or has_class(child, class_name)):
                found.append(child)
            found.extend(find_all(child, tag, class_name))
    return found


def text(element):
    parts = [child if isinstance(child, str) else text(child) for child in element.children]
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def findings_panel(client, transfer):
    page = client.get(admin_url(Transfer, "change", transfer.pk)).content.decode()
    [panel] = find_all(parse_html(page), "div", "findings-panel")
    return panel


def test_contraventions_panel_lists_un_1718_and_russias_yes_votes(editor_client, missiles_transfer):
    panel = findings_panel(editor_client, missiles_transfer)
    [table] = find_all(panel, "table", "findings")
    headers = [text(th) for th in find_all(find_all(table, "thead")[0], "th")]
    assert "Russian Federation (recipient) voted" in headers
    assert all(attribute(th, "scope") == "col" for th in find_all(find_all(table, "thead")[0], "th"))
    [finding] = find_all(table, "tbody", "finding")
    [row] = find_all(finding, "tr", "finding-row")
    [measure] = find_all(row, "th")
    assert attribute(measure, "scope") == "row"
    assert text(measure).startswith("UN-1718 arms-export-ban targets the supplier")
    assert "S/RES/1718 (2006) para 8(b); S/RES/1874 (2009) para 9" in text(measure)
    [symbols] = find_all(row, "td", "finding-resolutions")
    [supplier] = find_all(row, "td", "vote-supplier")
    [recipient] = find_all(row, "td", "vote-recipient")
    votes = zip(*([text(li) for li in find_all(cell, "li")] for cell in (symbols, supplier, recipient)), strict=True)
    assert list(votes) == [
        ("S/RES/1718 (2006)", "no vote recorded", "yes"),
        ("S/RES/1874 (2009)", "no vote recorded", "yes"),
    ]


def test_findings_panel_shows_one_row_per_stored_finding_with_its_reasons_folded_under_it(
    editor_client, editor, demo_data
):
    """Each stored finding of each demo transfer (those editors read) is one row of the panel:
    its kind as a label, its measure linked, whom it obliges, binding or not, the overlap, a
    cap's arithmetic in one line; its reasons folded under it in a <details> of its own that
    spans the table, not in a column of the row."""
    rows_checked = caps_checked = 0
    for transfer in Transfer.objects.select_related("supplier", "recipient").order_by("reference"):
        stored = Finding.objects.filter(transfer=transfer, audience__in=audience_of(editor)).select_related("measure")
        stored = sorted(stored.order_by("rank"), key=lambda row: FINDINGS.index(row.kind))
        panel = findings_panel(editor_client, transfer)
        if not stored:
            assert find_all(panel, "table") == [], transfer.reference
            continue
        [table] = find_all(panel, "table", "findings")
        columns = len(find_all(find_all(table, "thead")[0], "th"))
        findings = find_all(table, "tbody", "finding")
        assert len(findings) == len(stored), transfer.reference
        assert len(find_all(table, "tr", "finding-row")) == len(stored), transfer.reference
        for finding, row in zip(findings, stored, strict=True):
            [main, more] = find_all(finding, "tr")
            assert has_class(main, "finding-row") and has_class(more, "finding-more")
            assert find_all(main, "details") == [] and find_all(main, "ul", "reasons") == []
            [kind] = find_all(main, "span", "finding-kind")
            assert text(kind) == row.kind.replace("_", " ")
            measure_links = [
                text(a)
                for a in find_all(main, "a")
                if attribute(a, "href") == admin_url(Measure, "change", row.measure_id)
            ]
            assert measure_links == [row.measure.code]
            cells = [text(cell) for cell in main.children if isinstance(cell, Element)]
            assert cells[2] == ", ".join(getattr(transfer, side).name for side in row.obliges)
            assert cells[3] == ("binding" if row.binding else "not binding")
            assert cells[4].startswith(str(row.overlap_start or "…"))
            # The reasons: folded, under the row, across every column.
            [cell] = find_all(more, "td")
            assert attribute(cell, "colspan") == str(columns)
            [details] = find_all(cell, "details")
            assert "open" not in dict(details.attributes)
            [summary] = find_all(details, "summary")
            assert text(summary) == f"Reasons ({len(row.reasons)})"
            assert [text(li) for li in find_all(details, "li")] == row.reasons
            caps = find_all(more, "p", "finding-cap")
            if row.cap_quantity is None:
                assert caps == []
            else:
                [cap] = caps
                assert text(cap).startswith(f"Cap {row.cap_quantity:,.0f} {row.cap_unit} ")
                assert f"({row.cap_period_start} – {row.cap_period_end})" in text(cap)
                assert text(cap).endswith(("above the cap.", "below the cap.", "not counted."))
                caps_checked += 1
            rows_checked += 1
    # What the demo data must hold for this test to mean something: findings, one under a cap.
    assert rows_checked and caps_checked


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


@pytest.fixture
def related_world():
    """Records that tell each related-records link apart from its near miss: the DPRK supplies
    and receives, is targeted by two regimes, has actors designated under another country's
    regime, and a Russian bank is designated under a DPRK regime; a measure of UN-1718 cites
    1874, not 1718."""
    kp, ru = f.country("KP"), f.country("RU")
    us_authority = f.AuthorityFactory(code="US", name="United States", kind="national", country=f.country("US"))
    r1718 = f.ResolutionFactory(symbol="S/RES/1718 (2006)", number=1718)
    r1874 = f.ResolutionFactory(symbol="S/RES/1874 (2009)", number=1874)
    r1737 = f.ResolutionFactory(symbol="S/RES/1737 (2006)", number=1737)
    f.VoteFactory(resolution=r1718, country=ru)
    f.VoteFactory(resolution=r1718, country=f.country("CN"))
    f.VoteFactory(resolution=r1874, country=ru)
    f.VoteFactory(resolution=r1737, country=kp, position="no")
    un_1718 = f.RegimeFactory(code="UN-1718", target_country=kp)
    un_1718.resolutions.add(r1718, r1874)
    us_dprk = f.RegimeFactory(code="US-DPRK", authority=us_authority, target_country=kp)
    un_1737 = f.RegimeFactory(code="UN-1737", target_country=f.country("IR"))
    un_1737.resolutions.add(r1737)
    f.MeasureFactory(regime=un_1718, code="arms-export-ban").provisions.add(
        f.ProvisionFactory(resolution=r1718, paragraph="8(b)")
    )
    f.MeasureFactory(regime=un_1718, code="luxury-goods-ban").provisions.add(
        f.ProvisionFactory(resolution=r1874, paragraph="9")
    )
    f.MeasureFactory(regime=us_dprk, code="asset-freeze")
    f.MeasureFactory(regime=un_1737, code="arms-import-ban").provisions.add(
        f.ProvisionFactory(resolution=r1737, paragraph="5")
    )
    komid = f.ActorFactory(slug="komid", country=kp)
    f.DesignationFactory(regime=un_1718, actor=komid, reference="KPe.001")
    f.DesignationFactory(regime=us_dprk, actor=f.ActorFactory(slug="kp-general", country=kp), reference="US-1")
    f.DesignationFactory(regime=un_1718, actor=f.ActorFactory(slug="ru-bank", country=ru), reference="RUe.001")
    f.DesignationFactory(regime=un_1737, actor=komid, reference="KPi.737")
    f.DesignationFactory(
        regime=un_1737, actor=f.ActorFactory(slug="ir-company", country=f.country("IR")), reference="IRe.001"
    )
    for reference, supplier, recipient in [
        ("kp-ru-missiles", "KP", "RU"),
        ("kp-sy-arms", "KP", "SY"),
        ("ru-kp-fuel", "RU", "KP"),
        ("cn-kp-machinery", "CN", "KP"),
        ("ir-ru-drones", "IR", "RU"),
    ]:
        f.TransferFactory(reference=reference, supplier=f.country(supplier), recipient=f.country(recipient))
    return {"country": kp, "resolution": r1718, "regime": un_1718, "actor": komid}


DPRK_SUPPLIED = {("kp-ru-missiles",), ("kp-sy-arms",)}
DPRK_RECEIVED = {("ru-kp-fuel",), ("cn-kp-machinery",)}

# Every related-records link of a change page: {label: the natural keys it must list, exactly}.
RELATED_LINKS = {
    "country": {
        "Transfers it supplied": DPRK_SUPPLIED,
        "Transfers it received": DPRK_RECEIVED,
        "Regimes targeting it": {("UN-1718",), ("US-DPRK",)},
        "Measures of regimes targeting it": {
            ("UN-1718", "arms-export-ban"),
            ("UN-1718", "luxury-goods-ban"),
            ("US-DPRK", "asset-freeze"),
        },
        "Designations of its actors": {("UN-1718", "KPe.001"), ("US-DPRK", "US-1"), ("UN-1737", "KPi.737")},
        "Its votes": {("S/RES/1737 (2006)", "KP")},
    },
    "resolution": {
        "Regimes listing it": {("UN-1718",)},
        "Measures citing it": {("UN-1718", "arms-export-ban")},
        "Its votes": {("S/RES/1718 (2006)", "RU"), ("S/RES/1718 (2006)", "CN")},
    },
    "regime": {
        "Its designations": {("UN-1718", "KPe.001"), ("UN-1718", "RUe.001")},
        "Its measures": {("UN-1718", "arms-export-ban"), ("UN-1718", "luxury-goods-ban")},
        "Transfers from its target": DPRK_SUPPLIED,
        "Transfers to its target": DPRK_RECEIVED,
    },
    # The actor page edits its designations inline and links to no changelist (yet).
    "actor": {},
}


def related_changelist_links(page):
    """{label: url} of the links to a filtered changelist (``/admin/<app>/<model>/?...``) on a
    change page, leaving out the widgets' add/change pop-ups."""
    links = {}
    for href, label in re.findall(r'<a href="(/admin/\w+/\w+/\?[^"]+)"[^>]*>([^<]+)</a>', page):
        href = href.replace("&amp;", "&")
        if "_popup" not in href and "_changelist_filters" not in href:
            links[label.strip()] = href
    return links


@pytest.mark.parametrize("name", RELATED_LINKS)
def test_related_record_links_open_a_changelist_of_exactly_the_related_records(editor_client, related_world, name):
    record = related_world[name]
    page = editor_client.get(admin_url(type(record), "change", record.pk)).content.decode()
    links = related_changelist_links(page)
    expected = RELATED_LINKS[name]
    assert set(links) == set(expected), "a link without an expectation here, or an expected link gone"
    for label, url in links.items():
        response = editor_client.get(url)
        assert response.status_code == 200, (label, url)  # an unknown lookup would redirect with ?e=1
        listed = {tuple(obj.natural_key()) for obj in response.context["cl"].result_list}
        assert listed == expected[label], label


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
