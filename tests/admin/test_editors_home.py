"""The editors' home lists the work waiting, each item a link to the changelist that lists
exactly those records; the changelists' country filters are one drop-down each."""

import re

import pytest
from django.contrib.auth.models import Permission

from apps.actors.models import MatchProposal
from apps.common.choices import ReviewStatus
from apps.transfers.models import Claim, Transfer
from tests import factories as f

pytestmark = pytest.mark.django_db


def waiting_links(client):
    """``{link text: href}`` of the home page's waiting work."""
    html = client.get("/admin/").content.decode()
    section = html[html.index('id="waiting-work"') : html.index('id="data-loads"')]
    return {text: href.replace("&amp;", "&") for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', section)}


def changelist_rows(client, href):
    html = client.get(href).content.decode()
    return re.findall(r'<tr>\s*<td class="action-checkbox">', html) or re.findall(r'class="action-select"', html)


def test_the_admin_is_titled_for_the_project(editor_client):
    html = editor_client.get("/admin/").content.decode()
    assert "<title>Editors&#x27; home | sanctionsdb</title>" in html
    assert "sanctionsdb editors" in html
    assert "Django administration" not in html


def test_the_home_lists_each_kind_of_waiting_work_with_a_link_to_exactly_those_records(editor_client):
    sourced = f.TransferFactory(reference="sourced")
    sourced.sources.add(f.SourceFactory())
    Transfer.objects.filter(pk=sourced.pk).update(review_status=ReviewStatus.PUBLISHED)
    f.TransferFactory(reference="unsourced-draft")
    f.ClaimFactory(reference="no-quote", transfer=sourced, quote="")
    f.ClaimFactory(reference="no-date", transfer=sourced, quote="Said.", made_on=None)
    Claim.objects.update(review_status=ReviewStatus.PUBLISHED)
    links = waiting_links(editor_client)
    expected = {
        "1 transfers in draft": {"unsourced-draft"},
        "1 transfers without a source": {"unsourced-draft"},
        "1 claims without a quote": {"no-quote"},
        "1 claims without a date": {"no-date"},
    }
    assert set(expected) <= set(links), links
    for text, references in expected.items():
        html = editor_client.get(links[text]).content.decode()
        listed = {ref for ref in ("sourced", "unsourced-draft", "no-quote", "no-date") if f">{ref}<" in html}
        assert listed == references, (text, links[text])
    assert not any("claims in draft" in text for text in links)
    html = editor_client.get("/admin/").content.decode()
    assert "0 transfers whose findings are being recomputed" in html


def test_proposals_waiting_for_a_decision_are_listed(editor_client):
    a, b = f.ActorFactory(name="Kim Il"), f.ActorFactory(name="KIM IL")
    MatchProposal.objects.create(actor=b, actor_slug=b.slug, candidate=a, reason="same name", listed_as="UK 1")
    MatchProposal.objects.create(actor=a, actor_slug=a.slug, candidate=b, reason="same name", status="rejected")
    links = waiting_links(editor_client)
    assert links["1 list entries that may be an actor already stored"].endswith("?status__exact=proposed")


def test_what_a_user_may_not_read_is_not_listed(client, django_user_model):
    f.ClaimFactory(reference="no-quote", quote="")
    user = django_user_model.objects.create_user("clerk", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_transfer"))
    client.force_login(user)
    links = waiting_links(client)
    assert "1 transfers in draft" in links
    assert not any("claim" in text for text in links)


def test_a_country_filter_is_one_drop_down_that_keeps_the_search_and_the_other_filters(editor_client):
    f.TransferFactory(reference="kp-to-ru", supplier=f.country("KP"), recipient=f.country("RU"))
    f.TransferFactory(reference="ru-to-kp", supplier=f.country("RU"), recipient=f.country("KP"))
    html = editor_client.get("/admin/transfers/transfer/?q=to&status__exact=alleged").content.decode()
    form = html[html.index('<select name="supplier__id__exact"') :]
    form = form[: form.index("</form>")]
    # Every country is an option of the one drop-down, none a link of its own.
    assert form.count("<option") == 1 + 249
    assert 'href="?supplier__id__exact=' not in html
    page = html[html.index('id="changelist-filter"') :]
    assert '<input type="hidden" name="q" value="to">' in page
    assert '<input type="hidden" name="status__exact" value="alleged">' in page
    russia = f.country("RU").pk
    filtered = editor_client.get(f"/admin/transfers/transfer/?q=to&supplier__id__exact={russia}").content.decode()
    assert ">ru-to-kp<" in filtered and ">kp-to-ru<" not in filtered
    assert f'<option value="{russia}" selected>' in filtered
