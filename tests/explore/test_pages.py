"""The public pages (issue #13): each renders for the demo data with its facts on it, shows
published records only, links to the same data in the API, and runs a fixed number of
queries whatever the number of records."""

import datetime
import html
import re

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from apps.common import kept
from apps.explore.pages import resolution_slug
from apps.resolutions.models import Resolution
from apps.transfers.models import Transfer
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DesignationFactory,
    TransferFactory,
    country,
)

MISSILES = "/transfers/kp-ru-ballistic-missiles-2023/"
PAGES = {
    "home": "/",
    "country": "/countries/RU/",
    "transfer": MISSILES,
    "transfer list": "/transfers/?supplier=KP&recipient=RU",
    "resolution": "/resolutions/1718/",
    "draft": "/resolutions/S-2024-255/",
    "regime": "/regimes/UN-1718/",
    "actor": "/actors/john-kirby/",
    "network": "/network/",
    "search": "/search/?q=missile",
    "embargoes": "/embargoes/",
}


@pytest.fixture
def demo(demo_data_module):
    """The demo data, loaded once for the module's read-only tests and rolled back afterwards."""


def text_of(response):
    """The page's text without its tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


# --- facts on the pages --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_kp_page_lists_the_un_1718_regime_and_the_transfers_with_russia(demo, client):
    page = get(client, "/countries/KP/")
    html = page.content.decode()
    assert 'href="/regimes/UN-1718/"' in html
    assert "On North Korea" in text_of(page) or "On Korea" in text_of(page)
    assert f'href="{MISSILES}"' in html
    assert 'href="/api/v1/countries/KP/profile/"' in html


@pytest.mark.django_db
def test_the_ru_page_shows_its_vetoes_of_s_2022_431_and_s_2024_255_marked_as_vetoes(demo, client):
    html = get(client, "/countries/RU/").content.decode()
    for slug, symbol in (("S-2022-431", "S/2022/431"), ("S-2024-255", "S/2024/255")):
        row = re.search(rf'<tr class="is-veto">\s*<td><a href="/resolutions/{slug}/">{symbol}</a>.*?</tr>', html, re.S)
        assert row, symbol
        assert 'class="vote vote-veto"' in row.group(0)
    # The mirror view: resolutions it voted for that its transfers are alleged to break.
    findings = html[html.index('id="findings"') : html.index('id="sanctions"')]
    assert 'href="/resolutions/1718/"' in findings
    assert MISSILES in findings


@pytest.mark.django_db
def test_the_missiles_page_shows_who_alleges_who_denies_and_the_findings_with_the_votes(demo, client):
    page = get(client, MISSILES)
    html = page.content.decode()
    claims_for, claims_against = html.split("<h3>Against", 1)
    claims_for = claims_for[claims_for.index("<h3>For") :]
    claims_against = claims_against[: claims_against.index('id="findings"')]
    assert "John Kirby" in claims_for and "alleges" in claims_for
    assert "Panel of Experts" in claims_for and "corroborates" in claims_for
    assert "denies" in claims_against and "Russian Federation" in claims_against
    assert "John Kirby" not in claims_against
    findings = html[html.index('id="findings"') :]
    assert "Breach" in findings and "UN-1718" in findings and "arms-export-ban" in findings
    # Russia's vote on 1718 in the finding's table of votes, and the finding's reasons in words.
    row = re.search(r'<a href="/resolutions/1718/">S/RES/1718 \(2006\)</a></td>(.*?)</tr>', findings, re.S)
    assert row and re.findall(r"vote-(\w+)", row.group(1))[1] == "yes"
    assert "The transfer is corroborated." in text_of(page)


@pytest.mark.django_db
def test_a_placeholder_source_address_is_shown_as_text_and_a_real_one_as_a_link(demo, client):
    """The demo's example article has no address of its own (a ``.invalid`` placeholder,
    which never resolves): its title shows without a link that would lead nowhere."""
    html = get(client, "/transfers/ru-kp-military-technology-2023/").content.decode()
    assert "Putin calls Pyongyang a committed and like-minded supporter" in html
    assert 'href="https://seed-article.invalid' not in html
    assert '<a href="https://en.yna.co.kr/view/AEN20231014000400315" rel="external">' in html


@pytest.mark.django_db
def test_no_public_page_shows_a_file_path_or_an_editors_note(demo, client):
    """A source is cited as a reader would cite it: its ``editor_note`` (how it was found, what
    it lacks) is for the admin only, and no page names a file of the machine it was made on."""
    from apps.evidence.models import Source

    notes = [note for note in Source.objects.exclude(editor_note="").values_list("editor_note", flat=True)]
    assert notes, "the demo's example article carries an editor's note"
    sitemaps = re.findall(r"<loc>[^<]*?(/sitemap-[a-z-]+\.xml)</loc>", get(client, "/sitemap.xml").content.decode())
    paths = {"/", "/search/?q=putin", *(f"/countries/{iso2}/" for iso2 in ("KP", "RU", "US", "KR", "UA"))}
    for sitemap in sitemaps:
        if "countries" not in sitemap:
            paths |= set(re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>", get(client, sitemap).content.decode()))
    assert len(paths) > 40
    for path in sorted(paths):
        page = html.unescape(get(client, path).content.decode())
        for leak in ("article.txt", "shared/seed", *(note[:60] for note in notes)):
            assert leak not in page, (path, leak)
        # Nor a path into a folder beside the repository, whatever its name.
        outside = re.search(r"\.\./[\w.-]+/", page)
        assert outside is None, (path, outside and outside.group())
    source = Source.objects.get(url__startswith="https://seed-article.invalid/")
    answer = client.get(f"/api/v1/sources/{source.pk}/").json()
    assert "editor_note" not in answer and answer["title"].startswith("Putin calls Pyongyang")
    # Nor can the note be probed through a filter: there is none on it, so the list is whole.
    probed = client.get("/api/v1/sources/", {"editor_note__icontains": "no-such-note", "editor_note": "x"}).json()
    assert probed["count"] == Source.objects.count()


@pytest.mark.django_db
def test_a_resolution_page_shows_every_vote_its_provisions_and_the_measures_on_it(demo, client):
    resolution = Resolution.objects.get(number=1718)
    html = get(client, "/resolutions/1718/").content.decode()
    assert html.count('<span class="vote vote-') == resolution.votes.count() == 15
    assert "8(b)" in html
    assert "arms-export-ban" in html and 'href="/regimes/UN-1718/"' in html
    assert f'href="/api/v1/resolutions/{resolution.pk}/"' in html


@pytest.mark.django_db
def test_a_draft_resolution_is_found_by_its_symbol_with_dashes_and_names_who_vetoed_it(demo, client):
    page = get(client, "/resolutions/S-2024-255/")
    assert "vetoed by Russian Federation" in text_of(page)
    assert resolution_slug(Resolution.objects.get(symbol="S/2024/255")) == "S-2024-255"
    assert client.get("/resolutions/S-2024-999/").status_code == 404
    assert client.get("/resolutions/99999/").status_code == 404


@pytest.mark.django_db
def test_the_regime_page_has_its_measures_designations_and_a_vote_matrix_with_russias_turn(demo, client):
    html = get(client, "/regimes/UN-1718/").content.decode()
    assert "refined-petroleum-cap" in html and "arms-export-ban" in html
    matrix = html[html.index('<table class="matrix">') : html.index("</table>", html.index('<table class="matrix">'))]
    columns = re.findall(r'<abbr title="[^"]+">(\w\w)</abbr>', matrix)
    rows = {
        symbol: re.findall(r'<td class="vote-(\w+)"', cells)
        for symbol, cells in re.findall(r">(S/[^<]+)</a>.*?</th>(.*?)</tr>", matrix, re.S)
    }
    russia = columns.index("RU")
    assert rows["S/RES/2397 (2017)"][russia] == "yes"
    assert rows["S/2024/255"][russia] == "veto"
    assert rows["S/2022/431"][columns.index("CN")] == "veto"
    assert "designation" in text_of(get(client, "/regimes/UN-1718/"))


@pytest.mark.django_db
def test_the_actor_page_lists_designations_and_statements(demo, client):
    text = text_of(get(client, "/actors/john-kirby/"))
    assert "John Kirby" in text
    assert "Alleges" in text and "kp-ru-ballistic-missiles-2023" in text


@pytest.mark.django_db
def test_search_finds_countries_resolutions_and_transfers(demo, client):
    text = text_of(get(client, "/search/?q=Russia"))
    assert "Russian Federation" in text
    assert "kp-ru-ballistic-missiles-2023" in text_of(get(client, "/search/?q=ballistic"))
    assert "S/RES/1718 (2006)" in text_of(get(client, "/search/?q=1718"))
    assert "No match." in text_of(get(client, "/search/?q=zzzz-nothing"))


@pytest.mark.django_db
def test_the_network_draws_every_country_of_the_graph_and_filters_by_category(demo, client):
    graph = client.get("/api/v1/graph/").json()
    html = get(client, "/network/").content.decode()
    drawn = set(re.findall(r'data-id="([^"]+)"', html))
    assert drawn == {node["id"] for node in graph["nodes"]} and {"KP", "RU"} <= drawn
    edges = set(re.findall(r'data-kind="transfer" data-source="(\w+)" data-target="(\w+)"', html))
    assert edges == {("KP", "RU"), ("RU", "KP")}
    # Missiles went from the DPRK to Russia only; "fuel" takes its leaves (refined petroleum).
    missiles = get(client, "/network/?category=missiles").content.decode()
    assert set(re.findall(r'data-kind="transfer" data-source="(\w+)" data-target="(\w+)"', missiles)) == {("KP", "RU")}
    fuel = get(client, "/network/?category=fuel").content.decode()
    assert set(re.findall(r'data-kind="transfer" data-source="(\w+)" data-target="(\w+)"', fuel)) == {("RU", "KP")}
    assert 'href="/transfers/?supplier=KP&amp;recipient=RU&amp;category=missiles"' in missiles
    bad = client.get("/network/?start=2024-01-01&end=2023-01-01")
    assert bad.status_code == 200 and "before its start" in bad.content.decode()


@pytest.mark.django_db
def test_the_country_timeline_shows_the_june_2024_visit(demo, client):
    html = get(client, "/countries/RU/").content.decode()
    mark = re.search(r'<g class="mark mark-events kind-state_visit" data-date="2024-06-18">(.*?)</g>', html, re.S)
    assert mark and "state visit to the DPRK" in mark.group(1)


@pytest.mark.django_db
def test_the_transfer_list_filters_by_country_category_and_status(demo, client):
    text = text_of(get(client, "/transfers/?country=KP&category=arms&status=corroborated"))
    assert "kp-ru-ballistic-missiles-2023" in text
    assert "kp-ru-troops-2024" not in text and "ru-kp-pantsir-2024" not in text
    assert client.get("/transfers/?page=99").status_code == 404


@pytest.mark.django_db
def test_every_page_is_public_cacheable_and_links_to_the_api(demo, client):
    for name, url in PAGES.items():
        response = get(client, url)
        assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"], name
        links = re.findall(r'href="(/api/v1/[^"]*)"', response.content.decode())
        assert links, name
        for api in links:
            assert client.get(html.unescape(api)).status_code == 200, (name, api)
    assert client.post("/").status_code == 405


@pytest.mark.django_db
def test_the_sitemap_lists_the_pages_of_published_records(demo, client):
    with CaptureQueriesContext(connection) as queries:
        index = get(client, "/sitemap.xml").content.decode()
    assert "/sitemap-transfers.xml" in index and "/sitemap-countries.xml" in index
    # Each kind's latest change is one aggregate (on updated_at's index), not a walk of its records.
    latest = Transfer.objects.published().latest("updated_at").updated_at
    assert f"<lastmod>{latest.isoformat()}" in index.replace("+00:00", "Z") or latest.date().isoformat() in index
    assert not any("ORDER BY" in q["sql"] and "transfers_transfer" in q["sql"] for q in queries)
    transfers = get(client, "/sitemap-transfers.xml").content.decode()
    assert MISSILES in transfers
    assert "/resolutions/S-2022-431/" in get(client, "/sitemap-resolutions.xml").content.decode()
    assert "/regimes/UN-1718/" in get(client, "/sitemap-regimes.xml").content.decode()


@pytest.mark.django_db
def test_robots_txt_points_crawlers_to_the_sitemap_and_away_from_the_admin(client):
    robots = get(client, "/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    assert "Disallow: /admin/" in robots and "Disallow: /api/" in robots


@pytest.mark.django_db
def test_pages_of_unknown_records_are_404(demo, client):
    for url in ("/countries/XX/", "/transfers/nothing-here/", "/regimes/NONE/", "/actors/nobody/"):
        assert client.get(url).status_code == 404, url


# --- drafts never appear --------------------------------------------------------------------


@pytest.mark.django_db
def test_drafts_never_appear_on_any_page(client):
    call_command("load_demo", verbosity=0)
    draft = TransferFactory(
        reference="secret-draft-transfer",
        supplier=country("KP"),
        recipient=country("RU"),
        category="missiles",
        started_on=datetime.date(2025, 1, 1),
        ended_on=None,
        items="unpublished draft items",
        review_status="draft",
    )
    ClaimFactory(
        reference="secret-draft-claim",
        transfer=Transfer.objects.get(reference="kp-ru-ballistic-missiles-2023"),
        quote="unpublished draft quote",
        review_status="draft",
    )
    ClaimFactory(reference="claim-on-a-draft", transfer=draft, quote="hangs on a draft", review_status="published")
    cache.clear()
    urls = [
        *PAGES.values(),
        "/countries/KP/",
        "/transfers/",
        "/search/?q=secret",
        "/search/?q=unpublished",
        "/network/?category=missiles",
        "/sitemap-transfers.xml",
    ]
    for url in urls:
        html = get(client, url).content.decode()
        for secret in ("secret-draft", "unpublished draft", "hangs on a draft"):
            assert secret not in html, (url, secret)
    assert client.get("/transfers/secret-draft-transfer/").status_code == 404
    # The draft transfer is counted nowhere: the network's KP → RU edge counts published ones.
    network = get(client, "/network/?category=missiles").content.decode()
    assert "1 transfer (missiles)" in network


@pytest.mark.django_db
def test_a_page_is_rendered_once_until_the_next_write(client):
    call_command("load_demo", verbosity=0)
    cache.clear()
    first = get(client, "/countries/KP/").content
    with CaptureQueriesContext(connection) as queries:
        assert get(client, "/countries/KP/").content == first
    # One query: the data version, read from the database the page would be read from.
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT version FROM common_dataversion WHERE id = 1"]
    TransferFactory(
        reference="new-after-the-first-view",
        supplier=country("RU"),
        recipient=country("KP"),
        started_on=datetime.date(2026, 1, 1),
        ended_on=None,
        review_status="published",
    )
    assert b"new-after-the-first-view" in get(client, "/countries/KP/").content


def kept_pages():
    """The keys of the pages in the answer cache (local memory, as the tests run)."""
    answers = caches["default"]
    assert isinstance(answers, LocMemCache), "the tests count the keys of the in-memory cache"
    return [key for key in list(answers._cache) if ":answer:page:" in key]


@pytest.mark.django_db
def test_three_thousand_tracking_parameters_keep_one_copy_of_the_page(client):
    """A country page reads no query parameter: ``?utm=N`` is served the page of its
    canonical address, and kept once, however many different values come."""
    call_command("load_demo", verbosity=0)
    cache.clear()
    page = get(client, "/countries/RU/").content
    assert "Russian Federation" in page.decode()
    for number in range(3000):
        response = client.get(f"/countries/RU/?utm={number}")
        assert (response.status_code, response.content) == (200, page)
    assert len(kept_pages()) == 1


@pytest.mark.django_db
def test_a_page_reads_its_own_parameters_in_any_order_and_nothing_else(demo, client):
    cache.clear()
    kp_to_ru = get(client, "/transfers/?supplier=KP&recipient=RU").content
    for same in (
        "/transfers/?recipient=RU&supplier=KP&utm_source=mail",
        "/transfers/?supplier=RU&supplier=KP&recipient=RU",
    ):
        assert get(client, same).content == kp_to_ru  # a repeated parameter: its last value, as the form reads it
    assert b"utm_source" not in kp_to_ru
    assert get(client, "/transfers/?supplier=RU").content != kp_to_ru
    categories = get(client, "/network/?category=missiles&category=arms").content
    assert get(client, "/network/?category=arms&category=missiles&category=arms&ref=x").content == categories
    assert get(client, "/search/?q=missile&page=2").content == get(client, "/search/?q=missile").content
    assert len(kept_pages()) == 4  # KP to RU, from RU, the network of two categories, the search


@pytest.mark.django_db
def test_a_kept_page_is_rendered_again_the_next_day(client, monkeypatch):
    """What is ongoing runs to today: a page kept yesterday is not served today."""
    call_command("load_demo", verbosity=0)
    cache.clear()
    get(client, "/countries/KP/")
    monkeypatch.setattr("apps.explore.views.timezone.localdate", lambda: datetime.date(2099, 1, 1))
    with CaptureQueriesContext(connection) as queries:
        get(client, "/countries/KP/")
    assert len(queries) > 0


# --- a fixed number of queries ---------------------------------------------------------------

# The queries of each page on a cold cache (the cached counts and graph computed), measured on
# the demo data and again after more of every record is added: the same count both times. Each
# counts the data version's read (apps/common/dataversion.py) for every kept answer it asks for:
# the page, and on a country page its profile too; a transfer's findings are the stored rows.
# Home reads its transfer and claim counts off the tallies (apps/transfers/tallies.py), a country
# page its profile's counts of findings and designations (and its timeline its recent transfers,
# then the older ones counted by year). A regime page with an arms embargo reads
# its phases, their resolutions, the deliveries, the votes and the findings (apps/explore/embargoes.py).
PAGE_QUERIES = {
    "home": 17,
    "country": 31,
    # Cold: the findings' catalogue of measures read too (apps.transfers.stored), four statements.
    "transfer": 12,
    "transfer list": 5,
    "resolution": 6,
    "draft": 6,
    "regime": 15,
    "actor": 6,
    # The pairs kept under their tables' versions (read in one statement of their own).
    "network": 6,
    # Per kind searched: the candidates found and scored (kept until the next write), their rows.
    "search": 31,
    "embargoes": 6,
}


def count_queries(client, url):
    # Cold: nothing kept in the shared cache nor in this process (the answers a page reads).
    cache.clear()
    kept.store.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_each_page_runs_a_fixed_number_of_queries_whatever_the_number_of_records(client):
    call_command("load_demo", verbosity=0)
    before = {name: count_queries(client, url) for name, url in PAGES.items()}
    kirby = ActorFactory(slug="john-kirby-2", name="John Kirby (2)")
    for day in range(30):
        transfer = TransferFactory(
            reference=f"more-{day}",
            supplier=country("KP"),
            recipient=country("RU"),
            category=["missiles", "munitions", "refined_petroleum"][day % 3],
            started_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=day),
            ended_on=None,
            supplier_actor=kirby,
            review_status="published",
        )
        ClaimFactory(transfer=transfer, stance="alleges", review_status="published")
        ClaimFactory(transfer=transfer, stance="denies", review_status="published")
        DesignationFactory(actor=ActorFactory(country=country("RU")), listed_on=datetime.date(2020 + day % 5, 1, 1))
    after = {name: count_queries(client, url) for name, url in PAGES.items()}
    assert before == after
    assert after == PAGE_QUERIES, after


def section(page, name):
    """The text of the page's section ``name`` (its id)."""
    html = page.content.decode()
    start = html.index(f'<section id="{name}">')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("</section>", start)]))


@pytest.mark.django_db
def test_a_delivery_under_a_cap_is_not_under_which_sanctions_it_would_break(demo, client):
    # A delivery of 2019, a year in which nothing else is recorded: far below the cap.
    fuel = TransferFactory(
        reference="ru-kp-fuel-2019-05",
        supplier=country("RU"),
        recipient=country("KP"),
        category="refined_petroleum",
        quantity_low=1000,
        quantity_high=1000,
        quantity_unit="barrels",
        started_on=datetime.date(2019, 5, 1),
        ended_on=datetime.date(2019, 5, 31),
        review_status="published",
    )
    # Notified by Russia, as 2397 requires: no notification duty is owed.
    ClaimFactory(transfer=fuel, stance="notifies", claimant_country=country("RU"), review_status="published")
    page = get(client, "/transfers/ru-kp-fuel-2019-05/")
    assert "refined-petroleum-cap" not in section(page, "findings")
    assert "Counts toward a cap: UN-1718 refined-petroleum-cap" in section(page, "informing")
    # The 2024 supplies exceed the cap: that is a finding of what it would break.
    exceeded = get(client, "/transfers/ru-kp-refined-petroleum-2024-03/")
    assert "refined-petroleum-cap" in section(exceeded, "findings")
    missiles = get(client, "/transfers/kp-ru-ballistic-missiles-2023/")
    assert "Breach: UN-1718 arms-export-ban" in section(missiles, "findings")
    assert '<section id="informing">' not in missiles.content.decode()


@pytest.mark.django_db
def test_a_resolution_lists_the_measures_resting_on_its_own_provisions_and_a_draft_none(demo, client):
    assert "refined-petroleum-cap" in section(get(client, "/resolutions/2397/"), "measures")
    assert "refined-petroleum-cap" not in section(get(client, "/resolutions/1718/"), "measures")
    assert "arms-export-ban" in section(get(client, "/resolutions/1718/"), "measures")
    assert "None recorded." in section(get(client, "/resolutions/S-2024-255/"), "measures")


@pytest.mark.django_db
def test_a_countrys_timeline_counts_its_earlier_transfers_by_year_as_the_transfers_say():
    """The latest transfers of a country, from both its sides, and the earlier ones by year:
    the years before the last one shown off the tallies, its own year counted up to its day;
    drafts, undated transfers and other countries' transfers left out; kept true by a change."""
    from apps.explore.pages import earlier_transfers_by_year, latest_dated_transfers

    kp, ru, cn = country("NO"), country("SE"), country("FI")
    days = [datetime.date(2019, 5, 1), datetime.date(2019, 5, 1), datetime.date(2021, 3, 1)]
    days += [datetime.date(2023, 1, 1) + datetime.timedelta(days=30 * i) for i in range(12)]
    for i, day in enumerate(days):
        TransferFactory(
            reference=f"kp-{i:02d}",
            supplier=kp if i % 2 else ru,
            recipient=ru if i % 2 else kp,
            started_on=day,
            ended_on=None,
            review_status="published",
        )
    TransferFactory(reference="kp-draft", supplier=kp, recipient=ru, started_on=datetime.date(2019, 1, 1))
    TransferFactory(reference="kp-undated", supplier=kp, recipient=ru, started_on=None, review_status="published")
    TransferFactory(reference="ru-cn", supplier=ru, recipient=cn, started_on=datetime.date(2019, 1, 1))

    def expected(before):
        counted = {}
        mine = Transfer.objects.filter(Q(supplier=kp) | Q(recipient=kp), review_status="published")
        for t in mine.filter(started_on__lt=before):
            counted[t.started_on.year] = counted.get(t.started_on.year, 0) + 1
        return sorted(counted.items())

    latest = latest_dated_transfers(kp, 5)
    assert [t.reference for t in latest] == ["kp-14", "kp-13", "kp-12", "kp-11", "kp-10"]
    before = latest[-1].started_on
    assert before.year == 2023
    assert earlier_transfers_by_year(kp, before) == expected(before) == [(2019, 2), (2021, 1), (2023, 7)]
    Transfer.objects.get(reference="kp-02").delete()
    moved = Transfer.objects.get(reference="kp-00")
    moved.started_on = datetime.date(2020, 2, 2)
    moved.save()
    assert earlier_transfers_by_year(kp, before) == expected(before) == [(2019, 1), (2020, 1), (2023, 7)]
    # A transfer of a later year is not one of the year's, however late it starts.
    TransferFactory(
        reference="kp-next",
        supplier=kp,
        recipient=ru,
        started_on=datetime.date(2024, 2, 1),
        ended_on=None,
        review_status="published",
    )
    assert earlier_transfers_by_year(kp, before) == expected(before) == [(2019, 1), (2020, 1), (2023, 7)]
    # Nor is one of the same year that starts on the day itself.
    TransferFactory(
        reference="kp-same-day", supplier=ru, recipient=kp, started_on=before, ended_on=None, review_status="published"
    )
    assert earlier_transfers_by_year(kp, before) == expected(before) == [(2019, 1), (2020, 1), (2023, 7)]
