"""The history keeps a record's links (many-to-many fields): each historical record holds
the sources, countries and participants as they were, one save makes one record, and the
admin, the API's change feed and the loader all show and write them."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from apps.common.history import link_history_model, links_of, tracked_link_fields
from apps.common.registry import contract_models
from apps.common.roles import EDITORS, REVIEWERS
from apps.evidence.models import Source
from apps.ingest.loader import load_records
from apps.ingest.services.readers import FileSource
from apps.transfers.models import Transfer
from tests import factories as f
from tests.admin.forms import admin_url, open_change_page

pytestmark = pytest.mark.django_db


def linked(record, field="sources"):
    """The pks linked in ``field`` by one historical record."""
    return set(links_of(type(record.instance), [record])[record.history_id][field])


def records_of(obj):
    return list(obj.history.order_by("history_id"))


def staff(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def test_every_many_to_many_field_of_every_model_is_in_its_history():
    for model in contract_models():
        assert {field.name for field in tracked_link_fields(model)} == {f.name for f in model._meta.many_to_many}


def test_links_set_right_after_a_save_belong_to_that_saves_record():
    first, second = f.SourceFactory(), f.SourceFactory()
    transfer = f.TransferFactory()
    transfer.sources.set([first, second])
    [record] = records_of(transfer)
    assert record.history_type == "+"
    assert linked(record) == {first.pk, second.pk}


def test_links_changed_later_make_a_record_of_their_own_and_the_old_one_keeps_its_links():
    first, second = f.SourceFactory(), f.SourceFactory()
    transfer = f.TransferFactory()
    transfer.sources.set([first])
    Transfer.objects.get(pk=transfer.pk).sources.add(second)
    created, updated = records_of(transfer)
    assert linked(created) == {first.pk}
    assert (updated.history_type, linked(updated)) == ("~", {first.pk, second.pk})


def test_links_changed_from_the_other_side_are_recorded_on_the_record_whose_links_changed():
    source = f.SourceFactory()
    transfer = f.TransferFactory()
    source.transfers.add(transfer)
    assert not Source.history.filter(id=source.pk, history_type="~").exists()
    assert linked(records_of(transfer)[-1]) == {source.pk}
    source.transfers.clear()
    assert linked(records_of(transfer)[-1]) == set()
    assert len(records_of(transfer)) == 3


def test_an_admin_save_that_changes_only_the_sources_makes_one_record_and_the_history_page_shows_it(
    django_user_model,
):
    client = staff(django_user_model, "editor", EDITORS)
    old = f.SourceFactory(title="Reuters: missiles")
    new = f.SourceFactory(title="UN panel report")
    transfer = f.TransferFactory()
    transfer.sources.set([old])
    data = open_change_page(client, transfer)
    data["sources"] = [str(old.pk), str(new.pk)]
    assert client.post(admin_url(Transfer, "change", transfer.pk), data).status_code == 302

    created, changed = records_of(transfer)
    assert (changed.history_user.username, changed.version) == ("editor", 2)
    assert linked(changed) == {old.pk, new.pk}
    page = re.sub(r"\s+", " ", client.get(admin_url(Transfer, "history", transfer.pk)).content.decode())
    assert "<td> None </td>" not in page  # an edit without a change reason shows an empty cell
    assert (
        "<strong>Sources:</strong> Reuters: missiles (Example News) &nbsp;&rarr;&nbsp;&nbsp;"
        "Reuters: missiles (Example News), UN panel report (Example News)"
    ) in page


def test_the_refusal_of_a_stale_edit_names_the_sources_the_other_editor_changed(django_user_model):
    mine_client = staff(django_user_model, "editor", EDITORS)
    their_client = staff(django_user_model, "other-editor", EDITORS)
    reuters = f.SourceFactory(title="Reuters: missiles")
    transfer = f.TransferFactory()
    mine = open_change_page(mine_client, transfer)
    theirs = open_change_page(their_client, transfer)
    theirs["sources"] = [str(reuters.pk)]
    assert their_client.post(admin_url(Transfer, "change", transfer.pk), theirs).status_code == 302

    mine["items"] = "KN-23 missiles"
    response = mine_client.post(admin_url(Transfer, "change", transfer.pk), mine)
    message = " ".join(str(e) for e in response.context["adminform"].form.non_field_errors())
    assert "sources: (none) → Reuters: missiles" in message


def test_the_change_feed_lists_changed_links_among_the_changed_fields(django_user_model):
    client = staff(django_user_model, "reviewer", REVIEWERS)
    first = f.SourceFactory(url="https://news.example.org/a")
    f.SourceFactory(url="https://news.example.org/b")
    transfer = f.TransferFactory(reference="feed-links")
    transfer.sources.set([first])
    since = Transfer.history.latest("history_date").history_date
    response = client.patch(
        "/api/v1/transfers/feed-links/",
        json.dumps({"sources": ["https://news.example.org/b"], "items": "shells"}),
        content_type="application/json",
        HTTP_IF_MATCH=client.get("/api/v1/transfers/feed-links/")["ETag"],
    )
    assert response.status_code == 200, response.content
    assert len(records_of(transfer)) == 2
    changes = client.get("/api/v1/changes/", {"since": since.isoformat()}).json()["results"]
    [change] = [c for c in changes if c["model"] == "transfers.transfer"]
    assert set(change["changed_fields"]) == {"items", "sources"}


def write_fixture(tmp_path, name, objects):
    path = tmp_path / name
    path.write_text(json.dumps(objects))
    return path


def source(url):
    return {"model": "evidence.source", "fields": {"url": url, "title": url, "kind": "news"}}


def transfer(sources, via=()):
    return {
        "model": "transfers.transfer",
        "fields": {
            "reference": "loaded-transfer",
            "supplier": "KP",
            "recipient": "RU",
            "category": "missiles",
            "sources": sources,
            "via": list(via),
        },
    }


def test_the_loader_writes_the_links_of_each_history_record(tmp_path):
    a, b = "https://news.example.org/a", "https://news.example.org/b"
    first = write_fixture(tmp_path, "first.json", [source(a), source(b), transfer([a, b], via=["CN"])])
    assert load_records([FileSource(first)]).ok
    loaded = Transfer.objects.get(reference="loaded-transfer")
    [created] = records_of(loaded)
    by_url = dict(Source.objects.values_list("url", "pk"))
    assert linked(created) == {by_url[a], by_url[b]}
    assert linked(created, "via") == {f.country("CN").pk}

    # A corrected file drops a source; the fields it leaves out keep their links.
    corrected = transfer([a])
    del corrected["fields"]["via"]
    second = write_fixture(tmp_path, "second.json", [corrected])
    assert load_records([FileSource(second)]).ok
    created, updated = records_of(loaded)
    assert linked(created) == {by_url[a], by_url[b]}
    assert linked(updated) == {by_url[a]}
    assert linked(updated, "via") == {f.country("CN").pk}
    # The link rows copy the through rows, ids included.
    through = Transfer.sources.through.objects.get(transfer=loaded)
    stored = link_history_model(Transfer._meta.get_field("sources")).objects.get(history=updated)
    assert (stored.id, stored.source_id) == (through.id, by_url[a])


def test_a_past_version_opened_from_the_history_page_shows_the_links_it_had(django_user_model):
    client = staff(django_user_model, "editor", EDITORS)
    then, now = f.SourceFactory(), f.SourceFactory()
    transfer = f.TransferFactory()
    transfer.sources.set([then])
    Transfer.objects.get(pk=transfer.pk).sources.set([now])
    first = records_of(transfer)[0]
    response = client.get(admin_url(Transfer, "simple_history", transfer.pk, first.history_id))
    assert response.status_code == 200
    assert [s.pk for s in response.context["adminform"].form.initial["sources"]] == [then.pk]


def test_small_batches_give_every_history_record_its_own_links(tmp_path):
    """Batches of two objects: new and changed transfers in the same and in different batches."""
    urls = [f"https://news.example.org/{i}" for i in range(4)]

    def numbered(i, sources):
        record = transfer(sources)
        record["fields"]["reference"] = f"batch-{i}"
        return record

    first = [source(url) for url in urls] + [numbered(i, [urls[i]]) for i in range(3)]
    assert load_records([FileSource(write_fixture(tmp_path, "one.json", first))], batch_size=2).ok
    # Transfer 0 keeps its source, 1 gets two, 2 loses it, 3 is new.
    second = [numbered(0, [urls[0]]), numbered(1, [urls[1], urls[3]]), numbered(2, []), numbered(3, [urls[3]])]
    assert load_records([FileSource(write_fixture(tmp_path, "two.json", second))], batch_size=2).ok
    by_url = dict(Source.objects.values_list("url", "pk"))
    latest = {
        t.reference: [linked(r) for r in records_of(t)] for t in Transfer.objects.filter(reference__startswith="batch-")
    }
    assert latest == {
        "batch-0": [{by_url[urls[0]]}],
        "batch-1": [{by_url[urls[1]]}, {by_url[urls[1]], by_url[urls[3]]}],
        "batch-2": [{by_url[urls[2]]}, set()],
        "batch-3": [{by_url[urls[3]]}],
    }
