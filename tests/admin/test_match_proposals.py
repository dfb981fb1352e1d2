"""The editors' queue of match proposals in the admin: waiting ones first, both actors side by
side, and the two decisions, for those who may change actors only."""

import datetime

import pytest
from django.urls import reverse

from apps.actors.models import Actor, MatchProposal
from tests.factories import ActorFactory, DesignationFactory, RegimeFactory, TransferFactory, country

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    candidate = ActorFactory(
        slug="komid",
        kind="organization",
        name="Korea Mining Development Trading Corporation",
        aliases=["KOMID"],
        identifiers={"un_ref": "KPe.001"},
    )
    entry = ActorFactory(
        slug="komid-ofac",
        kind="organization",
        name="KOREA MINING DEVELOPMENT TRADING CORPORATION",
        aliases=["CHANGGWANG SINYONG CORPORATION"],
        identifiers={"ofac_uid": "90001"},
        country=country("KP"),
    )
    DesignationFactory(
        actor=candidate,
        regime=RegimeFactory(code="UN-1718"),
        reference="KPe.001",
        listed_on=datetime.date(2009, 4, 24),
    )
    TransferFactory(reference="komid-transfer", supplier_actor=entry)
    proposal = MatchProposal.objects.create(
        actor=entry, actor_slug=entry.slug, candidate=candidate, reason="same name", listed_as="OFAC 90001"
    )
    return proposal, entry, candidate


def change_url(proposal):
    return reverse("admin:actors_matchproposal_change", args=[proposal.pk])


def test_the_queue_lists_waiting_proposals_first_and_finds_them_by_name(editor_client, pair):
    proposal, _entry, candidate = pair
    decided = MatchProposal.objects.create(
        actor=ActorFactory(slug="other-entry", kind="company", name="Other"),
        actor_slug="other-entry",
        candidate=ActorFactory(slug="other", kind="company", name="Other Co"),
        reason="an alias in common only",
        status="accepted",
    )
    # Decided after the waiting one was proposed: newer, yet listed after it.
    MatchProposal.objects.filter(pk=decided.pk).update(proposed_at=proposal.proposed_at + datetime.timedelta(days=1))
    listing = editor_client.get(reverse("admin:actors_matchproposal_changelist"))
    assert listing.status_code == 200
    assert [p.pk for p in listing.context["cl"].result_list] == [proposal.pk, decided.pk]
    waiting = editor_client.get(reverse("admin:actors_matchproposal_changelist"), {"status__exact": "proposed"})
    assert [p.pk for p in waiting.context["cl"].result_list] == [proposal.pk]
    found = editor_client.get(reverse("admin:actors_matchproposal_changelist"), {"q": "Trading Corporation"})
    assert [p.pk for p in found.context["cl"].result_list] == [proposal.pk]
    # Nobody adds a proposal by hand.
    assert editor_client.get(reverse("admin:actors_matchproposal_add")).status_code == 403


def test_the_change_page_shows_both_actors_side_by_side_read_only(editor_client, pair):
    proposal, entry, candidate = pair
    page = editor_client.get(change_url(proposal))
    assert page.status_code == 200
    html = page.content.decode()
    table = html[html.index('id="side-by-side"') : html.index("</table>", html.index('id="side-by-side"'))]
    for fact in (
        "KOREA MINING DEVELOPMENT TRADING CORPORATION",
        "Korea Mining Development Trading Corporation",
        "CHANGGWANG SINYONG CORPORATION",
        "KOMID",
        "<code>90001</code>",
        "<code>KPe.001</code>",
        "UN-1718 (UN) KPe.001: listed 2009-04-24",
        "1 transfer (supplier actor)",
        reverse("admin:actors_actor_change", args=[entry.pk]),
        reverse("admin:actors_actor_change", args=[candidate.pk]),
        reverse("explore:actor", args=[candidate.slug]),
    ):
        assert fact in table, fact
    assert "Accept: one actor" in html and "Reject: two actors" in html
    # No field of the proposal can be typed in: no save button, no input but the decisions'.
    assert 'name="_save"' not in html
    assert 'name="reason"' not in html


def test_an_editor_accepts_and_the_two_actors_are_one(editor_client, editor, pair):
    proposal, entry, candidate = pair
    response = editor_client.post(reverse("admin:actors_matchproposal_accept", args=[proposal.pk]), follow=True)
    assert response.status_code == 200
    assert "Accepted: komid-ofac is merged into komid, one actor." in response.content.decode()
    assert not Actor.objects.filter(pk=entry.pk).exists()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("accepted", editor)
    assert candidate.transfers_supplied.get().reference == "komid-transfer"
    # The decided proposal shows the entry's actor as merged away, and no buttons.
    html = editor_client.get(change_url(proposal)).content.decode()
    assert "(merged away: no longer stored)" in html
    assert "Accept: one actor" not in html
    # Its history opens.
    assert editor_client.get(reverse("admin:actors_matchproposal_history", args=[proposal.pk])).status_code == 200
    # A second decision is refused with the reason.
    again = editor_client.post(reverse("admin:actors_matchproposal_reject", args=[proposal.pk]), follow=True)
    assert "already decided (Accepted: one actor by editor on" in again.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "accepted"


def test_a_reviewer_rejects_from_the_list_and_the_two_actors_stay(reviewer_client, reviewer, pair):
    proposal, entry, candidate = pair
    response = reviewer_client.post(
        reverse("admin:actors_matchproposal_changelist"),
        {"action": "reject_selected", "_selected_action": [proposal.pk]},
        follow=True,
    )
    assert "Rejected: komid-ofac and komid stay two actors." in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("rejected", reviewer)
    assert Actor.objects.filter(pk__in=[entry.pk, candidate.pk]).count() == 2


def test_a_decision_is_refused_without_the_permission_to_change_actors(client, django_user_model, pair):
    proposal, entry, _candidate = pair
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    client.force_login(staff)
    for decision in ("accept", "reject"):
        url = reverse(f"admin:actors_matchproposal_{decision}", args=[proposal.pk])
        assert client.post(url).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert Actor.objects.filter(pk=entry.pk).exists()


def test_a_decision_is_a_post_with_its_csrf_token(editor, pair):
    from django.test import Client

    proposal, entry, _candidate = pair
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = reverse("admin:actors_matchproposal_accept", args=[proposal.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
