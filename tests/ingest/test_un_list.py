"""import_un_list on an excerpt of the real consolidated list (tests/data/un/: 37 entries, one or
more of every list type, cut from the list of 27 February 2026 in its own layout), re-imports,
delisting and hostile XML."""

import re

import pytest
from django.core.management import CommandError, call_command

from apps.actors.models import Actor
from apps.ingest.services.un import import_un_list, regime_for
from apps.sanctions.models import Designation, Regime
from tests.conftest import UN_SAMPLE
from tests.ingest.conftest import row_counts

pytestmark = pytest.mark.django_db

UN_FILE = UN_SAMPLE.name


@pytest.fixture
def un_xml():
    return UN_SAMPLE.read_bytes()


def without_entry(xml, reference, generated="2026-03-31T00:00:00Z"):
    """The list with one entry removed and a later generation date."""
    text = xml.decode("utf-8")
    pattern = re.compile(
        r"<(INDIVIDUAL|ENTITY)>(?:(?!</\1>).)*?<REFERENCE_NUMBER>" + re.escape(reference) + r"\s*<.*?</\1>\s*", re.S
    )
    text, removed = pattern.subn("", text, count=1)
    assert removed == 1
    text = re.sub(r'dateGenerated="[^"]*"', f'dateGenerated="{generated}"', text, count=1)
    return text.encode("utf-8")


def test_real_list_loads_every_designation_under_its_regime(un_xml, django_user_model):
    user = django_user_model.objects.create_user(username="loader")
    report = import_un_list(un_xml, name=UN_FILE, user=user)
    assert report.ok, report.errors[:5]
    assert Designation.objects.count() == 37
    assert Designation.objects.filter(regime__code="UN-1718").count() == 9
    # Every UN_LIST_TYPE has its regime (GB: Guinea-Bissau, 2048); one the importer does not
    # know would get UN-<type>.
    codes = "UN-1267 UN-1518 UN-1533 UN-1591 UN-1718 UN-1737 UN-1970 UN-1988 UN-2048 UN-2127 UN-2140 UN-2206 UN-2653 UN-2713"
    assert set(Regime.objects.values_list("code", flat=True)) == set(codes.split())
    assert regime_for("NEW") == ("UN-NEW", None)
    assert Regime.objects.get(code="UN-1718").target_country.iso2 == "KP"
    assert Regime.objects.get(code="UN-1267").target_country is None
    komid = Designation.objects.select_related("actor", "regime").get(reference="KPe.001")
    assert komid.listed_on.isoformat() == "2009-04-24"
    actor = komid.actor
    assert actor.name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert set(actor.aliases) >= {"KOMID", "CHANGGWANG SINYONG CORPORATION", "EXTERNAL TECHNOLOGY GENERAL CORPORATION"}
    assert actor.kind == "company" and actor.country.iso2 == "KP"
    assert actor.identifiers["un_ref"] == "KPe.001" and actor.identifiers["un_dataid"] == "690735"
    assert actor.history.get().history_user == user
    # Reference numbers with a trailing space in the file are stored trimmed.
    assert Designation.objects.filter(reference="KPe.023").exists()
    assert not Designation.objects.filter(reference__endswith=" ").exists()
    person = Designation.objects.select_related("actor").get(reference="CDi.001").actor
    assert (person.kind, person.name, person.country.iso2) == ("person", "ERIC BADEGE", "CD")
    assert person.identifiers["birth_dates"] == ["1971"]


def test_reimporting_the_same_list_changes_nothing(un_xml):
    import_un_list(un_xml, name=UN_FILE)
    before = row_counts()
    report = import_un_list(un_xml, name=UN_FILE)
    assert report.ok and report.totals().created == 0 and report.totals().updated == 0
    assert row_counts() == before


def test_an_entry_gone_from_the_new_list_is_delisted_not_deleted_and_relisted_later(un_xml):
    import_un_list(un_xml, name=UN_FILE)
    report = import_un_list(without_entry(un_xml, "KPe.001"), name="newer.xml")
    assert report.ok, report.errors[:5]
    assert "delisted: UN-1718 KPe.001 on 2026-03-31" in report.notes
    komid = Designation.objects.get(reference="KPe.001")
    assert komid.delisted_on.isoformat() == "2026-03-31"
    assert Designation.objects.count() == 37
    assert Designation.objects.filter(delisted_on__isnull=False).count() == 1
    assert report.counts["sanctions.designation"].updated == 1
    # Back on a later list: listed again.
    import_un_list(un_xml, name=UN_FILE)
    assert Designation.objects.get(reference="KPe.001").delisted_on is None


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CONSOLIDATED_LIST dateGenerated="2026-02-27"><ENTITIES><ENTITY><FIRST_NAME>&lol3;</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>
"""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (ENTITY_BOMB, "unsafe XML refused"),
        (b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>", "malformed XML"),
        (b"<rss><channel/></rss>", "not the UN consolidated list (root element <rss>)"),
        (
            b'<CONSOLIDATED_LIST dateGenerated="2026-02-27"><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>'
            b"<FIRST_NAME>A</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><LISTED_ON>someday</LISTED_ON>"
            b"</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
            "INDIVIDUAL 1 (DATAID 1, no reference): REFERENCE_NUMBER is missing",
        ),
    ],
)
def test_hostile_or_wrong_xml_is_refused_and_nothing_is_written(tmp_path, content, message, capsys):
    path = tmp_path / "list.xml"
    path.write_bytes(content)
    before = row_counts()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_un_list", str(path))
    assert message in capsys.readouterr().err
    assert row_counts() == before
    assert not Actor.objects.exists()
