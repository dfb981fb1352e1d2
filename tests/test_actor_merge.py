"""Deciding a match proposal (apps/actors/services.py): accepting merges the list entry's actor
into the stored one, with everything that names it and everything derived from it; rejecting
keeps them two; a proposal is decided once."""

import datetime
import shutil
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from apps.actors.models import Actor, MatchProposal
from apps.actors.services import DecisionRefused, accept, reject
from apps.common.dataversion import read_version
from apps.common.roles import EDITORS
from apps.ingest.services.un import import_un_list
from apps.sanctions.models import Designation
from apps.transfers import tallies
from apps.transfers.models import DesignationTally, Finding
from tests.conftest import UN_SAMPLE
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DesignationFactory,
    EventFactory,
    MeasureFactory,
    StatementFactory,
    TransferFactory,
    country,
)
from tests.ingest.conftest import DATA, row_counts

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def findings_are_the_rules():
    out, err = StringIO(), StringIO()
    call_command("findings", "--check", stdout=out, stderr=err)
    return "the stored findings are the rules' findings" in out.getvalue() and not err.getvalue()


def proposal_between(entry, candidate, reason="same name"):
    return MatchProposal.objects.create(
        actor=entry, actor_slug=entry.slug, candidate=candidate, reason=reason, listed_as="OFAC 90001"
    )


def test_accepting_moves_every_record_names_and_ids_to_the_candidate_and_deletes_the_entry(editor):
    candidate = ActorFactory(
        slug="komid", kind="organization", name="KOREA MINING DEVELOPMENT TRADING CORPORATION", country=None
    )
    candidate.aliases = ["KOMID"]
    candidate.identifiers = {"un_ref": "KPe.001", "addresses": ["Pyongyang"]}
    candidate.save()
    entry = ActorFactory(
        slug="komid-ofac",
        kind="organization",
        name="Korea Mining Development Trading Corporation",
        aliases=["KOMID", "CHANGGWANG SINYONG CORPORATION"],
        identifiers={"ofac_uid": "90001", "un_ref": "KPe.999", "addresses": ["Central District, Pyongyang"]},
        country=country("KP"),
        role="Arms dealer",
    )
    designation = DesignationFactory(actor=entry, reference="90001")
    supplied = TransferFactory(supplier_actor=entry)
    received = TransferFactory(recipient_actor=entry, supplier=country("RU"), recipient=country("KP"))
    claim = ClaimFactory(claimant_actor=entry)
    statement = StatementFactory(speaker=entry)
    event = EventFactory()
    event.participants.add(entry)
    proposal = proposal_between(entry, candidate)
    version = read_version("default")

    accept(proposal, editor)

    assert not Actor.objects.filter(pk=entry.pk).exists()
    candidate.refresh_from_db()
    # The entry's name is an alias (compared without case); the alias both had is kept once.
    assert candidate.aliases == ["KOMID", "CHANGGWANG SINYONG CORPORATION"]
    # Ids joined; where both give one, the stored actor's stands; lists of both kept.
    assert candidate.identifiers == {
        "un_ref": "KPe.001",
        "ofac_uid": "90001",
        "addresses": ["Pyongyang", "Central District, Pyongyang"],
    }
    # What it lacked, it takes from the entry.
    assert (candidate.country.iso2, candidate.role) == ("KP", "Arms dealer")
    for record, field in (
        (designation, "actor_id"),
        (supplied, "supplier_actor_id"),
        (received, "recipient_actor_id"),
        (claim, "claimant_actor_id"),
        (statement, "speaker_id"),
    ):
        record.refresh_from_db()
        assert getattr(record, field) == candidate.pk, record
    assert list(event.participants.all()) == [candidate]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.actor, proposal.actor_slug) == (
        "accepted",
        editor,
        None,
        "komid-ofac",
    )
    assert proposal.decided_at is not None
    # History: the deleted actor's last record says why, and who did it; the moved records too.
    gone = Actor.history.filter(id=entry.pk).latest("history_date")
    assert (gone.history_type, gone.history_user, gone.history_change_reason) == (
        "-",
        editor,
        f"merged komid-ofac into komid (match proposal {proposal.pk})",
    )
    assert designation.history.latest("history_date").history_change_reason.startswith("merged komid-ofac")
    assert proposal.history.latest("history_date").status == "accepted"
    # Derived counts follow, and cached answers do not outlive the merge.
    assert tallies.differences() == []
    assert read_version("default") > version


def test_a_merged_designation_makes_the_candidates_transfers_designated_party_findings(editor):
    """The list entry's actor carries the designation, the stored actor the transfer: apart, no
    finding; one actor, the transfer's supplier is designated."""
    candidate = ActorFactory(slug="example-trading", kind="company", name="Example Trading", country=country("KP"))
    entry = ActorFactory(slug="example-trading-ofac", kind="company", name="EXAMPLE TRADING", country=country("CN"))
    designation = DesignationFactory(actor=entry, reference="KPe.900", listed_on=D(2022, 6, 1))
    MeasureFactory(
        regime=designation.regime, code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[]
    )
    transfer = TransferFactory(
        category="other", supplier_actor=candidate, started_on=D(2024, 3, 1), ended_on=D(2024, 3, 31)
    )
    # And one the entry supplied: designated before, still designated after, under its new name.
    other = TransferFactory(category="other", supplier_actor=entry, started_on=D(2024, 5, 1), ended_on=D(2024, 5, 31))
    assert not Finding.objects.filter(transfer=transfer).exists()
    assert Finding.objects.get(transfer=other).kind == "designated_party"
    assert DesignationTally.objects.get(country=country("CN"), year=2022).designations == 1

    accept(proposal_between(entry, candidate), editor)

    finding = Finding.objects.get(transfer=transfer)
    assert (finding.kind, finding.designation_id, finding.targets) == ("designated_party", designation.pk, "supplier")
    assert any("Example Trading" in reason for reason in finding.reasons)
    assert Finding.objects.get(transfer=other).designation_id == designation.pk
    assert findings_are_the_rules()
    # The designation is counted under its new actor's country.
    assert tallies.differences() == []
    assert not DesignationTally.objects.filter(country=country("CN"), designations__gt=0).exists()


def test_a_decided_proposal_is_not_decided_again(editor):
    candidate = ActorFactory(slug="a", name="Alpha Trading", kind="company")
    entry = ActorFactory(slug="b", name="ALPHA TRADING", kind="company")
    proposal = proposal_between(entry, candidate)
    reject(proposal, editor)
    with pytest.raises(DecisionRefused, match=r"already decided \(Rejected: two actors by editor on "):
        accept(proposal, editor)
    with pytest.raises(DecisionRefused, match="already decided"):
        reject(proposal, editor)
    assert Actor.objects.filter(slug__in=["a", "b"]).count() == 2
    proposal.refresh_from_db()
    assert proposal.status == "rejected"


def test_only_who_may_change_actors_decides(django_user_model):
    reader = django_user_model.objects.create_user("reader", is_staff=True)
    proposal = proposal_between(ActorFactory(slug="b", kind="company"), ActorFactory(slug="a", kind="company"))
    with pytest.raises(PermissionDenied):
        accept(proposal, reader)
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_the_other_proposals_about_the_merged_actor_follow_it(editor):
    candidate = ActorFactory(slug="candidate", kind="company", name="Candidate Co")
    entry = ActorFactory(slug="entry", kind="company", name="CANDIDATE CO")
    third = ActorFactory(slug="third", kind="company", name="Candidate Company")
    accepted = proposal_between(entry, candidate)
    about_entry = proposal_between(entry, third, reason="an alias in common only")
    entry_as_candidate = proposal_between(third, entry)
    candidate_to_entry = proposal_between(candidate, entry)

    accept(accepted, editor)

    about_entry.refresh_from_db()
    assert (about_entry.actor, about_entry.actor_slug, about_entry.candidate, about_entry.status) == (
        candidate,
        "entry",
        third,
        "proposed",
    )
    # (third ~ entry) is now (third ~ candidate): still a question.
    entry_as_candidate.refresh_from_db()
    assert (entry_as_candidate.candidate, entry_as_candidate.status) == (candidate, "proposed")
    # (candidate ~ entry) is answered by the merge itself.
    candidate_to_entry.refresh_from_db()
    assert (candidate_to_entry.candidate, candidate_to_entry.status, candidate_to_entry.decided_by) == (
        candidate,
        "accepted",
        editor,
    )


def test_a_vessel_takes_the_entrys_imo_number_and_flags_when_it_has_none(editor):
    candidate = ActorFactory(slug="chon-myong", kind="vessel", name="CHON MYONG 1", country=None)
    entry = ActorFactory(
        slug="chon-myong-uk",
        kind="vessel",
        name="CHON MYONG 1",
        imo="8712362",
        flags=[{"country": "KP", "from": None, "to": None}],
    )
    accept(proposal_between(entry, candidate), editor)
    candidate.refresh_from_db()
    assert (candidate.imo, candidate.flags) == ("8712362", [{"country": "KP", "from": None, "to": None}])


# --- from the lists: the UN list, then OFAC's, which names KOMID without citing its UN reference


def import_both(tmp_path):
    import_un_list(UN_SAMPLE.read_bytes(), name="un.xml")
    files = tmp_path / "ofac"
    if not files.exists():
        shutil.copytree(DATA / "ofac_komid", files)
    call_command("import_ofac_sdn", str(files), verbosity=0)


def test_an_accepted_list_entry_is_one_actor_and_a_reimport_keeps_it_so(tmp_path, editor):
    import_both(tmp_path)
    proposal = MatchProposal.objects.get(listed_as="OFAC 90001")
    komid = proposal.candidate
    accept(proposal, editor)
    # KPe.001 on the UN list and entry 90001 under OFAC's two programs: one actor's designations.
    assert sorted(komid.designations.values_list("regime__code", "reference")) == [
        ("UN-1718", "KPe.001"),
        ("US-DPRK", "90001"),
        ("US-NPWMD", "90001"),
    ]
    komid.refresh_from_db()
    assert komid.identifiers["ofac_uid"] == "90001" and komid.identifiers["un_ref"] == "KPe.001"
    # Both lists again: the OFAC entry is found by its number on the merged actor; nothing new.
    before = row_counts()
    import_both(tmp_path)
    assert row_counts() == before
    assert MatchProposal.objects.filter(status="proposed").count() == 1  # the other pair, still waiting
    assert not Actor.objects.filter(identifiers__ofac_uid="90001").exclude(pk=komid.pk).exists()
    assert findings_are_the_rules() and tallies.differences() == []


def test_a_rejected_list_entry_stays_apart_and_is_not_proposed_again(tmp_path, editor):
    import_both(tmp_path)
    proposal = MatchProposal.objects.get(listed_as="OFAC 90001")
    reject(proposal, editor)
    actors = Actor.objects.count()
    import_both(tmp_path)
    assert Actor.objects.count() == actors
    assert MatchProposal.objects.count() == 2
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert Designation.objects.get(reference="90001", regime__code="US-DPRK").actor == proposal.actor
