"""The public pages as a journalist uses them, in Chromium against the live server with the
demo data loaded: every page loads cleanly, the network draws the graph API's answer and
follows its filters, the timeline and the vote matrix show what they should, the pages work
from the keyboard, and one reading path from a search to a transfer's claims and findings."""

import re

import pytest
from django.core.management import call_command
from django.test import TransactionTestCase
from playwright.sync_api import expect

# No django_db mark: the tests only read, and share the demo data loaded once (``site``).
pytestmark = pytest.mark.browser

MISSILES = "kp-ru-ballistic-missiles-2023"

# Every public page (name of its screenshot, address).
PAGES = [
    ("home", "/"),
    ("country-RU", "/countries/RU/"),
    ("country-KP", "/countries/KP/"),
    ("transfer-missiles", f"/transfers/{MISSILES}/"),
    ("transfers", "/transfers/"),
    ("transfers-filtered", "/transfers/?country=KP&category=missiles"),
    ("resolution-1718", "/resolutions/1718/"),
    ("draft-S-2024-255", "/resolutions/S-2024-255/"),
    ("regime-UN-1718", "/regimes/UN-1718/"),
    ("actor-vladimir-putin", "/actors/vladimir-putin/"),
    ("network", "/network/"),
    ("network-filtered", "/network/?category=missiles&start=2023-01-01&end=2024-12-31"),
    ("search-missile", "/search/?q=missile"),
]


class DemoSite(TransactionTestCase):
    """What one transactional test with ``serialized_rollback`` does, stretched over the module:
    the migrated data restored before, every table flushed after."""

    serialized_rollback = True
    databases = {"default"}


@pytest.fixture(autouse=True)
def _live_server_helper():
    """Replaces pytest-django's fixture of this name, which makes every test that uses the live
    server a transactional one: the database flushed after each (seconds on PostgreSQL), and the
    demo data loaded again before the next. ``site`` does its work once for the module."""
    yield


@pytest.fixture(scope="module")
def site(chromium, live_server, django_db_blocker):
    """The live server with the demo data committed (the server's thread reads it), for the
    module's tests; the database back to its migrated state afterwards."""
    with django_db_blocker.unblock():
        DemoSite.setUpClass()
        case = DemoSite(methodName="__init__")
        case._pre_setup()
        live_server._live_server_modified_settings.enable()  # its host in ALLOWED_HOSTS
        try:
            call_command("load_demo", verbosity=0)
            yield live_server
        finally:
            live_server._live_server_modified_settings.disable()
            case._post_teardown()
            DemoSite.tearDownClass()


@pytest.fixture(scope="module")
def context(chromium, site):
    """One browser context for the module: the public pages set no cookie a test could leave
    behind for the next."""
    context = chromium.new_context(base_url=site.url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    yield context
    context.close()


class Watched:
    """A page whose console errors, uncaught exceptions, failed requests and error responses
    are recorded."""

    def __init__(self, page):
        self.page = page
        self.problems = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        page.on(
            "requestfailed",
            lambda r: self.problems.append(f"request failed: {r.method} {r.url} ({r.failure})"),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.request.method} {r.url}"),
        )


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()


def follow(page, locator):
    """Click a link (or button) and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        locator.click()


def drawn_edges(page):
    return {
        tuple(edge)
        for edge in page.eval_on_selector_all(
            "#network path.edge", "paths => paths.map(p => [p.dataset.kind, p.dataset.source, p.dataset.target])"
        )
    }


def graph(page, query=""):
    """The graph API's answer, asked with the page's own request context."""
    response = page.request.get(f"/api/v1/graph/{query}")
    assert response.status == 200, response.text()
    return response.json()


# Every link of a page to this site (the fragment dropped), and its links within the page
# whose target is missing.
LINKS = """() => {
    const here = location.pathname + location.search;
    const links = [...document.querySelectorAll("a[href]")].map(a => new URL(a.getAttribute("href"), location.href));
    return {
        site: links.filter(u => u.origin === location.origin && u.pathname + u.search !== here)
            .map(u => u.pathname + u.search),
        missing: links.filter(u => u.origin === location.origin && u.pathname + u.search === here && u.hash)
            .map(u => u.hash).filter(h => !document.getElementById(decodeURIComponent(h.slice(1)))),
    };
}"""


def test_every_public_page_loads_without_errors(page, page_screenshot):
    watched = Watched(page)
    failures = {}
    linked = {}
    for name, url in PAGES:
        watched.problems.clear()
        response = page.goto(url)
        page_screenshot(page, name)
        problems = list(watched.problems)
        if response.status != 200:
            problems.insert(0, f"status {response.status}")
        if page.locator("main#main h1").count() != 1:
            problems.append("no single h1 in main")
        links = page.evaluate(LINKS)
        problems += [f"link to a missing anchor: {anchor}" for anchor in links["missing"]]
        for link in links["site"]:
            linked.setdefault(link, url)
        if problems:
            failures[url] = problems
    for _, url in PAGES:  # loaded above
        linked.pop(url, None)
    # No link from these pages to the site is broken (the API's included).
    for link, on in linked.items():
        status = page.request.get(link).status
        if status != 200:
            failures.setdefault(on, []).append(f"link to {link}: status {status}")
    assert not failures, failures


def test_the_network_draws_the_graph_and_follows_the_category_filter(page, page_screenshot):
    page.goto("/network/")
    api = graph(page)
    ids = {node["id"] for node in api["nodes"]}
    assert {"KP", "RU"} <= ids
    drawn = set(page.eval_on_selector_all("#network .node", "nodes => nodes.map(n => n.dataset.id)"))
    assert drawn == ids
    for node in ("KP", "RU"):
        expect(page.locator(f'#network .node[data-id="{node}"]')).to_be_visible()
    api_transfers = {(e["source"], e["target"]) for e in api["edges"] if e["kind"] == "transfer"}
    before = drawn_edges(page)
    assert {(s, t) for kind, s, t in before if kind == "transfer"} == api_transfers
    # Both directions carry transfers in the demo data: the filter has something to remove.
    assert {("transfer", "KP", "RU"), ("transfer", "RU", "KP")} <= before

    # Choosing a category redraws at once (site.js submits the form on change).
    with page.expect_navigation():
        page.select_option("#network-filters select[name=category]", label="Missiles")
    assert "category=missiles" in page.url
    page_screenshot(page, "network-missiles")
    after = drawn_edges(page)
    assert after != before
    transfers = {(s, t) for kind, s, t in after if kind == "transfer"}
    # The only missiles transfer of the demo data goes from the DPRK to Russia.
    assert transfers == {("KP", "RU")}
    missiles = graph(page, "?category=missiles")
    assert transfers == {(e["source"], e["target"]) for e in missiles["edges"] if e["kind"] == "transfer"}
    assert set(page.eval_on_selector_all("#network .node", "nodes => nodes.map(n => n.dataset.id)")) == {
        node["id"] for node in missiles["nodes"]
    }
    for title in page.locator("#network path.edge.transfer title").all_text_contents():
        assert "(missiles)" in title, title

    follow(page, page.locator("#network-filters").get_by_role("link", name="Reset"))
    assert drawn_edges(page) == before


def test_the_russian_timeline_marks_the_state_visit_of_june_2024(page):
    page.goto("/countries/RU/")
    mark = page.locator('figure.timeline svg .mark-events[data-date="2024-06-18"]')
    expect(mark).to_have_count(1)
    expect(mark.locator("title")).to_contain_text("state visit to the DPRK")
    mark.scroll_into_view_if_needed()
    expect(mark).to_be_visible()
    # Inside the picture, and not covered by anything: the point at its centre is the mark's.
    box, picture = mark.bounding_box(), page.locator("figure.timeline svg").bounding_box()
    assert box["width"] > 0 and box["height"] > 0
    assert picture["x"] <= box["x"] and box["x"] + box["width"] <= picture["x"] + picture["width"]
    assert picture["y"] <= box["y"] and box["y"] + box["height"] <= picture["y"] + picture["height"]
    hit = page.evaluate(
        """([x, y]) => {
            const mark = document.querySelector('figure.timeline .mark-events[data-date="2024-06-18"]');
            return mark.contains(document.elementFromPoint(x, y));
        }""",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit


def test_the_vote_matrix_shows_russia_turning_from_yes_to_veto(page):
    page.goto("/regimes/UN-1718/")
    matrix = page.locator("table.matrix")
    columns = matrix.locator("thead th").all_text_contents()
    ru = columns.index("RU")  # the row header is cell 0, as is the "Resolution" header

    def cell(symbol):
        row = matrix.locator("tbody tr").filter(has=page.locator("th a", has_text=re.compile(f"^{re.escape(symbol)}$")))
        expect(row).to_have_count(1)
        return row.locator("th, td").nth(ru)

    veto, yes = cell("S/2024/255"), cell("S/RES/2397 (2017)")
    expect(veto).to_have_class(re.compile(r"\bvote-veto\b"))
    expect(veto).to_have_attribute("title", "Russian Federation: veto")
    expect(yes).to_have_class(re.compile(r"\bvote-yes\b"))
    expect(yes).to_have_text("Y")

    def background(cell):
        return cell.evaluate("c => getComputedStyle(c).backgroundColor")

    assert background(veto) != background(yes)
    assert background(veto) not in ("rgba(0, 0, 0, 0)", "transparent")


def test_the_pages_work_from_the_keyboard(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to the content")
    expect(skip).to_be_visible()  # shown once focused
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # The network's countries are links a keyboard reaches, and they lead to the country.
    page.goto("/network/")
    countries = set(page.eval_on_selector_all("#network .node-country", "nodes => nodes.map(n => n.dataset.id)"))
    assert {"KP", "RU"} <= countries
    expect(page.locator("#network a.node-link[href]")).to_have_count(len(countries))

    def focused():
        return page.evaluate(
            "() => { const a = document.activeElement.closest('a.node-link[href]');"
            " return a && a.querySelector('.node').dataset.id }"
        )

    reached = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        reached.add(focused())
        if countries <= reached:
            break
    assert countries <= reached, reached
    for _ in range(len(countries)):
        if focused() == "RU":
            break
        page.keyboard.press("Shift+Tab")
    assert focused() == "RU"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/countries/RU/")
    expect(page.locator("h1")).to_contain_text("Russian Federation")


def test_a_journalist_goes_from_a_search_to_who_alleges_and_who_denies(page, page_screenshot):
    page.goto("/")
    page.fill("#site-search", "Russia")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=Russia" in page.url
    follow(
        page,
        page.locator("section", has=page.locator("h2", has_text="Countries")).get_by_role(
            "link", name="Russian Federation"
        ),
    )
    expect(page.locator("h1")).to_contain_text("Russian Federation")
    follow(page, page.locator("#transfers table.transfers").get_by_role("link", name=MISSILES, exact=True))
    assert page.url.endswith(f"/transfers/{MISSILES}/")
    page_screenshot(page, "journalist-transfer")

    columns = page.locator("#claims .columns > div")
    alleges = columns.filter(has=page.locator("h3", has_text="For:"))
    denies = columns.filter(has=page.locator("h3", has_text="Against:"))
    expect(alleges.locator("article.claim")).to_have_count(4)
    assert sorted(alleges.locator("article.claim .stance").all_text_contents()) == [
        "alleges",
        "alleges",
        "alleges",
        "corroborates",
    ]
    expect(alleges.locator("article.claim.stance-alleges h4").first).to_contain_text("United States")
    expect(denies.locator("article.claim")).to_have_count(2)
    expect(denies.locator("article.claim .stance")).to_have_text(["denies", "denies"])
    deniers = denies.locator("article.claim h4").all_inner_texts()
    assert any("Russian Federation" in d for d in deniers) and any("Korea" in d for d in deniers), deniers

    finding = page.locator("#findings article.finding").filter(
        has=page.locator("h3 a", has_text=re.compile("^UN-1718$"))
    )
    expect(finding.first).to_be_visible()
    row = finding.first.locator("table.votes-behind tbody tr").filter(
        has=page.locator("td a", has_text=re.compile(r"^S/RES/1718 \(2006\)$"))
    )
    expect(row).to_have_count(1)
    headers = finding.first.locator("table.votes-behind thead th").all_text_contents()
    russia = next(i for i, h in enumerate(headers) if h.startswith("Russian Federation"))
    expect(row.locator("td").nth(russia).locator(".vote")).to_have_text("yes")
    expect(row.locator("td").nth(russia).locator(".vote")).to_have_class(re.compile(r"\bvote-yes\b"))
