"""The demo data tells the article: votes, vetoes, claims and denials hold as checked in
REFERENCE_FACTS.md."""

import pytest

from apps.resolutions.models import Resolution, Vote
from apps.sanctions.models import Regime
from apps.transfers.models import Transfer
from apps.transfers.services import transfer_contraventions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data_module")]

ADOPTED = [1695, 1718, 1874, 2087, 2094, 2270, 2321, 2356, 2371, 2375, 2397]
PERMANENT = {"CN", "FR", "GB", "RU", "US"}


def positions(resolution):
    return {vote.country.iso2: vote.position for vote in resolution.votes.select_related("country")}


@pytest.mark.parametrize("number", ADOPTED)
def test_each_dprk_resolution_was_adopted_unanimously_by_fifteen_members(number):
    resolution = Resolution.objects.get(number=number)
    votes = positions(resolution)
    assert len(votes) == 15
    assert set(votes) >= PERMANENT
    assert resolution.tally == "15–0–0"
    assert votes["RU"] == "yes" and votes["CN"] == "yes"
    assert resolution.outcome == "adopted"


def test_the_un_1718_regime_rests_on_all_eleven_resolutions():
    regime = Regime.objects.get(code="UN-1718")
    assert regime.target_country.iso2 == "KP"
    assert sorted(regime.resolutions.values_list("number", flat=True)) == ADOPTED


def test_2022_draft_was_vetoed_by_china_and_russia():
    draft = Resolution.objects.get(symbol="S/2022/431")
    assert draft.outcome == "vetoed" and draft.number is None
    assert draft.tally == "13–2–0"
    assert {c.iso2 for c in draft.vetoed_by} == {"CN", "RU"}
    assert str(draft.voted_on) == "2022-05-26"


def test_2024_panel_of_experts_renewal_was_vetoed_by_russia_with_china_abstaining():
    draft = Resolution.objects.get(voted_on="2024-03-28")
    assert draft.outcome == "vetoed"
    assert draft.tally == "13–1–1"
    assert [c.iso2 for c in draft.vetoed_by] == ["RU"]
    assert positions(draft)["CN"] == "abstain"


def test_only_china_and_russia_ever_vetoed():
    assert set(Vote.objects.vetoes().values_list("country__iso2", flat=True)) == {"CN", "RU"}
    assert Vote.objects.vetoes().count() == 3


def test_elected_members_of_2017_sat_on_the_2397_vote():
    members = set(positions(Resolution.objects.get(number=2397)))
    assert members == PERMANENT | {"BO", "EG", "ET", "IT", "JP", "KZ", "SN", "SE", "UA", "UY"}


def missiles():
    return Transfer.objects.get(supplier__iso2="KP", recipient__iso2="RU", category="missiles")


def test_missiles_allegation_is_corroborated_by_the_panel_and_denied_by_both():
    claims = missiles().claims.select_related("claimant_country", "claimant_actor")
    stances = {(c.stance, c.claimant_country and c.claimant_country.iso2) for c in claims}
    assert ("alleges", "US") in stances
    assert ("denies", "RU") in stances and ("denies", "KP") in stances
    corroboration = [c for c in claims if c.stance == "corroborates"]
    assert len(corroboration) == 1 and str(corroboration[0].made_on) == "2024-04-25"
    assert "Kharkiv" in corroboration[0].summary + corroboration[0].quote


def test_munitions_claims_are_separate_dated_claims():
    transfer = Transfer.objects.get(supplier__iso2="KP", recipient__iso2="RU", category="munitions")
    dates = {str(c.made_on) for c in transfer.claims.filter(stance="alleges")}
    assert {"2023-10-13", "2024-02-26", "2024-06-14", "2024-08-27"} <= dates
    assert {c.claimant_country.iso2 for c in transfer.claims.filter(stance="denies")} == {"RU", "KP"}


def test_arms_went_in_exchange_for_fuel_and_technology():
    given_for = {t.category for t in missiles().in_exchange_for.all()}
    assert given_for & {"fuel", "military_technology"}


def test_the_missiles_transfer_would_break_un_1718_which_russia_voted_for():
    contraventions = transfer_contraventions(missiles())
    arms = [c for c in contraventions if (c.regime.code, c.measure.code) == ("UN-1718", "arms-export-ban")]
    assert len(arms) == 1
    votes = {rv.resolution.symbol: rv.recipient_position for rv in arms[0].resolutions}
    assert votes == {"S/RES/1718 (2006)": "yes", "S/RES/1874 (2009)": "yes"}
    assert {p.paragraph for p in arms[0].provisions} == {"8(b)", "9"}


def test_every_curated_record_has_a_source():
    for transfer in Transfer.objects.prefetch_related("sources", "claims"):
        assert transfer.sources.exists(), transfer
        assert all(claim.source_id for claim in transfer.claims.all())
