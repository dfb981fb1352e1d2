"""The demo data tells the example article's story as a fact-checker would pass it: the facts
its records state (resolutions, votes and vetoes, the measures in their phases, caps,
transfers, claims and denials, quotes), each held to the sources the data itself names, and
the findings a sanctions researcher would sign for every demo transfer (docs/data-model.md,
"The findings"). Nothing outside the repository is read."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.ingest.management.commands.load_demo import demo_fixture_files
from apps.resolutions.models import Resolution, Vote
from apps.sanctions.models import Authority, Measure, Regime
from apps.transfers.models import Claim, Transfer
from apps.transfers.services import transfer_contraventions
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data_module")]

ARTICLE_URL = "https://seed-article.invalid/putin-pyongyang-visit-2024-06-18"
UNVERIFIED_MEMBERSHIP = "list of that year's Council membership not checked against the UN press release of the vote"

ADOPTED = [1695, 1718, 1874, 2087, 2094, 2270, 2321, 2356, 2371, 2375, 2397]
PERMANENT = {"CN", "FR", "GB", "RU", "US"}
# The Panel of Experts renewals: (number, year, voted_on, that year's ten elected members).
# voted_on is None where the day of adoption was not verified.
RENEWALS = {
    1928: (2010, datetime.date(2010, 6, 7), {"AT", "BA", "BR", "GA", "JP", "LB", "MX", "NG", "TR", "UG"}),
    1985: (2011, datetime.date(2011, 6, 10), {"BA", "BR", "CO", "GA", "DE", "IN", "LB", "NG", "PT", "ZA"}),
    2050: (2012, datetime.date(2012, 6, 12), {"AZ", "CO", "DE", "GT", "IN", "MA", "PK", "PT", "ZA", "TG"}),
    2141: (2014, datetime.date(2014, 3, 5), {"AR", "AU", "TD", "CL", "JO", "LT", "LU", "NG", "KR", "RW"}),
    2207: (2015, datetime.date(2015, 3, 4), {"AO", "TD", "CL", "JO", "LT", "MY", "NZ", "NG", "ES", "VE"}),
    2276: (2016, datetime.date(2016, 3, 24), {"AO", "EG", "JP", "MY", "NZ", "SN", "ES", "UA", "UY", "VE"}),
    2345: (2017, None, {"BO", "EG", "ET", "IT", "JP", "KZ", "SN", "SE", "UA", "UY"}),
    2407: (2018, datetime.date(2018, 3, 21), {"BO", "CI", "GQ", "ET", "KZ", "KW", "NL", "PE", "PL", "SE"}),
    2464: (2019, datetime.date(2019, 4, 10), {"BE", "CI", "DO", "GQ", "DE", "ID", "KW", "PE", "PL", "ZA"}),
    2515: (2020, datetime.date(2020, 3, 30), {"BE", "DO", "EE", "DE", "ID", "NE", "VC", "ZA", "TN", "VN"}),
    2569: (2021, datetime.date(2021, 3, 26), {"EE", "IN", "IE", "KE", "MX", "NE", "NO", "VC", "TN", "VN"}),
    2627: (2022, datetime.date(2022, 3, 25), {"AL", "BR", "GA", "GH", "IN", "IE", "KE", "MX", "NO", "AE"}),
    2680: (2023, datetime.date(2023, 3, 23), {"AL", "BR", "EC", "GA", "GH", "JP", "MT", "MZ", "CH", "AE"}),
}
# The years whose elected members were checked for this data, not taken from the unchecked list.
MEMBERSHIP_CHECKED = {2010, 2011, 2012, 2014, 2015}
ELECTED_2022 = RENEWALS[2627][2]
ELECTED_2024 = {"DZ", "EC", "GY", "JP", "MT", "MZ", "KR", "SL", "SI", "CH"}
EU_MEMBERS = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
}  # fmt: skip


def positions(resolution):
    return {vote.country.iso2: vote.position for vote in resolution.votes.select_related("country")}


def day(text):
    return datetime.date.fromisoformat(text) if text else None


# ---------------------------------------------------------------- resolutions and votes


@pytest.mark.parametrize("number", ADOPTED)
def test_each_dprk_sanctions_resolution_was_adopted_unanimously_by_fifteen_members(number):
    resolution = Resolution.objects.get(number=number)
    votes = positions(resolution)
    assert len(votes) == 15
    assert set(votes) >= PERMANENT
    assert resolution.tally == "15–0–0"
    assert votes["RU"] == "yes" and votes["CN"] == "yes"
    assert resolution.outcome == "adopted"
    assert UNVERIFIED_MEMBERSHIP in resolution.summary


def test_1695_was_not_adopted_under_chapter_vii_and_1718_was():
    assert Resolution.objects.get(number=1695).chapter_vii is False
    assert Resolution.objects.get(number=1718).chapter_vii is True


@pytest.mark.parametrize("number", sorted(RENEWALS))
def test_each_panel_of_experts_renewal_has_all_fifteen_votes_of_its_year(number):
    year, voted_on, elected = RENEWALS[number]
    resolution = Resolution.objects.get(symbol=f"S/RES/{number} ({year})")
    assert resolution.number == number and resolution.outcome == "adopted" and resolution.chapter_vii
    assert resolution.voted_on == voted_on
    votes = positions(resolution)
    assert set(votes) == PERMANENT | elected
    assert set(votes.values()) == {"yes"}
    assert resolution.tally == "15–0–0"
    if year in MEMBERSHIP_CHECKED:
        assert f"Elected members in {year}, checked against" in resolution.summary
    else:
        assert UNVERIFIED_MEMBERSHIP in resolution.summary


def test_the_panel_was_renewed_every_year_from_2010_to_2023_none_missing():
    # 2013's renewal is 2094, the sanctions resolution that also extended the Panel.
    renewals = {number: year for number, (year, _, _) in RENEWALS.items()} | {2094: 2013}
    adopted = Resolution.objects.filter(number__in=renewals, outcome="adopted")
    years = sorted(int(symbol[-5:-1]) for symbol in adopted.values_list("symbol", flat=True))
    assert years == list(range(2010, 2024))
    assert "renewal of the Panel of Experts" in Resolution.objects.get(number=2094).summary
    for resolution in adopted.exclude(voted_on=None):
        assert resolution.voted_on.year == renewals[resolution.number], resolution
    titled = Resolution.objects.filter(outcome="adopted", title__endswith="(Panel of Experts mandate)")
    assert set(titled.values_list("number", flat=True)) == set(RENEWALS)


def test_2680_was_adopted_on_23_march_2023_at_the_9292nd_meeting():
    resolution = Resolution.objects.get(number=2680)
    assert (resolution.voted_on, resolution.meeting) == (datetime.date(2023, 3, 23), "S/PV.9292")
    assert "unverified" not in resolution.summary
    assert "16 March 2023, given earlier as its date, was the day a revised draft circulated" in resolution.summary


def test_the_unverified_facts_of_the_renewals_are_said_not_stated():
    assert "Not verified: that it was adopted unanimously" in Resolution.objects.get(number=2464).summary
    renewal_2345 = Resolution.objects.get(number=2345)
    assert renewal_2345.voted_on is None and renewal_2345.meeting == ""
    assert "the day of adoption (23 March 2017 per an unverified note)" in renewal_2345.summary
    renewal_2050 = Resolution.objects.get(number=2050)
    assert renewal_2050.meeting == "" and "Not verified: the meeting number" in renewal_2050.summary


def test_russia_turned_from_yes_on_2680_in_2023_to_vetoing_the_2024_renewal():
    assert positions(Resolution.objects.get(number=2680))["RU"] == "yes"
    draft = Resolution.objects.get(voted_on="2024-03-28")
    assert draft.outcome == "vetoed" and draft.number is None
    assert positions(draft)["RU"] == "no"
    assert [c.iso2 for c in draft.vetoed_by] == ["RU"]


def test_2022_draft_was_vetoed_by_china_and_russia_with_that_years_council():
    draft = Resolution.objects.get(symbol="S/2022/431")
    assert draft.outcome == "vetoed" and draft.number is None
    assert draft.tally == "13–2–0"
    assert set(positions(draft)) == PERMANENT | ELECTED_2022
    assert {c.iso2 for c in draft.vetoed_by} == {"CN", "RU"}
    assert str(draft.voted_on) == "2022-05-26"


def test_2024_panel_of_experts_renewal_was_vetoed_by_russia_with_china_abstaining():
    draft = Resolution.objects.get(voted_on="2024-03-28")
    assert draft.tally == "13–1–1"
    votes = positions(draft)
    assert set(votes) == PERMANENT | ELECTED_2024
    assert votes["CN"] == "abstain"
    assert "NOT verified" in draft.summary  # the symbol S/2024/255


def test_only_china_and_russia_ever_vetoed():
    assert set(Vote.objects.vetoes().values_list("country__iso2", flat=True)) == {"CN", "RU"}
    assert Vote.objects.vetoes().count() == 3


def test_elected_members_of_2017_sat_on_the_2397_vote():
    members = set(positions(Resolution.objects.get(number=2397)))
    assert members == PERMANENT | {"BO", "EG", "ET", "IT", "JP", "KZ", "SN", "SE", "UA", "UY"}


def test_meeting_numbers_marked_unverified_are_left_blank():
    for number, meeting in ((2270, "7638th"), (2375, "8042nd"), (2397, "8151st")):
        resolution = Resolution.objects.get(number=number)
        assert resolution.meeting == ""
        assert f"meeting number ({meeting} per an unverified note)" in resolution.summary


# ---------------------------------------------------------------- authorities, regime and measures


def test_authorities_bind_all_states_or_their_own_jurisdiction():
    def members(code):
        return set(Authority.objects.get(code=code).members.values_list("iso2", flat=True))

    assert Authority.objects.get(code="UN").binds == "all_states" and members("UN") == set()
    assert Authority.objects.get(code="US").binds == "own_jurisdiction" and members("US") == {"US"}
    assert Authority.objects.get(code="UK").binds == "own_jurisdiction" and members("UK") == {"GB"}
    assert Authority.objects.get(code="EU").binds == "own_jurisdiction" and members("EU") == EU_MEMBERS


def test_the_un_1718_regime_rests_on_the_sanctions_resolutions_and_the_panel_renewals():
    regime = Regime.objects.get(code="UN-1718")
    assert regime.target_country.iso2 == "KP"
    adopted = regime.resolutions.filter(outcome="adopted")
    assert sorted(adopted.values_list("number", flat=True)) == sorted(ADOPTED + list(RENEWALS))
    # The vetoed drafts about it are listed too, for its vote matrix: the sanctions draft of
    # May 2022 and the Panel of Experts renewal of March 2024.
    drafts = regime.resolutions.exclude(outcome="adopted")
    assert sorted(drafts.values_list("symbol", flat=True)) == ["S/2022/431", "S/2024/255"]
    # It starts with 1695, so that 1695's own measure lies within it (said in its description).
    assert regime.started_on == datetime.date(2006, 7, 15)
    assert "resolution 1695 (15 July 2006)" in regime.description


def test_no_measure_starts_before_its_regime():
    for measure in Measure.objects.select_related("regime"):
        if measure.started_on and measure.regime.started_on:
            assert measure.started_on >= measure.regime.started_on, measure


# code: (kind, direction, covers, provisions, started_on, ended_on)
PHASES = {
    "heavy-arms-export-ban": (
        "arms_embargo",
        "exports_from_target",
        ["heavy_weapons", "missiles"],
        {("S/RES/1718 (2006)", "8(a)(i)"), ("S/RES/1718 (2006)", "8(b)")},
        "2006-10-14",
        "2009-06-11",
    ),
    "arms-export-ban": (
        "arms_embargo",
        "exports_from_target",
        ["arms"],
        {("S/RES/1718 (2006)", "8(b)"), ("S/RES/1874 (2009)", "9")},
        "2009-06-12",
        None,
    ),
    "heavy-arms-import-ban": (
        "arms_embargo",
        "imports_to_target",
        ["heavy_weapons", "missiles"],
        {("S/RES/1718 (2006)", "8(a)"), ("S/RES/1718 (2006)", "8(a)(i)")},
        "2006-10-14",
        "2009-06-11",
    ),
    "arms-import-ban-except-salw": (
        "arms_embargo",
        "imports_to_target",
        ["munitions", "missiles", "heavy_weapons", "military_equipment"],
        {("S/RES/1718 (2006)", "8(a)"), ("S/RES/1874 (2009)", "10")},
        "2009-06-12",
        "2016-03-01",
    ),
    "arms-import-ban": (
        "arms_embargo",
        "imports_to_target",
        ["arms"],
        {("S/RES/1718 (2006)", "8(a)"), ("S/RES/1874 (2009)", "10"), ("S/RES/2270 (2016)", "6")},
        "2016-03-02",
        None,
    ),
    "missile-ban-1695": (
        "wmd_missile_ban",
        "both",
        ["missiles", "military_technology", "dual_use"],
        {("S/RES/1695 (2006)", "3"), ("S/RES/1695 (2006)", "4")},
        "2006-07-15",
        "2006-10-13",
    ),
    "wmd-missile-ban": (
        "wmd_missile_ban",
        "both",
        ["missiles", "military_technology", "dual_use"],
        {("S/RES/1718 (2006)", "8(a)(ii)"), ("S/RES/1718 (2006)", "8(b)"), ("S/RES/1718 (2006)", "8(c)")},
        "2006-10-14",
        None,
    ),
}


def un_measure(code):
    return Measure.objects.get(regime__code="UN-1718", code=code)


def provisions(measure):
    return {(p.resolution.symbol, p.paragraph) for p in measure.provisions.select_related("resolution")}


@pytest.mark.parametrize("code", PHASES)
def test_each_phase_of_the_arms_and_missile_bans_is_its_own_measure(code):
    kind, direction, covers, cited, started_on, ended_on = PHASES[code]
    measure = un_measure(code)
    assert (measure.kind, measure.direction, measure.covers) == (kind, direction, covers)
    assert provisions(measure) == cited
    assert (measure.started_on, measure.ended_on) == (day(started_on), day(ended_on))


def test_small_arms_are_covered_only_from_2270_and_excepted_with_notice_before():
    covering = [
        m.code for m in Measure.objects.filter(regime__code="UN-1718") if {"small_arms", "arms"} & set(m.covers)
    ]
    assert sorted(covering) == ["arms-export-ban", "arms-import-ban"]
    assert "five days in advance" in un_measure("arms-import-ban-except-salw").exemptions


def test_the_arms_phases_follow_each_other_without_gap_or_overlap():
    for earlier, later in (
        ("heavy-arms-export-ban", "arms-export-ban"),
        ("heavy-arms-import-ban", "arms-import-ban-except-salw"),
        ("arms-import-ban-except-salw", "arms-import-ban"),
        ("missile-ban-1695", "wmd-missile-ban"),
    ):
        assert un_measure(earlier).ended_on + datetime.timedelta(days=1) == un_measure(later).started_on


# code: (covers, quantity, unit, period, provisions, started_on, ended_on)
CAPS = {
    "refined-petroleum-cap-2017": (
        ["refined_petroleum"],
        500000,
        "barrels",
        "whole_period",
        {("S/RES/2375 (2017)", "14")},
        "2017-10-01",
        "2017-12-31",
    ),
    "refined-petroleum-cap": (
        ["refined_petroleum"],
        500000,
        "barrels",
        "calendar_year",
        {("S/RES/2397 (2017)", "5")},
        "2018-01-01",
        None,
    ),
    "crude-oil-cap": (
        ["crude_oil"],
        4000000,
        "barrels",
        "calendar_year",
        {("S/RES/2397 (2017)", "4")},
        "2017-12-22",
        None,
    ),
}


@pytest.mark.parametrize("code", CAPS)
def test_trade_caps_carry_their_quantity_unit_and_period(code):
    covers, quantity, unit, period, cited, started_on, ended_on = CAPS[code]
    measure = un_measure(code)
    assert (measure.kind, measure.direction, measure.covers) == ("trade_cap", "imports_to_target", covers)
    assert (measure.cap_quantity, measure.cap_unit, measure.cap_period) == (Decimal(quantity), unit, period)
    assert provisions(measure) == cited
    assert (measure.started_on, measure.ended_on) == (day(started_on), day(ended_on))


def test_the_crude_cap_says_its_tonnage_alternative():
    assert "525,000 tons" in un_measure("crude-oil-cap").exemptions


def test_the_workers_ban_covers_workers_and_sectoral_bans_their_leaves():
    assert un_measure("overseas-workers-ban").covers == ["workers"]
    assert provisions(un_measure("overseas-workers-ban")) == {("S/RES/2397 (2017)", "8")}
    leaves = {
        "coal-export-ban": ["coal"],
        "iron-export-ban": ["iron_ore"],
        "seafood-export-ban": ["seafood"],
        "textile-export-ban": ["textiles"],
        "condensates-import-ban": ["condensates"],
    }
    assert {code: un_measure(code).covers for code in leaves} == leaves
    parents = {"commodities", "personnel", "fuel"}
    assert not [m for m in Measure.objects.all() if parents & set(m.covers)]


def test_a_missile_transfer_in_august_2006_meets_only_1695_which_does_not_bind():
    transfer = f.TransferFactory(
        reference="test-kp-missiles-2006",
        category="missiles",
        started_on=datetime.date(2006, 8, 1),
        ended_on=datetime.date(2006, 8, 31),
    )
    [finding] = transfer_contraventions(transfer)
    assert (finding.measure.code, finding.finding, finding.binding) == ("missile-ban-1695", "breach", False)


# ---------------------------------------------------------------- transfers and claims

# reference: (supplier, recipient, category, started_on, ended_on, precision, status)
TRANSFERS = {
    "kp-ru-artillery-munitions-2023": ("KP", "RU", "munitions", "2022-07-01", None, "month", "alleged"),
    "kp-ru-ballistic-missiles-2023": ("KP", "RU", "missiles", "2023-11-01", "2024-12-31", "month", "corroborated"),
    "kp-ru-troops-2024": ("KP", "RU", "troops", "2024-10-08", None, "day", "confirmed"),
    "ru-kp-refined-petroleum-2024": ("RU", "KP", "refined_petroleum", "2024-03-07", "2024-11-05", "day", "alleged"),
    "ru-kp-refined-petroleum-2024-03": (
        "RU",
        "KP",
        "refined_petroleum",
        "2024-03-01",
        "2024-03-31",
        "month",
        "alleged",
    ),
    "ru-kp-refined-petroleum-2024-01-reported": (
        "RU",
        "KP",
        "refined_petroleum",
        "2024-01-01",
        "2024-01-31",
        "month",
        "confirmed",
    ),
    "ru-kp-military-technology-2023": ("RU", "KP", "military_technology", "2023-11-01", None, "month", "alleged"),
    "ru-kp-pantsir-2024": ("RU", "KP", "heavy_weapons", "2024-11-01", "2025-05-31", "month", "alleged"),
    "ru-kp-tanks-aircraft-2024": ("RU", "KP", "heavy_weapons", "2023-09-01", "2024-06-14", "month", "alleged"),
    "ru-kp-aurus-limousine-2024": ("RU", "KP", "luxury_goods", "2024-02-18", "2024-02-18", "day", "confirmed"),
}


def test_the_demo_has_exactly_these_transfers():
    assert set(Transfer.objects.values_list("reference", flat=True)) == set(TRANSFERS)


@pytest.mark.parametrize("reference", TRANSFERS)
def test_each_transfer_has_its_category_and_dates_as_its_sources_report_them(reference):
    supplier, recipient, category, started_on, ended_on, precision, status = TRANSFERS[reference]
    transfer = Transfer.objects.get(reference=reference)
    assert (transfer.supplier.iso2, transfer.recipient.iso2, transfer.category) == (supplier, recipient, category)
    assert (transfer.started_on, transfer.ended_on) == (day(started_on), day(ended_on))
    assert (transfer.date_precision, transfer.status) == (precision, status)
    assert transfer.sources.exists()


def test_the_march_2024_fuel_is_at_least_165000_barrels():
    fuel = Transfer.objects.get(reference="ru-kp-refined-petroleum-2024-03")
    assert (fuel.quantity_low, fuel.quantity_high, fuel.quantity_unit) == (165000, None, "barrels")
    january = Transfer.objects.get(reference="ru-kp-refined-petroleum-2024-01-reported")
    assert (january.quantity_low, january.quantity_high, january.quantity_unit) == (15279, 15279, "barrels")


def test_the_march_2024_fuel_is_a_part_of_the_reported_march_to_november_total():
    whole = Transfer.objects.get(reference="ru-kp-refined-petroleum-2024")
    assert (whole.quantity_low, whole.quantity_high, whole.quantity_unit) == (1000000, None, "barrels")
    assert "43 trips" in whole.items
    assert Transfer.objects.get(reference="ru-kp-refined-petroleum-2024-03").part_of == whole
    # January's supply, before the counted trips, is a delivery of its own, notified by Russia.
    january = Transfer.objects.get(reference="ru-kp-refined-petroleum-2024-01-reported")
    assert january.part_of is None
    [notice] = january.claims.filter(stance="notifies").select_related("claimant_country")
    assert notice.claimant_country.iso2 == "RU"
    assert not whole.claims.filter(stance="notifies").exists()


def test_the_missiles_are_about_a_hundred_of_the_hwasong_11_family_through_2024():
    transfer = missiles()
    assert (transfer.quantity_low, transfer.quantity_unit) == (100, "missiles")
    assert "KN-23" in transfer.items and "Hwasong-11" in transfer.items
    claim = transfer.claims.get(made_on="2024-11-27")
    assert (claim.claimant_country.iso2, claim.stance) == ("UA", "alleges") and "100" in claim.summary


def test_both_governments_acknowledged_the_troops_in_april_2025():
    troops = Transfer.objects.get(reference="kp-ru-troops-2024")
    acknowledged = troops.claims.filter(stance="acknowledges").select_related("claimant_country")
    assert {(c.claimant_country.iso2, str(c.made_on)) for c in acknowledged} == {
        ("RU", "2025-04-26"),
        ("KP", "2025-04-28"),
    }
    assert troops.quantity_high == 14000


def test_the_aurus_was_acknowledged_by_both_governments():
    aurus = Transfer.objects.get(reference="ru-kp-aurus-limousine-2024")
    assert (aurus.supplier_actor.slug, aurus.recipient_actor.slug) == ("vladimir-putin", "kim-jong-un")
    acknowledged = aurus.claims.filter(stance="acknowledges").select_related("claimant_country")
    assert {c.claimant_country.iso2 for c in acknowledged} == {"RU", "KP"}


def test_the_military_technology_is_what_was_received_not_what_was_sought():
    transfer = Transfer.objects.get(reference="ru-kp-military-technology-2023")
    assert "satellite" in transfer.items and "fighter aircraft" not in transfer.items
    # The start is the first claim of help received, the ROK's of 1 November 2023; the US claim
    # of October 2023 is of what the DPRK sought.
    [sought] = transfer.claims.filter(made_on__lt="2023-11-01")
    assert "seeking" in sought.summary
    first = transfer.claims.filter(made_on__gte="2023-11-01").order_by("made_on").first()
    assert (str(first.made_on), first.claimant_country.iso2) == ("2023-11-01", "KR")
    assert transfer.started_on == first.made_on.replace(day=1)


def test_the_munitions_start_is_the_rok_claim_of_mid_2022():
    transfer = Transfer.objects.get(reference="kp-ru-artillery-munitions-2023")
    claim = transfer.claims.get(made_on="2024-08-27")
    assert claim.claimant_country.iso2 == "KR" and "since mid-2022" in claim.summary


def test_the_pantsir_transfer_rests_on_the_msmt_report_as_kbs_reported_it():
    pantsir = Transfer.objects.get(reference="ru-kp-pantsir-2024")
    assert "Pantsir" in pantsir.items and pantsir.quantity_low == 1
    kbs = "http://world.kbs.co.kr/service/news_view.htm?lang=e&Seq_Code=193414"
    assert list(pantsir.sources.values_list("url", flat=True)) == [kbs]
    [claim] = pantsir.claims.select_related("claimant_actor", "source")
    assert (claim.stance, claim.claimant_actor.slug, claim.source.url) == ("alleges", "msmt", kbs)
    assert "since November 2024" in claim.summary


def missiles():
    return Transfer.objects.get(reference="kp-ru-ballistic-missiles-2023")


def test_missiles_allegation_is_corroborated_by_the_panel_and_denied_by_both():
    claims = missiles().claims.select_related("claimant_country", "claimant_actor")
    stances = {(c.stance, c.claimant_country and c.claimant_country.iso2) for c in claims}
    assert ("alleges", "US") in stances
    assert ("denies", "RU") in stances and ("denies", "KP") in stances
    corroboration = [c for c in claims if c.stance == "corroborates"]
    assert len(corroboration) == 1 and str(corroboration[0].made_on) == "2024-04-25"
    assert "Kharkiv" in corroboration[0].summary + corroboration[0].quote
    # The November 2023 start is the US State Department's own claim.
    assert missiles().claims.get(made_on="2024-01-11").claimant_actor.slug == "us-department-of-state"


def test_munitions_claims_are_separate_dated_claims():
    transfer = Transfer.objects.get(reference="kp-ru-artillery-munitions-2023")
    dates = {str(c.made_on) for c in transfer.claims.filter(stance="alleges")}
    assert {"2023-10-13", "2024-02-26", "2024-06-14", "2024-08-27"} <= dates
    assert {c.claimant_country.iso2 for c in transfer.claims.filter(stance="denies")} == {"RU", "KP"}


def test_denials_name_the_governments_the_source_names_and_no_date_or_quote_it_does_not_give():
    denials = Claim.objects.filter(stance="denies").select_related("claimant_country", "claimant_actor")
    assert {(c.claimant_country.iso2, c.claimant_actor.slug) for c in denials} == {
        ("RU", "russian-government"),
        ("KP", "dprk-government"),
    }
    for denial in denials:
        assert denial.made_on is None and denial.quote == ""
        assert "Not dated" in denial.summary


def test_arms_went_in_exchange_for_fuel_and_technology():
    given_for = {t.reference for t in missiles().in_exchange_for.all()}
    assert given_for == {"ru-kp-refined-petroleum-2024", "ru-kp-military-technology-2023"}


def test_every_curated_record_has_a_source():
    for transfer in Transfer.objects.prefetch_related("sources", "claims"):
        assert transfer.sources.exists(), transfer
        assert all(claim.source_id for claim in transfer.claims.all())


# ---------------------------------------------------------------- quotes and their sources


def quoted_records():
    from apps.relations.models import Statement

    claims = Claim.objects.exclude(quote="").select_related("source")
    statements = Statement.objects.select_related("source")
    return list(claims) + list(statements)


def test_no_quote_is_attributed_to_a_source_older_than_the_quote():
    records = quoted_records()
    assert len(records) >= 10
    compared = 0
    for record in records:
        if record.made_on and record.source.published_on:
            assert record.source.published_on >= record.made_on, record
            compared += 1
    assert compared >= 5


def demo_records():
    """The records of the demo fixture files, as the files hold them."""
    return [obj for path in demo_fixture_files() for obj in json.loads(path.read_text(encoding="utf-8"))]


def texts_of(value):
    """Every text in a fixture value (fields, lists of keys, nested objects)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from texts_of(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts_of(item)


# A whole sentence as quoted: it opens with a capital letter and ends with its full stop.


def test_the_articles_quotes_are_attributed_to_the_article():
    from apps.evidence.models import Source
    from apps.relations.models import Statement

    # The example article is one source record; what it lacks (headline, publisher, address)
    # and how its date was inferred is said in its note for editors.
    article = Source.objects.get(url=ARTICLE_URL)
    assert (article.kind, article.publisher, article.published_on) == ("news", "", datetime.date(2024, 6, 18))
    assert article.editor_note.startswith("The example article the demo data tells in full.")
    from_article = Statement.objects.filter(source=article)
    speakers = set(from_article.values_list("speaker__slug", flat=True))
    assert speakers == {"vladimir-putin", "john-kirby", "lim-soo-suk", "leif-eric-easley"}
    # Reuters' announcement of 17 June 2024 carries none of them.
    assert not Statement.objects.filter(source__url__contains="swissinfo").exists()
    # Undated in the article and found nowhere else, so undated here; Kirby's two are from his
    # briefing of 17 June 2024, the day before the article.
    assert set(from_article.filter(made_on__isnull=True).values_list("speaker__slug", flat=True)) == {
        "lim-soo-suk",
        "leif-eric-easley",
    }
    assert set(from_article.filter(speaker__slug="john-kirby").values_list("made_on", flat=True)) == {
        datetime.date(2024, 6, 17)
    }
    # Each of its quotes stands once in the demo data, on the one statement attributed to this
    # source: no claim, summary or other statement repeats the words or gives them another source.
    records = demo_records()
    for statement in from_article:
        holders = [
            (obj["model"], obj["fields"].get("reference"), obj["fields"].get("source"))
            for obj in records
            for text in texts_of(obj["fields"])
            for _ in range(text.count(statement.quote))
        ]
        assert holders == [("relations.statement", statement.reference, [ARTICLE_URL])], statement.reference
    # What the article quotes apart is kept apart: two statements, never one joined by an ellipsis.
    putin = from_article.filter(speaker__slug="vladimir-putin")
    assert {s.quote for s in putin} >= {"that are not controlled by the West", "illegal, unilateral restrictions."}
    easley = from_article.filter(speaker__slug="leif-eric-easley")
    assert easley.count() == 2
    assert not [s.reference for s in from_article if "…" in s.quote]


# ---------------------------------------------------------------- findings, through the API


def findings(reference):
    response = APIClient().get(f"/api/v1/transfers/{reference}/contraventions/")
    assert response.status_code == 200, response.content
    return response.json()["contraventions"]


def summary(reference):
    return {
        (c["finding"], c["regime"]["code"], c["measure"]["code"], c["binding"], tuple(c["obliged_countries"]))
        for c in findings(reference)
    }


def overlap(reference, measure):
    [found] = [c for c in findings(reference) if c["measure"]["code"] == measure]
    return day(found["overlap"]["start"]), day(found["overlap"]["end"])


def test_the_2024_fuel_exceeds_the_cap_and_was_not_notified():
    for reference in ("ru-kp-refined-petroleum-2024", "ru-kp-refined-petroleum-2024-03"):
        assert summary(reference) == {
            ("exceeds_cap", "UN-1718", "refined-petroleum-cap", True, ("RU",)),
            ("not_notified", "UN-1718", "refined-petroleum-cap", True, ("RU",)),
        }, reference
    [cap] = [c for c in findings("ru-kp-refined-petroleum-2024") if c["finding"] == "exceeds_cap"]
    assert cap["cap"]["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    # January's notified 15,279 barrels and the larger of the whole (1,000,000) and its March part
    # (165,000): never both.
    assert (cap["cap"]["total_low"], cap["cap"]["remaining"]) == ("1015279.000", "-515279.000")
    assert any("515,279 barrels above the cap" in reason for reason in cap["reasons"])
    assert any("larger of its own quantity and the sum of its parts" in reason for reason in cap["reasons"])
    [duty] = [c for c in findings("ru-kp-refined-petroleum-2024") if c["finding"] == "not_notified"]
    assert any("no notification of this transfer" in reason for reason in duty["reasons"])


def test_the_january_2024_notified_fuel_counts_in_the_exceeded_cap_and_owes_no_notice():
    assert summary("ru-kp-refined-petroleum-2024-01-reported") == {
        ("exceeds_cap", "UN-1718", "refined-petroleum-cap", True, ("RU",))
    }


def test_the_troops_meet_the_arms_embargos_ban_on_services_not_the_workers_ban():
    assert summary("kp-ru-troops-2024") == {("breach", "UN-1718", "arms-services-ban", True, ("KP", "RU"))}
    services = un_measure("arms-services-ban")
    assert provisions(services) >= {("S/RES/1718 (2006)", "8(c)"), ("S/RES/1874 (2009)", "9")}
    assert "training, advice, services or assistance" in services.scope_note


def test_the_aurus_meets_the_luxury_goods_ban_and_possibly_the_vehicles_ban():
    assert summary("ru-kp-aurus-limousine-2024") == {
        ("breach", "UN-1718", "luxury-goods-ban", True, ("RU",)),
        ("possible_breach", "UN-1718", "machinery-vehicles-metals-ban", True, ("RU",)),
    }
    [vehicles] = [c for c in findings("ru-kp-aurus-limousine-2024") if c["finding"] == "possible_breach"]
    assert any("transportation vehicles (HS codes 86 to 89)" in reason for reason in vehicles["reasons"])


def test_the_tanks_and_aircraft_meet_the_full_arms_import_ban():
    assert summary("ru-kp-tanks-aircraft-2024") == {("breach", "UN-1718", "arms-import-ban", True, ("RU",))}


def test_the_ongoing_munitions_flow_meets_the_all_arms_export_ban_in_force_while_it_ran():
    assert summary("kp-ru-artillery-munitions-2023") == {("breach", "UN-1718", "arms-export-ban", True, ("KP", "RU"))}
    assert overlap("kp-ru-artillery-munitions-2023", "arms-export-ban") == (
        datetime.date(2022, 7, 1),
        timezone.localdate(),
    )


def test_the_missiles_meet_the_all_arms_export_ban_and_the_wmd_missile_ban():
    assert summary("kp-ru-ballistic-missiles-2023") == {
        ("breach", "UN-1718", "arms-export-ban", True, ("KP", "RU")),
        ("breach", "UN-1718", "wmd-missile-ban", True, ("KP", "RU")),
    }
    [ban] = [c for c in findings("kp-ru-ballistic-missiles-2023") if c["measure"]["code"] == "arms-export-ban"]
    assert {r["symbol"]: r["recipient_position"] for r in ban["resolutions"]} == {
        "S/RES/1718 (2006)": "yes",
        "S/RES/1874 (2009)": "yes",
    }
    assert {(p["resolution"], p["paragraph"]) for p in ban["provisions"]} == PHASES["arms-export-ban"][3]


def test_the_pantsir_meets_the_full_arms_import_ban_obliging_russia():
    assert summary("ru-kp-pantsir-2024") == {("breach", "UN-1718", "arms-import-ban", True, ("RU",))}
    [ban] = findings("ru-kp-pantsir-2024")
    assert {r["symbol"]: r["supplier_position"] for r in ban["resolutions"]} == {
        "S/RES/1718 (2006)": "yes",
        "S/RES/1874 (2009)": "yes",
        "S/RES/2270 (2016)": "yes",
    }
    assert overlap("ru-kp-pantsir-2024", "arms-import-ban") == (datetime.date(2024, 11, 1), datetime.date(2025, 5, 31))


def test_the_military_technology_meets_the_wmd_missile_ban():
    assert summary("ru-kp-military-technology-2023") == {("breach", "UN-1718", "wmd-missile-ban", True, ("RU", "KP"))}


def test_the_dprk_page_lists_the_findings_that_oblige_it_though_it_never_voted():
    profile = APIClient().get("/api/v1/countries/KP/profile/").json()
    assert profile["contravened_resolutions_voted_for"] == []
    assert profile["findings_obliging"] == [
        {"measure": ["UN-1718", "arms-export-ban"], "kind": "breach", "transfers_count": 2},
        {"measure": ["UN-1718", "arms-services-ban"], "kind": "breach", "transfers_count": 1},
        {"measure": ["UN-1718", "wmd-missile-ban"], "kind": "breach", "transfers_count": 2},
    ]
    page = APIClient().get("/countries/KP/").content.decode()
    assert "arms-services-ban: Breach" in page and "wmd-missile-ban: Breach" in page
