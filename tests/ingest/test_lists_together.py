"""Every official list loaded side by side: the UN's, the SDN files, three versions of the
UK's, the US consolidated list, Australia's and the EU's. A person all of them list is one
actor (the UN reference the UK, EU and Australian entries cite; the passport the US entry
gives), a ship is one vessel (its IMO number), each file loads the counts it holds, and
loading them all again writes nothing."""

import shutil

import pytest
from django.core.management import call_command

from apps.actors.models import Actor, MatchProposal
from apps.ingest.services.un import import_un_list
from apps.sanctions.models import Designation
from tests.conftest import LIST_SAMPLES, UN_SAMPLE
from tests.ingest.conftest import DATA, row_counts

pytestmark = pytest.mark.django_db

UK = [LIST_SAMPLES / "uk" / f"ConList-v{n}.csv" for n in (1, 2, 3)]
CSL_HEADER = (LIST_SAMPLES / "us_csl" / "csl.csv").read_text(encoding="utf-8").splitlines()[0]
# Entries written for this test in the layouts of the SDN files and of the US consolidated
# list: their entry numbers and ids are the test's own; the names, the passport and the IMO
# number are those the UN and UK lists give.
SDN_SHIP = (
    '90313,"CHON MA SAN","vessel","DPRK3",-0- ,-0- ,"Oil Tanker",-0- ,-0- ,"Korea, North",-0- ,'
    '"Test entry in OFAC\'s format; Vessel Registration Identification IMO 8660313."'
)
CSL_PERSON = (
    "test-ri-won-ho,Specially Designated Nationals (SDN) - Treasury Department,90033,Individual,DPRK3,"
    '"RI, Won Ho",,,,,,,,,,,,,,,Test entry in the CSL\'s format.,,"RI, Won-ho",,1964-07-17,"Korea, North",,,'
    '"Passport, 381310014, Korea, North"'
)


def load_every_list(tmp_path, uk=UK):
    import_un_list(UN_SAMPLE.read_bytes(), name="un.xml")
    sdn = tmp_path / "sdn"
    shutil.copytree(DATA / "ofac_komid", sdn, dirs_exist_ok=True)
    (sdn / "sdn.csv").write_text(SDN_SHIP + "\n", encoding="utf-8")
    call_command("import_ofac_sdn", str(sdn), verbosity=0)
    for version in uk:
        call_command("import_list", "uk", str(version), verbosity=0)
    csl = tmp_path / "csl.csv"
    csl.write_text(f"{CSL_HEADER}\n{CSL_PERSON}\n", encoding="utf-8")
    call_command("import_list", "us-csl", str(csl), verbosity=0)
    call_command("import_list", "au", str(LIST_SAMPLES / "au" / "dfat_consolidated_sample.xlsx"), verbosity=0)
    call_command("import_list", "eu", str(LIST_SAMPLES / "eu" / "eu-v1.xml"), verbosity=0)


def in_force(actor):
    return sorted(
        (d.regime.authority.code, d.regime.code, d.reference)
        for d in actor.designations.select_related("regime__authority")
        if d.delisted_on is None
    )


def test_a_person_every_list_names_is_one_actor_and_a_ship_one_vessel(tmp_path):
    load_every_list(tmp_path)
    ri = Designation.objects.get(regime__code="UN-1718", reference="KPi.033").actor
    assert {authority for authority, _code, _ref in in_force(ri)} == {"UN", "UK", "US", "AU", "EU"}
    assert ("US", "US-DPRK3", "90033") in in_force(ri)
    assert ri.identifiers["passports"][0] == "KP:381310014"
    assert Actor.objects.filter(name__icontains="won ho").count() == 1

    ship = Actor.objects.get(imo="8660313")
    assert ship.kind == "vessel"
    assert {authority for authority, _code, _ref in in_force(ship)} == {"UK", "US", "AU", "EU"}
    assert ("US", "US-DPRK3", "90313") in in_force(ship)
    assert ship.flags and ship.flags[0]["country"] == "KP"
    # Nothing here was matched on a name alone.
    assert not MatchProposal.objects.filter(candidate__in=[ri, ship]).exists()


def test_loading_every_list_again_writes_nothing(tmp_path):
    load_every_list(tmp_path)
    before = row_counts()
    load_every_list(tmp_path, uk=UK[-1:])
    assert row_counts() == before
