"""``import_list eu``: the EU Financial Sanctions Files (tests/data/eu/: two successive versions
in the published layout, with its XML namespace), re-imports, delisting, the actors the EU
shares with the UN list, vessels, and files that must be refused whole."""

import pytest
from django.core.management import CommandError, call_command

from apps.actors.models import Actor
from apps.ingest.services.countries import CountryResolver
from apps.ingest.services.lists import import_list
from apps.ingest.services.lists_eu import MEMBER_STATES, parse
from apps.ingest.services.un import import_un_list
from apps.sanctions.models import Authority, Designation, Regime
from tests.conftest import LIST_SAMPLES, UN_SAMPLE
from tests.ingest.conftest import row_counts

pytestmark = pytest.mark.django_db

V1 = LIST_SAMPLES / "eu" / "eu-v1.xml"
V2 = LIST_SAMPLES / "eu" / "eu-v2.xml"
NS = "http://eu.europa.ec/fpi/fsd/export"


def load(path, **options):
    return import_list("eu", path.read_bytes(), name=path.name, **options)


def designation(reference, regime="EU-PRK"):
    return Designation.objects.select_related("actor").get(regime__code=regime, reference=reference)


def eu_xml(*entities, namespace=True, generated="2026-01-05T10:00:00.000+01:00"):
    xmlns = f' xmlns="{NS}"' if namespace else ""
    body = "\n".join(entities)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<export{xmlns} generationDate="{generated}">{body}</export>'.encode()
    )


def entity(logical_id="1", *, attributes="", subject="enterprise", name="Test Entity One", programme="PRK", body=""):
    return (
        f'<sanctionEntity logicalId="{logical_id}" euReferenceNumber="EU.TEST.{logical_id}" {attributes}>'
        f'<regulation programme="{programme}" numberTitle="2017/1509 (OJ L224)" publicationDate="2017-08-31" '
        'entryIntoForceDate="2017-09-01"><publicationUrl>https://eur-lex.europa.eu/eli/reg/2017/1509/oj</publicationUrl>'
        f'</regulation><subjectType code="{subject}"/><nameAlias wholeName="{name}" strong="true" nameLanguage=""/>'
        f"{body}</sanctionEntity>"
    )


def parsed(data):
    return parse(data, "eu.xml", countries=CountryResolver())


def test_the_first_version_loads_every_target_under_its_programmes(django_user_model):
    user = django_user_model.objects.create_user(username="loader")
    report = load(V1, user=user)
    assert report.ok, report.errors[:5]
    assert report.counts["actors.actor"].created == 7
    assert report.counts["sanctions.designation"].created == 7
    assert Actor.objects.count() == 7 and Designation.objects.count() == 7
    eu = Authority.objects.get(code="EU")
    assert (eu.kind, eu.binds, eu.country) == ("supranational", "own_jurisdiction", None)
    assert sorted(eu.members.values_list("iso2", flat=True)) == sorted(MEMBER_STATES)
    regimes = {r.code: r for r in Regime.objects.select_related("target_country", "authority")}
    assert set(regimes) == {"EU-PRK", "EU-UKR", "EU-CYB"}
    assert {code: r.target_country and r.target_country.iso2 for code, r in regimes.items()} == {
        "EU-PRK": "KP",
        "EU-UKR": "RU",  # the measures over Russia's actions against Ukraine
        "EU-CYB": None,  # thematic: cyber-attacks
    }
    prk = regimes["EU-PRK"]
    assert prk.authority.code == "EU"
    assert prk.name == "EU sanctions: PRK (2017/1509 (OJ L224))"
    assert prk.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32017R1509"
    assert "2017/1509 (OJ L224); published 2017-08-31; in force 2017-09-01" in prk.description

    komid = designation("900101")
    assert komid.listed_on.isoformat() == "2009-05-12"
    assert komid.reason.startswith("UN listing. Primary arms dealer")
    actor = komid.actor
    assert (actor.kind, actor.name, actor.country.iso2) == (
        "company",
        "Korea Mining Development Trading Corporation",
        "KP",
    )
    assert actor.aliases == ["KOMID"]
    assert actor.identifiers["eu_ref"] == "900101"
    assert actor.identifiers["eu_reference_number"] == "EU.900.1"
    assert actor.identifiers["un_ref"] == "KPe.001"
    assert actor.history.get().history_user == user

    ri = designation("900104").actor
    assert (ri.kind, ri.name, ri.country.iso2, ri.role) == (
        "person",
        "Ri Won Ho",
        "KP",
        "DPRK Ministry of State Security official",
    )
    assert ri.identifiers["passports"] == ["KP:381310014"]
    assert ri.identifiers["birth_dates"] == ["1964-07-17"]

    almaz = designation("900106", "EU-UKR").actor
    # The name written without a language comes first; the Russian one is an alias.
    assert almaz.name == "Almaz-Antey Corp"
    assert almaz.aliases == ["Concern Almaz-Antey", "Концерн ВКО «Алмаз – Антей»"]
    assert almaz.country.iso2 == "RU"
    assert designation("900107", "EU-CYB").actor.name == "Chosun Expo"


def test_an_enterprise_with_a_ships_imo_number_is_a_vessel():
    load(V1)
    vessel = designation("900105").actor
    assert (vessel.kind, vessel.name, vessel.imo) == ("vessel", "CHON MA SAN", "8660313")
    assert vessel.identifiers["imo"] == "8660313"
    assert vessel.flags == [{"country": "KP", "from": None, "to": None}]
    assert vessel.country.iso2 == "KP"


def test_reimporting_the_same_version_writes_nothing():
    load(V1)
    before = row_counts()
    report = load(V1)
    assert report.ok, report.errors[:5]
    assert report.totals().created == 0 and report.totals().updated == 0
    assert row_counts() == before


def test_the_next_version_updates_and_delists_what_it_dropped_never_deleting():
    load(V1)
    report = load(V2)
    assert report.ok, report.errors[:5]
    # v2 (generated 31 March 2026) drops Yun Ho-jin and says more of Almaz-Antey.
    assert "delisted: EU-PRK 900103 on 2026-03-31" in report.notes
    assert designation("900103").delisted_on.isoformat() == "2026-03-31"
    assert Designation.objects.count() == 7 and Actor.objects.count() == 7
    assert Designation.objects.filter(delisted_on__isnull=False).count() == 1
    almaz = designation("900106", "EU-UKR")
    assert almaz.reason.endswith("Almaz-Antey is the manufacturer of the Buk missile systems.")
    assert "Almaz-Antey Air and Space Defence Corporation JSC" in almaz.actor.aliases
    assert report.counts["sanctions.designation"].updated == 2
    assert report.counts["actors.actor"].updated == 1
    # v2 again: nothing more; v1 again: Yun Ho-jin is listed again.
    before = row_counts()
    assert load(V2).ok and row_counts() == before
    load(V1)
    assert designation("900103").delisted_on is None


def test_a_target_citing_its_un_reference_is_the_un_actor_with_both_designations():
    assert import_un_list(UN_SAMPLE.read_bytes(), name="un.xml").ok
    un_actors = Actor.objects.count()
    komid = Designation.objects.get(regime__code="UN-1718", reference="KPe.001").actor
    report = load(V1)
    assert report.ok, report.errors[:5]
    # KOMID, Tanchon Commercial Bank, Yun Ho-jin and Ri Won Ho are the UN's actors.
    assert Actor.objects.count() == un_actors + 3
    assert any(note.startswith("matched: EU 900101 ") and "same un_ref KPe.001" in note for note in report.notes)
    komid.refresh_from_db()
    assert sorted(komid.designations.values_list("regime__code", "reference")) == [
        ("EU-PRK", "900101"),
        ("UN-1718", "KPe.001"),
    ]
    # The UN's name and kind stay; the EU's name is an alias if it differs, its ids are added.
    assert komid.name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert komid.identifiers["un_dataid"] == "690735" and komid.identifiers["eu_ref"] == "900101"
    ri = Designation.objects.get(regime__code="UN-1718", reference="KPi.033").actor
    assert ri.designations.count() == 2 and ri.identifiers["passports"] == ["KP:381310014"]
    # Either list again changes nothing; the EU dropping Yun Ho-jin leaves the UN's listing.
    before = row_counts()
    assert import_un_list(UN_SAMPLE.read_bytes(), name="un.xml").ok and load(V1).ok
    assert row_counts() == before
    assert load(V2).ok
    yun = Designation.objects.get(regime__code="UN-1718", reference="KPi.001")
    assert yun.delisted_on is None
    assert yun.actor.designations.get(regime__code="EU-PRK").delisted_on.isoformat() == "2026-03-31"


def test_the_command_loads_the_file_and_a_dry_run_writes_nothing(capsys):
    before = row_counts()
    call_command("import_list", "eu", str(V1), "--dry-run")
    out = capsys.readouterr().out
    assert "sanctions.designation: 7 would create" in out and "Dry run: nothing was written." in out
    assert row_counts() == before
    call_command("import_list", "eu", str(V1))
    assert "sanctions.designation: 7 created" in capsys.readouterr().out
    assert Designation.objects.filter(regime__authority__code="EU").count() == 7


def test_the_file_reads_the_same_with_or_without_its_namespace():
    with_ns = V1.read_bytes()
    without = with_ns.replace(f' xmlns="{NS}"'.encode(), b"")
    assert without != with_ns
    first, second = parsed(with_ns), parsed(without)
    assert not first.errors and not second.errors
    assert first.entries == second.entries and first.regimes == second.regimes
    assert first.as_of.isoformat() == "2026-02-27"


def test_names_documents_and_programmes_as_the_eu_writes_them():
    person = entity(
        "10",
        subject="person",
        name="",
        programme="HR",
        attributes='designationDate="2021-03-22" unitedNationId=" "',
        body=(
            '<nameAlias firstName="Ivan" middleName="Testovich" lastName="Exampleov" strong="false"/>'
            '<nameAlias firstName="Ivan" lastName="Exampleov" strong="true" function="Test official"/>'
            '<citizenship countryIso2Code="RU"/><birthdate year="1970"/>'
            '<identification identificationTypeCode="passport" number="ab 123" countryIso2Code="RU"/>'
            '<identification identificationTypeCode="passport" number="999"/>'
            '<identification identificationTypeCode="id" number="77" countryIso2Code="RU" '
            'identificationTypeDescription="National identification card"/>'
        ),
    )
    company = entity(
        "11",
        name="Test Shipping Company LLC",
        programme="RUS",
        body=(
            '<identification identificationTypeCode="regnumber" number="1027700000000" countryIso2Code="RU"/>'
            '<identification identificationTypeCode="fiscalcode" number="7700000000" countryIso2Code="RU"/>'
            '<identification identificationTypeCode="imo" number="5000001" identificationTypeDescription="IMO '
            'company number"/><address city="Test City" countryIso2Code="RU" countryDescription="RUSSIAN FEDERATION"/>'
        ),
    )
    owner = entity(
        "13",
        name="PAO Test Fleet",
        body='<identification identificationTypeCode="imo" number="5000002" identificationTypeDescription="IMO number"/>',
    )
    ship = entity("12", name="TEST VESSEL ONE", programme="IRN", body="<remark>Tanker; IMO 9176187.</remark>")
    result = parsed(eu_xml(person, company, ship, owner, namespace=False))
    assert not result.errors, result.errors
    ivan, shipping, vessel, fleet = result.entries
    assert (ivan.kind, ivan.name, ivan.aliases, ivan.country, ivan.role) == (
        "person",
        "Ivan Exampleov",
        ["Ivan Testovich Exampleov"],
        "RU",
        "Test official",
    )
    assert ivan.listed_on.isoformat() == "2021-03-22" and ivan.regimes == ["EU-HR"]
    # A passport without its issuing country cannot say who holds it: kept as a document.
    assert ivan.identifiers["passports"] == ["RU:AB 123"]
    assert ivan.identifiers["documents"] == ["passport 999", "National identification card 77 (RU)"]
    assert ivan.identifiers["birth_dates"] == ["1970"]
    assert "un_ref" not in ivan.identifiers
    # A shipping company's IMO *company* number does not make it a ship.
    assert (shipping.kind, shipping.imo, shipping.identifiers["imo_company"]) == ("company", "", "5000001")
    assert shipping.identifiers["registrations"] == ["RU:1027700000000"]
    assert shipping.identifiers["tax_numbers"] == ["RU:7700000000"]
    assert shipping.country == "RU"
    assert (vessel.kind, vessel.imo) == ("vessel", "9176187")
    # A company by its legal form (PAO): its IMO number is the company's, even undescribed.
    assert (fleet.kind, fleet.imo, fleet.identifiers["imo_company"]) == ("company", "", "5000002")
    assert result.regimes["EU-HR"]["target_country"] is None  # not Croatia: the human-rights regime
    assert result.regimes["EU-RUS"]["target_country"] == "RU"
    assert result.regimes["EU-IRN"]["target_country"] == "IR"
    assert result.as_of.isoformat() == "2026-01-05"


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<export generationDate="2026-01-05"><sanctionEntity logicalId="1"><nameAlias wholeName="&lol2;"/></sanctionEntity></export>
"""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (ENTITY_BOMB, "unsafe XML refused"),
        (b'<export generationDate="2026-01-05"><sanctionEntity logicalId="1">', "malformed XML"),
        (b"<CONSOLIDATED_LIST/>", "not the EU Financial Sanctions Files (root element <CONSOLIDATED_LIST>)"),
        (
            eu_xml(entity("7", attributes='designationDate="2009-13-01"')),
            "sanctionEntity 1 (logicalId 7): designationDate: '2009-13-01' is not a date (YYYY-MM-DD)",
        ),
        (
            eu_xml(
                entity(
                    "8", name="TEST VESSEL TWO", body='<identification identificationTypeCode="imo" number="9176188"/>'
                )
            ),
            "sanctionEntity 1 (logicalId 8): identification.number: '9176188' is not an IMO number",
        ),
        (
            eu_xml(entity("9", name="TEST VESSEL THREE", body="<remark>IMO number 1234568.</remark>")),
            "sanctionEntity 1 (logicalId 9): remark: '1234568' is not an IMO number",
        ),
        (
            eu_xml(entity("5"), entity("6", subject="vessel")),
            "sanctionEntity 2 (logicalId 6): subjectType.code: 'vessel' is neither person nor enterprise",
        ),
        (eu_xml(entity("4", programme="")), "sanctionEntity 1 (logicalId 4): regulation.programme: regulation 1"),
        (eu_xml(entity("3", name="")), "sanctionEntity 1 (logicalId 3): nameAlias.wholeName: the entity has no name"),
        (eu_xml(entity("2"), entity("2")), "sanctionEntity 2 (logicalId 2): logicalId: logicalId 2 is already"),
        (eu_xml(entity("1"), generated="yesterday"), "export: generationDate: 'yesterday' is not a date"),
    ],
)
def test_a_hostile_or_wrong_file_is_refused_whole(tmp_path, content, message):
    load(V1)
    before = row_counts()
    # One good target next to the bad one: nothing of either is written.
    if b"sanctionEntity" in content and b"<!DOCTYPE" not in content and content.endswith(b"</export>"):
        content = content.replace(b"</export>", entity("99", name="Test Entity Good").encode() + b"</export>")
    report = import_list("eu", content, name="eu.xml")
    assert not report.ok
    assert any(message in str(error) for error in report.errors), [str(e) for e in report.errors]
    assert all(str(error).startswith("eu.xml") for error in report.errors)
    assert row_counts() == before
    assert not Designation.objects.filter(reference="99").exists()


def test_the_command_reports_an_error_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "eu.xml"
    path.write_bytes(eu_xml(entity("8", name="TEST VESSEL TWO", body="<remark>IMO 9176188</remark>")))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_list", "eu", str(path))
    assert "sanctionEntity 1 (logicalId 8): remark: '9176188' is not an IMO number" in capsys.readouterr().err
    assert not Actor.objects.exists()
