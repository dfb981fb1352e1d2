"""import_data: full validation, every error reported, all or nothing, idempotent upserts."""

import copy

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.actors.models import Actor
from apps.ingest.loader import load as loader_passes
from apps.ingest.loader import load_records
from apps.ingest.services.readers import FileSource
from apps.resolutions.models import Resolution
from apps.sanctions.models import Authority, Designation, Measure
from apps.transfers.models import Claim, Transfer
from tests.factories import TransferFactory
from tests.ingest.conftest import STORY, row_counts, story_objects

pytestmark = pytest.mark.django_db


def run(*args):
    call_command("import_data", *[str(a) for a in args], verbosity=0)


def test_story_loads_with_forward_references_history_and_bookkeeping(editor):
    run(STORY, "--user", editor.username)
    missiles = Transfer.objects.get(reference="kp-ru-missiles-2023")
    # The claims come before their transfer in the file; the exchange points forward too.
    assert list(missiles.in_exchange_for.values_list("reference", flat=True)) == ["ru-kp-fuel-2024"]
    assert Claim.objects.filter(transfer=missiles).count() == 2
    assert missiles.recipient.iso2 == "RU"  # "ru" in the file
    assert Resolution.objects.filter(symbol="S/RES/1718 (2006)").exists()  # written "S/RES/1718(2006)"
    assert Designation.objects.get().reference == "KPe.001"  # trimmed
    assert list(Measure.objects.get().provisions.values_list("paragraph", flat=True)) == ["8(b)"]
    assert missiles.version == 1 and missiles.created_at and missiles.updated_at
    assert missiles.created_by == editor and missiles.updated_by == editor
    record = missiles.history.get()
    assert record.history_type == "+" and record.history_user == editor
    assert record.history_change_reason.startswith("import_data")


STORY_RECORDS = len(story_objects())


@pytest.mark.parametrize(
    ("keep", "reads_wanted"),
    [(0, 2), (STORY_RECORDS - 1, 2), (STORY_RECORDS, 1), (loader_passes.KEEP_RECORDS, 1)],
    ids=[
        "large load: read twice",
        "one record more than kept: read twice",
        "as many records as kept: read once",
        "small load: read once",
    ],
)
def test_a_load_reads_its_files_once_when_small_and_twice_when_large_with_the_same_result(
    keep, reads_wanted, monkeypatch
):
    """A load of up to ``KEEP_RECORDS`` records is kept in memory and its files read once; one
    record more and the files are read again to apply them. Either way the same rows are written."""
    monkeypatch.setattr(loader_passes, "KEEP_RECORDS", keep)
    reads = []
    records = FileSource.records
    monkeypatch.setattr(FileSource, "records", lambda self: reads.append(self.name) or records(self))
    assert load_records([FileSource(STORY)]).ok
    assert len(reads) == reads_wanted
    missiles = Transfer.objects.get(reference="kp-ru-missiles-2023")
    assert list(missiles.in_exchange_for.values_list("reference", flat=True)) == ["ru-kp-fuel-2024"]
    assert Claim.objects.filter(transfer=missiles).count() == 2
    assert Transfer.objects.count() == sum(o["model"] == "transfers.transfer" for o in story_objects())


def test_loading_the_same_file_twice_changes_nothing(editor):
    run(STORY, "--user", editor.username)
    before = row_counts()
    stamps = list(Transfer.objects.values_list("reference", "updated_at", "version"))
    run(STORY, "--user", editor.username)
    assert row_counts() == before
    assert list(Transfer.objects.values_list("reference", "updated_at", "version")) == stamps


def test_a_corrected_file_updates_only_what_changed(editor, write_fixture):
    run(STORY)
    objects = story_objects()
    corrected = copy.deepcopy(objects)
    fuel = next(o for o in corrected if o["fields"].get("reference") == "ru-kp-fuel-2024")
    fuel["fields"]["status"] = "corroborated"
    fuel["fields"]["via"] = [["CN"]]
    before = row_counts()
    report = load_records([FileSource(write_fixture(corrected))], user=editor)
    assert report.ok
    assert (report.counts["transfers.transfer"].updated, report.counts["transfers.transfer"].unchanged) == (1, 1)
    assert sum(c.updated for c in report.counts.values()) == 1
    fuel = Transfer.objects.get(reference="ru-kp-fuel-2024")
    assert fuel.status == "corroborated" and fuel.version == 2 and fuel.updated_by == editor
    assert list(fuel.via.values_list("iso2", flat=True)) == ["CN"]
    assert fuel.history.first().history_type == "~"
    after = row_counts()
    assert after["transfers.transfer history"] == before["transfers.transfer history"] + 1
    assert Transfer.objects.get(reference="kp-ru-missiles-2023").version == 1


def test_a_load_that_changes_two_records_counts_two_updates(write_fixture):
    run(STORY)
    corrected = copy.deepcopy(story_objects())
    for record in corrected:
        if record["model"] == "transfers.transfer":
            record["fields"]["description"] = "Described again."
    report = load_records([FileSource(write_fixture(corrected))])
    assert report.ok
    assert (report.counts["transfers.transfer"].updated, report.counts["transfers.transfer"].unchanged) == (2, 0)


def test_a_load_that_changes_only_a_transfers_links_is_counted_as_an_update(editor, write_fixture, capsys):
    """Only the countries a transfer went through (``via``, many-to-many) differ from what is
    stored: the summary says one update, and the transfer gets a new version and history row."""
    run(STORY)
    objects = story_objects()
    next(o for o in objects if o["fields"].get("reference") == "ru-kp-fuel-2024")["fields"]["via"] = [["CN"]]
    path = write_fixture(objects)
    call_command("import_data", str(path), "--dry-run")
    assert "transfers.transfer: 0 would create, 1 would update, 1 unchanged" in capsys.readouterr().out
    call_command("import_data", str(path), "--user", editor.username)
    assert "transfers.transfer: 0 created, 1 updated, 1 unchanged" in capsys.readouterr().out
    fuel = Transfer.objects.get(reference="ru-kp-fuel-2024")
    assert list(fuel.via.values_list("iso2", flat=True)) == ["CN"]
    assert (fuel.version, fuel.updated_by, fuel.history.first().history_type) == (2, editor, "~")


def test_records_made_after_a_load_take_keys_past_the_loaded_ones(write_fixture):
    """The loader hands out its rows' keys before it writes them (``loader.ids``): the
    database's own key generator must know, so that a record made after the load, through the
    models or by a second load, takes a key no loaded row holds."""
    TransferFactory(reference="made-before")
    run(write_fixture([_transfer(f"loaded-{n}") for n in range(3)]))
    loaded = set(Transfer.objects.filter(reference__startswith="loaded-").values_list("pk", flat=True))
    made = TransferFactory(reference="made-after")
    run(write_fixture([_transfer(f"loaded-again-{n}") for n in range(2)], "again.json"))
    again = set(Transfer.objects.filter(reference__startswith="loaded-again-").values_list("pk", flat=True))
    before = Transfer.objects.get(reference="made-before").pk
    assert len(loaded) == 3 and len(again) == 2
    assert before < min(loaded) and max(loaded) < made.pk < min(again)
    assert Transfer.objects.count() == 7


def test_a_load_that_drops_a_link_deletes_it_and_keeps_the_others(editor, write_fixture):
    """A transfer loaded through China and Mongolia, then loaded again through Mongolia only:
    the China row goes, the Mongolia one stays (the same row, not written again), and the
    next load of the same file changes nothing."""
    transfer = _transfer("through-two", via=[["CN"], ["MN"]])
    run(write_fixture([transfer]))
    kept = Transfer.objects.get(reference="through-two").via.through.objects.get(country__iso2="MN").pk
    transfer["fields"]["via"] = [["MN"]]
    path = write_fixture([transfer], "fewer.json")
    report = load_records([FileSource(path)], user=editor)
    assert report.ok and report.counts["transfers.transfer"].updated == 1
    loaded = Transfer.objects.get(reference="through-two")
    assert list(loaded.via.values_list("iso2", flat=True)) == ["MN"]
    assert loaded.via.through.objects.get(transfer=loaded).pk == kept
    again = load_records([FileSource(path)], user=editor)
    assert (again.counts["transfers.transfer"].updated, again.counts["transfers.transfer"].unchanged) == (0, 1)


def test_references_may_point_forward_across_files(write_fixture):
    objects = story_objects()
    transfers = [o for o in objects if o["model"] != "transfers.claim"]
    claims = [o for o in objects if o["model"] == "transfers.claim"]
    # The claims' file comes first and refers to transfers in the second file.
    run(write_fixture(claims, "a.json"), write_fixture(transfers, "b.json"))
    assert Claim.objects.count() == 2


def test_dry_run_reports_per_model_and_writes_nothing(capsys):
    before = row_counts()
    call_command("import_data", str(STORY), "--dry-run")
    out = capsys.readouterr().out
    assert "transfers.transfer: 2 would create, 0 would update, 0 unchanged" in out
    assert "Dry run: nothing was written." in out
    assert row_counts() == before
    run(STORY)
    call_command("import_data", str(STORY), "--dry-run")
    assert "transfers.transfer: 0 would create, 0 would update, 2 unchanged" in capsys.readouterr().out


def test_unknown_user_is_refused():
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        run(STORY, "--user", "nobody")


def _transfer(reference, **fields):
    return {
        "model": "transfers.transfer",
        "fields": {"reference": reference, "supplier": ["KP"], "recipient": ["RU"], "category": "missiles", **fields},
    }


BAD_OBJECTS = {
    "unknown country": (_transfer("t", supplier=["XX"]), "transfers.transfer.supplier: unknown geo.country ['XX']"),
    "unknown key": (
        {
            "model": "transfers.claim",
            "fields": {
                "reference": "c",
                "transfer": ["nope"],
                "stance": "alleges",
                "claimant_country": ["US"],
                "source": ["https://www.reuters.com/world/kirby-2024-01-04"],
            },
        },
        "transfers.claim.transfer: unknown transfers.transfer ['nope']",
    ),
    "bad choice": (
        _transfer("t", category="rockets"),
        "transfers.transfer.category: Value 'rockets' is not a valid choice.",
    ),
    "bad date": (
        _transfer("t", started_on="2024-13-01"),
        "transfers.transfer.started_on: “2024-13-01” value has the correct format",
    ),
    "unknown field": (_transfer("t", colour="red"), "transfers.transfer.colour: unknown field"),
    "links not a list": (_transfer("t", via="CN"), "transfers.transfer.via: must be a list of natural keys"),
    "a list for a single value": (
        _transfer("t", quantity_low=[1, 2]),
        "transfers.transfer.quantity_low: must be a single value, not list [1, 2]",
    ),
    "unknown model": ({"model": "foo.bar", "fields": {}}, "foo.bar: unknown model 'foo.bar'"),
    "missing natural key": (
        {"model": "transfers.transfer", "fields": {"supplier": ["KP"]}},
        "the natural key field 'reference' is missing",
    ),
    "supplier is recipient": (
        _transfer("t", recipient=["KP"]),
        "transfers.transfer.recipient: The supplier and the recipient must be different countries.",
    ),
    "ended before started": (
        _transfer("t", started_on="2024-03-01", ended_on="2024-01-01"),
        "transfers.transfer.ended_on: ended_on (2024-01-01) is before started_on (2024-03-01).",
    ),
    "quantity high below low": (
        _transfer("t", quantity_low=10, quantity_high=5),
        "transfers.transfer.quantity_high: quantity_high (5) is below quantity_low (10).",
    ),
    "country_a is country_b": (
        {
            "model": "relations.relationship",
            "fields": {"reference": "r", "kind": "alliance", "country_a": ["RU"], "country_b": ["ru"], "title": "x"},
        },
        "relations.relationship.country_b: country_a and country_b must be different countries.",
    ),
    "delisted before listed": (
        {
            "model": "sanctions.designation",
            "fields": {
                "regime": ["UN-1718"],
                "actor": ["komid"],
                "reference": "X",
                "listed_on": "2020-01-01",
                "delisted_on": "2019-01-01",
            },
        },
        "sanctions.designation.delisted_on: delisted_on (2019-01-01) is before listed_on (2020-01-01).",
    ),
    "claim without claimant": (
        {
            "model": "transfers.claim",
            "fields": {
                "reference": "c",
                "transfer": ["kp-ru-missiles-2023"],
                "stance": "alleges",
                "source": ["https://www.reuters.com/world/kirby-2024-01-04"],
            },
        },
        "transfers.claim.claimant_country: A claim names a claimant: a country, an actor or both.",
    ),
    "covers a non-category": (
        {
            "model": "sanctions.measure",
            "fields": {
                "regime": ["UN-1718"],
                "code": "m",
                "kind": "arms_embargo",
                "direction": "both",
                "covers": ["guns"],
            },
        },
        "sanctions.measure.covers: Not transfer categories: 'guns'.",
    ),
    "vetoed draft with a number": (
        {"model": "resolutions.resolution", "fields": {"symbol": "S/2099/1", "outcome": "vetoed", "number": 5}},
        "resolutions.resolution.number: A draft that was vetoed has no resolution number.",
    ),
    "second vote of a country": (
        {
            "model": "resolutions.vote",
            "fields": {"resolution": ["S/RES/1718(2006)"], "country": ["ru"], "position": "no"},
        },
        "resolutions.vote: duplicate natural key ['S/RES/1718 (2006)', 'RU'], first at",
    ),
    "lower-case country code stored": (
        {"model": "geo.country", "fields": {"iso2": "Q1", "name": "Nowhere"}},
        "geo.country: iso2 must be two upper-case letters.",
    ),
}


@pytest.mark.parametrize("kind", BAD_OBJECTS)
def test_import_rejects_bad_object_reports_it_and_writes_nothing(kind, write_fixture):
    bad, message = BAD_OBJECTS[kind]
    # The bad object comes after the whole (valid) story, which must not be written either.
    path = write_fixture(story_objects() + [bad])
    before = row_counts()
    report = load_records([FileSource(path)])
    assert [str(e) for e in report.errors if message in str(e)], [str(e) for e in report.errors]
    assert all(f"{path}, object 20" in str(e) for e in report.errors)
    assert row_counts() == before


def test_every_bad_field_of_a_record_is_reported_not_only_the_first(write_fixture, capsys):
    path = write_fixture([_transfer("t", via="CN", quantity_low=[1, 2])])
    with pytest.raises(CommandError, match="2 error"):
        run(path)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{path}, object 1: transfers.transfer.via: must be a list of natural keys"
    assert err[1] == f"{path}, object 1: transfers.transfer.quantity_low: must be a single value, not list [1, 2]"


def test_a_record_as_dumpdata_writes_it_loads_its_content_and_keeps_the_loaders_bookkeeping(write_fixture):
    """``dumpdata`` writes the bookkeeping fields (when made, by whom, the version) among a
    record's fields; they are ignored wherever they come, and the fields after them are read."""
    fields = {"created_at": "2020-01-01T00:00:00Z", "version": 7, "updated_by": None}
    record = _transfer("t")
    record["fields"] = {**fields, **record["fields"]}
    run(write_fixture([record]))
    transfer = Transfer.objects.get(reference="t")
    assert (transfer.category, transfer.supplier.iso2, transfer.version) == ("missiles", "KP", 1)
    assert transfer.created_at.year > 2020


@pytest.mark.parametrize("empty", [None, ""])
def test_an_empty_cell_or_null_for_links_clears_them_and_for_a_reference_leaves_it_unset(write_fixture, empty):
    """A CSV's empty cell (``""``) or a JSON ``null`` for a many-to-many field means no links,
    and for a foreign key no record: neither is an error."""
    run(write_fixture([_transfer("t", via=[["CN"]])]))
    assert list(Transfer.objects.get(reference="t").via.values_list("iso2", flat=True)) == ["CN"]
    run(write_fixture([_transfer("t", via=empty, supplier_actor=empty)]))
    transfer = Transfer.objects.get(reference="t")
    assert (list(transfer.via.all()), transfer.supplier_actor) == ([], None)


def test_an_empty_cell_is_no_value_where_a_field_may_be_empty_and_an_error_at_the_field_where_not(
    write_fixture, capsys
):
    """A CSV's empty cell for a number or a date that may be empty stores nothing (NULL); a
    null or an empty cell for a field that must have a value is that field's error."""
    run(write_fixture([_transfer("t", started_on="", quantity_low="", quantity_high=5)]))
    transfer = Transfer.objects.get(reference="t")
    assert (transfer.started_on, transfer.quantity_low, transfer.quantity_high) == (None, None, 5)
    resolution = {"symbol": "S/RES/9999 (2099)", "outcome": "adopted", "number": 9999}
    path = write_fixture(
        [{"model": "resolutions.resolution", "fields": {**resolution, "chapter_vii": None, "adopted_without_vote": ""}}]
    )
    with pytest.raises(CommandError, match="2 error"):
        run(path)
    assert capsys.readouterr().err.splitlines() == [
        f"{path}, object 1: resolutions.resolution.chapter_vii: This field cannot be null.",
        f"{path}, object 1: resolutions.resolution.adopted_without_vote: This field cannot be blank.",
    ]


def test_a_value_of_the_wrong_type_is_its_fields_error_and_the_records_other_errors_are_reported_too(
    write_fixture, capsys
):
    """A number where a date belongs breaks Django's parsing with a ``TypeError``, not a
    validation error: the field is still reported as invalid, and the record's other fields are
    still checked."""
    path = write_fixture([_transfer("t", started_on=5, category="rockets")])
    with pytest.raises(CommandError, match="2 error"):
        run(path)
    assert sorted(capsys.readouterr().err.splitlines()) == [
        f"{path}, object 1: transfers.transfer.category: Value 'rockets' is not a valid choice.",
        f"{path}, object 1: transfers.transfer.started_on: “5” value has an invalid date format. "
        "It must be in YYYY-MM-DD format.",
    ]


def test_a_missing_reference_is_an_error_at_its_field_and_an_unknown_one_is_reported_once(write_fixture, capsys):
    """A record without a reference it must have (a transfer's supplier), or with an empty
    cell for it, is refused at that field; one whose reference names no record gets that error
    alone, not also a missing one, and its other references are still checked."""
    missing = _transfer("a")
    del missing["fields"]["supplier"]
    unknown = _transfer("b", supplier=["XX"])
    del unknown["fields"]["recipient"]
    path = write_fixture([missing, unknown, _transfer("c", supplier="")])
    with pytest.raises(CommandError, match="4 error"):
        run(path)
    assert capsys.readouterr().err.splitlines() == [
        f"{path}, object 1: transfers.transfer.supplier: This field cannot be null.",
        f"{path}, object 2: transfers.transfer.supplier: unknown geo.country ['XX'] (not in the database or this load)",
        f"{path}, object 2: transfers.transfer.recipient: This field cannot be null.",
        f"{path}, object 3: transfers.transfer.supplier: This field cannot be null.",
    ]
    assert not Transfer.objects.exists()


def test_a_loaded_authority_that_does_not_say_whom_it_binds_binds_as_its_kind_does(write_fixture):
    """The model's own defaults apply to a loaded record as to one saved in the admin: an
    intergovernmental authority binds all states, a national one its own jurisdiction."""
    run(
        write_fixture(
            [
                {"model": "sanctions.authority", "fields": {"code": "AU-X", "name": "A", "kind": "intergovernmental"}},
                {"model": "sanctions.authority", "fields": {"code": "NA-X", "name": "N", "kind": "national"}},
            ]
        )
    )
    binds = dict(Authority.objects.filter(code__endswith="-X").values_list("code", "binds"))
    assert binds == {"AU-X": "all_states", "NA-X": "own_jurisdiction"}


def test_a_key_or_reference_that_cannot_be_read_is_refused_saying_why_at_its_field(write_fixture):
    """A reference written with a hole in it (``[null]``), with a list inside the list, as
    ``true``, or with more parts than the key of the record it points to, and a record's own
    key left empty or written as a list: each is refused at its record and field, saying
    why, and nothing is written. None of them is taken for another key (``"None"``, ``"True"``)."""
    objects = [
        _transfer("a", supplier=[None]),
        _transfer("b", supplier=[["KP"]]),
        _transfer("c", supplier=True),
        {
            "model": "resolutions.vote",
            "fields": {"resolution": ["S/RES/1718 (2006)", "8(b)"], "country": ["RU"], "position": "yes"},
        },
        _transfer(""),
        _transfer(["d"]),
    ]
    path = write_fixture(objects)
    before = row_counts()
    report = load_records([FileSource(path)])
    assert [str(e) for e in report.errors] == [
        f"{path}, object 1: transfers.transfer.supplier: [None] is not a natural key",
        f"{path}, object 2: transfers.transfer.supplier: [['KP']] is not a natural key",
        f"{path}, object 3: transfers.transfer.supplier: True is not a natural key",
        f"{path}, object 4: resolutions.vote.resolution: ['S/RES/1718 (2006)', '8(b)'] is not a natural key "
        "of resolutions.resolution (1 part(s))",
        f"{path}, object 5: transfers.transfer.reference: the natural key field 'reference' is missing",
        f"{path}, object 6: transfers.transfer.reference: reference must be a single value",
    ]
    assert row_counts() == before


def test_a_record_that_is_not_one_of_a_models_is_refused_saying_why(write_fixture, tmp_path):
    """A record whose model is blank, whose fields are not an object, or which has a field its
    model does not have (the message lists the fields the model has, to correct the spelling
    by) is refused, saying why. A line of JSON Lines that cannot be read does not hide the
    records after it: they are checked too."""
    path = write_fixture(
        [
            {"model": " ", "fields": {}},
            {"model": "transfers.transfer", "fields": ["reference", "t"]},
            {
                "model": "sanctions.authority",
                "fields": {"code": "EU", "name": "European Union", "kind": "intergovernmental", "colour": "blue"},
            },
        ]
    )
    lines = tmp_path / "more.jsonl"
    lines.write_text('{oops\n{"model": "transfers.transfer", "fields": []}\n', encoding="utf-8")
    before = row_counts()
    report = load_records([FileSource(path), FileSource(lines)])
    assert [str(e) for e in report.errors] == [
        f"{path}, object 1: unknown model ''",
        f"{path}, object 2: transfers.transfer: 'fields' must be an object",
        f"{path}, object 3: sanctions.authority.colour: unknown field "
        "(fields: code, name, kind, country, binds, members)",
        f"{lines}, line 1: malformed JSON: Expecting property name enclosed in double quotes at column 2",
        f"{lines}, line 2: transfers.transfer: 'fields' must be an object",
    ]
    assert row_counts() == before


def test_the_progress_bar_counts_up_to_the_number_of_records(capsys):
    """import_data on a terminal shows a progress bar: it goes up to the number of records in
    the files, the story's 19 (not one more, nor one less)."""
    assert load_records([FileSource(STORY)], progress=True).ok
    assert f"| {STORY_RECORDS}/{STORY_RECORDS} [" in capsys.readouterr().err


def test_a_load_told_nothing_else_shows_no_progress_and_writes_its_history_as_an_import(capsys):
    """``load_records``' defaults, which the official lists' matching and the upload's dry run
    rely on: no progress bar on the terminal, and each history record's reason "import"."""
    assert load_records([FileSource(STORY)]).ok
    assert capsys.readouterr().err == ""
    missiles = Transfer.objects.get(reference="kp-ru-missiles-2023")
    assert missiles.history.get().history_change_reason == "import"


def test_a_dry_run_gives_every_new_record_of_every_model_a_key_no_stored_row_has():
    """A dry run hands each new record a placeholder key (``placeholder_pks``): negative, so
    that no check takes it for a stored row's, and one per record, for the second model of the
    load and those after it as for the first."""
    load = loader_passes.Load(sources=[FileSource(STORY)], dry_run=True)
    loader_passes.scan(load)
    new = {spec: [key for key in keys if key not in load.pk_of[spec]] for spec, keys in load.in_load.items()}
    loader_passes.allocate(load)
    placeholders = {spec.label: [load.pk_of[spec][key] for key in keys] for spec, keys in new.items() if keys}
    assert len(placeholders) >= 3, placeholders
    for keys in placeholders.values():
        assert all(pk < 0 for pk in keys) and len(set(keys)) == len(keys), placeholders


def test_every_error_is_reported_with_file_object_model_and_field(write_fixture, capsys):
    path = write_fixture([_transfer("a", supplier=["XX"]), _transfer("b", category="rockets"), _transfer("c")])
    with pytest.raises(CommandError, match="2 error"):
        run(path)
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{path}, object 1: transfers.transfer.supplier: unknown geo.country")
    assert err[1].startswith(f"{path}, object 2: transfers.transfer.category: Value 'rockets'")
    assert not Transfer.objects.exists()


def test_a_record_refused_by_the_scan_does_not_hide_the_errors_of_the_records_after_it(write_fixture, capsys):
    """A record the first pass refuses (here, of no model) is skipped when the records are
    applied; the records after it are still validated and their errors reported."""
    path = write_fixture(
        [{"model": "foo.bar", "fields": {}}, _transfer("b", category="rockets"), _transfer("c", category="bombs")]
    )
    with pytest.raises(CommandError, match="3 error"):
        run(path)
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{path}, object 1: foo.bar: unknown model 'foo.bar'")
    assert err[1].startswith(f"{path}, object 2: transfers.transfer.category: Value 'rockets'")
    assert err[2].startswith(f"{path}, object 3: transfers.transfer.category: Value 'bombs'")
    assert not Transfer.objects.exists()


def test_one_bad_object_among_a_thousand_writes_nothing(write_fixture):
    objects = [_transfer(f"t-{n}") for n in range(1000)]
    objects[637]["fields"]["quantity_low"] = -4
    before = row_counts()
    report = load_records([FileSource(write_fixture(objects))], batch_size=100)
    assert [str(e) for e in report.errors] == [
        f"{report.errors[0].location.file}, object 638: transfers.transfer.quantity_low: "
        "Ensure this value is greater than or equal to 0."
    ]
    assert row_counts() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", '[{"model": "geo.country", "fields": {}},\n {"model": ', "malformed JSON: Expecting value"),
        ("bad.json", '{"model": "geo.country"}', "a fixture is a JSON array of objects"),
        ("bad.jsonl", '{"model": "actors.actor", "fields": {"slug": "a"}}\n{oops\n', "line 2: malformed JSON"),
        ("bad.yaml", "- model: actors.actor\n  fields: {slug: [a\n", "malformed YAML"),
        ("actors.actor.csv", 'slug,kind,name\n"a,person,A\n', "malformed CSV"),
        ("actors.actor.csv", "slug,kind,nom\na,person,A\n", "actors.actor.nom: unknown column"),
        ("actors.actor.csv", "slug,kind,name\na,person\n", "line 2: actors.actor: the row has 2 cells, the header 3"),
        ("people.csv", "slug,kind,name\na,person,A\n", "cannot tell the model of this CSV file"),
    ],
)
def test_malformed_files_are_reported_and_nothing_is_written(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    # A valid file in the same load is not written either.
    good = tmp_path / "good.jsonl"
    good.write_text('{"model": "actors.actor", "fields": {"slug": "ok", "kind": "person", "name": "OK"}}\n')
    report = load_records([FileSource(good), FileSource(path)])
    assert any(message in str(e) for e in report.errors), [str(e) for e in report.errors]
    assert not Actor.objects.exists()


def test_csv_files_with_compound_keys_and_lists_load(tmp_path):
    run(STORY)
    measures = tmp_path / "sanctions.measure.csv"
    measures.write_text(
        "regime,code,kind,direction,covers,provisions,started_on,description\n"
        'UN-1718,luxury-ban,luxury_goods_ban,imports_to_target,luxury_goods; other,S/RES/1718(2006)|8(b),2006-10-14,"Luxury, goods"\n',
        encoding="utf-8",
    )
    actors = tmp_path / "people.csv"
    actors.write_text(
        'slug,kind,name,aliases,country,identifiers\nkim,person,Kim,"K; KJU",kp,"{""un_ref"": ""KPi.1""}"\n'
    )
    run(measures)
    call_command("import_data", str(actors), "--model", "actors.actor", verbosity=0)
    measure = Measure.objects.get(code="luxury-ban")
    assert measure.covers == ["luxury_goods", "other"] and measure.description == "Luxury, goods"
    assert [p.paragraph for p in measure.provisions.all()] == ["8(b)"]
    kim = Actor.objects.get(slug="kim")
    assert (kim.aliases, kim.country.iso2, kim.identifiers) == (["K", "KJU"], "KP", {"un_ref": "KPi.1"})
    run(measures)  # idempotent
    assert Measure.objects.get(code="luxury-ban").version == 1


def test_yaml_and_json_lines_fixtures_load(tmp_path, write_fixture):
    yaml_file = tmp_path / "actors.yaml"
    yaml_file.write_text("- model: actors.actor\n  fields:\n    slug: kim\n    kind: person\n    name: Kim Jong Un\n")
    run(yaml_file, write_fixture(story_objects(), "story.jsonl"))
    assert Actor.objects.filter(slug__in=["kim", "komid"]).count() == 2


def _count_queries(objects, write_fixture, name):
    path = write_fixture(objects, name)
    with CaptureQueriesContext(connection) as queries:
        report = load_records([FileSource(path)], batch_size=1000)
    assert report.ok, report.errors
    # A table the load grew by a tenth is analysed (two statements per table, however many
    # objects: test_a_load_that_grows_a_table_by_a_tenth_has_it_analysed_before_anything_reads_it).
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith("ANALYZE") and "FROM pg_class" not in q["sql"]
    ]
    if connection.vendor == "sqlite":
        # Django splits a bulk INSERT under SQLite's limit of 999 parameters a statement.
        statements = [sql for sql in statements if not sql.startswith("INSERT")]
    return len(statements)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite inserts in bulk")
def test_on_postgresql_a_load_writes_new_rows_links_and_their_history_with_copy_not_insert(write_fixture):
    """The loader's speed (within a few times ``COPY``, docs/benchmarks.md) rests on writing
    new rows, their many-to-many links and the history of both with ``COPY``."""
    from apps.common.history import link_history_model

    via = Transfer._meta.get_field("via")
    tables = {
        Transfer._meta.db_table,
        Transfer.history.model._meta.db_table,
        via.remote_field.through._meta.db_table,
        link_history_model(via)._meta.db_table,
    }
    path = write_fixture([_transfer(f"copied-{i}", via=[["CN"]]) for i in range(3)])
    with CaptureQueriesContext(connection) as queries:
        report = load_records([FileSource(path)])
    assert report.ok, report.errors
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert not [sql for sql in inserts if any(f'"{table}"' in sql for table in tables)], inserts
    transfers = Transfer.objects.filter(reference__startswith="copied-")
    assert sorted(transfers.values_list("via__iso2", flat=True)) == ["CN", "CN", "CN"]
    assert Transfer.history.filter(reference__startswith="copied-").count() == 3


def test_queries_do_not_grow_with_the_number_of_objects(write_fixture):
    def objects(n, prefix):
        return [_transfer(f"{prefix}-{i}", via=[["CN"]], sources=[]) for i in range(n)]

    # One query per model and batch: the same for 10 objects as for 300.
    assert _count_queries(objects(10, "small"), write_fixture, "small.json") == _count_queries(
        objects(300, "large"), write_fixture, "large.json"
    )
    # Reloading (all unchanged) reads in bulk too, and writes nothing.
    with CaptureQueriesContext(connection) as queries:
        load_records([FileSource(write_fixture(objects(300, "large"), "large.json"))], batch_size=1000)
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def _planned_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples, (SELECT count(*) FROM pg_statistic WHERE starelid = %s::regclass) "
            "FROM pg_class WHERE oid = %s::regclass",
            [table, table],
        )
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's statistics are PostgreSQL's")
def test_a_load_that_grows_a_table_by_a_tenth_has_it_analysed_before_anything_reads_it():
    """A load that adds as many rows as autovacuum waits for (50, and a tenth of the table)
    has the table analysed in its own transaction, so that the statements that follow (its
    findings, the next reader) are planned for the rows it holds; a small one does not."""
    from apps.ingest.loader.load import RecordList
    from apps.ingest.services.records import Location, Record

    def sources(first, count):
        return RecordList(
            Record(
                "evidence.source",
                {"url": f"https://example.org/report-{i}", "title": f"Report {i}", "kind": "report"},
                Location("test", f"object {i}"),
            )
            for i in range(first, first + count)
        )

    assert load_records([sources(0, 30)]).ok
    assert _planned_rows("evidence_source")[1] == 0  # 30 rows: not analysed
    assert load_records([sources(30, 120)]).ok
    rows, columns = _planned_rows("evidence_source")
    assert rows == 150 and columns > 0
