"""An editor records the missiles allegation (a transfer and two claims) with the
autocomplete widgets and the claims inline; a reviewer publishes it and finds it with the
changelist filters; the findings panel of a change page reads at a glance."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import Count, Q
from playwright.sync_api import expect

from apps.common.choices import ReviewStatus
from apps.common.roles import EDITORS, REVIEWERS
from apps.transfers.findings import audience_of
from apps.transfers.models import Transfer
from tests import factories as f
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def make_user(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, password="a-long-test-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def log_in(page, username):
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", "a-long-test-password")
    follow(page, "input[type=submit]")
    page.wait_for_selector("#content-main")


def follow(page, selector):
    """Click a link and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        page.click(selector)


def choose(page, select_id, search, option):
    """Pick ``option`` in a single-choice autocomplete after typing ``search``."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search--dropdown .select2-search__field", search)
    page.click(f".select2-container--open .select2-results__option:has-text({option!r})")
    assert option in page.inner_text(f"#{select_id} + .select2 .select2-selection")


def add_choice(page, select_id, search, option):
    """Add ``option`` to a many-to-many autocomplete."""
    page.fill(f"#{select_id} + .select2 .select2-search__field", search)
    page.click(f".select2-container--open .select2-results__option:has-text({option!r})")


def fill_claim(page, index, reference, stance, country, actor, source, made_on, quote):
    prefix = f"id_claims-{index}"
    page.fill(f"#{prefix}-reference", reference)
    page.select_option(f"#{prefix}-stance", stance)
    page.fill(f"#{prefix}-made_on", made_on)
    choose(page, f"{prefix}-claimant_country", country[0], country[1])
    if actor:
        choose(page, f"{prefix}-claimant_actor", actor, actor)
    choose(page, f"{prefix}-source", source, source)
    page.fill(f"#{prefix}-quote", quote)


def test_editor_records_a_transfer_with_two_claims_and_a_reviewer_publishes_it(new_page, screenshot, django_user_model):
    editor = make_user(django_user_model, "editor", EDITORS)
    make_user(django_user_model, "reviewer", REVIEWERS)
    f.SourceFactory(url="https://www.bbc.com/news/articles/putin-kim", title="Putin visits Pyongyang", publisher="BBC")
    f.SourceFactory(url="https://kcnawatch.org/statement", title="KCNA statement", publisher="KCNA")
    f.ActorFactory(slug="john-kirby", name="John Kirby", country=f.country("US"))
    # Published already: what the filters must tell apart.
    f.TransferFactory(
        reference="ru-kp-missile-parts-2023", supplier=f.country("RU"), recipient=f.country("KP"), category="missiles"
    )
    Transfer.objects.update(review_status=ReviewStatus.PUBLISHED)

    # The editor records the allegation.
    page = new_page()
    log_in(page, "editor")
    page.goto("/admin/transfers/transfer/add/")
    page.fill("#id_reference", "kp-ru-ballistic-missiles-2023")
    choose(page, "id_supplier", "Korea", "(KP)")
    choose(page, "id_recipient", "Russian", "Russian Federation (RU)")
    page.select_option("#id_category", "missiles")
    page.fill("#id_items", "KN-23 and KN-24 short-range ballistic missiles")
    page.fill("#id_started_on", "01/11/2023")
    page.fill("#id_ended_on", "31/01/2024")
    page.select_option("#id_date_precision", "month")
    add_choice(page, "id_sources", "Pyongyang", "Putin visits Pyongyang")
    fill_claim(
        page,
        0,
        "us-alleges-kp-missiles",
        "alleges",
        ("United States", "United States (US)"),
        "Kirby",
        "Putin visits",
        "04/01/2024",
        "North Korea has recently provided Russia with ballistic missile launchers and several ballistic missiles.",
    )
    page.click(".add-row a")  # a second claim
    fill_claim(
        page,
        1,
        "kp-denies-missiles",
        "denies",
        ("Korea", "(KP)"),
        None,
        "KCNA",
        "15/01/2024",
        "An absurd paradox.",
    )
    screenshot(page, "01-editor-fills-transfer")
    follow(page, "input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    screenshot(page, "02-editor-saved-transfer")

    transfer = Transfer.objects.get(reference="kp-ru-ballistic-missiles-2023")
    assert transfer.review_status == ReviewStatus.DRAFT and transfer.created_by == editor
    assert (transfer.supplier.iso2, transfer.recipient.iso2, transfer.category) == ("KP", "RU", "missiles")
    assert [c.stance for c in transfer.claims.order_by("made_on")] == ["alleges", "denies"]
    assert transfer.sources.get().publisher == "BBC"

    # The reviewer publishes it.
    page = new_page()
    log_in(page, "reviewer")
    page.goto("/admin/transfers/transfer/?review_status__exact=draft")
    row = page.locator("#result_list tr", has_text="kp-ru-ballistic-missiles-2023")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "publish")
    follow(page, "button[name=index]")
    page.wait_for_selector(".messagelist .success")
    assert "1 transfers marked published" in page.inner_text(".messagelist")
    screenshot(page, "03-reviewer-published")
    transfer.refresh_from_db()
    assert transfer.review_status == ReviewStatus.PUBLISHED

    # And finds it again with the filters of the changelist.
    page.goto("/admin/transfers/transfer/")
    follow(page, "#changelist-filter details[data-filter-title='review status'] a:has-text('Published')")
    # The category and the supplier: one drop-down each, keeping the filters already chosen.
    category = page.locator("#changelist-filter details[data-filter-title=category]")
    category.locator("summary").click()
    category.locator("select").select_option("missiles")
    follow(page, "#changelist-filter details[data-filter-title=category] input[type=submit]")
    supplier = page.locator("#changelist-filter details[data-filter-title=supplier]")
    supplier.locator("summary").click()
    supplier.locator("select").select_option(label="North Korea (KP)")
    follow(page, "#changelist-filter details[data-filter-title=supplier] input[type=submit]")
    assert "review_status__exact=published" in page.url and "category__exact=missiles" in page.url
    assert "supplier__id__exact=" in page.url
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("kp-ru-ballistic-missiles-2023")
    screenshot(page, "04-reviewer-finds-it-with-filters")


def test_second_editor_in_another_browser_is_refused_and_shown_the_first_editors_change(
    new_page, screenshot, django_user_model
):
    make_user(django_user_model, "editor", EDITORS)
    make_user(django_user_model, "other-editor", EDITORS)
    transfer = f.TransferFactory(reference="kp-ru-shells-2023", category="munitions", items="artillery shells")
    change_url = f"/admin/transfers/transfer/{transfer.pk}/change/"

    first, second = new_page(), new_page()
    log_in(first, "editor")
    log_in(second, "other-editor")
    first.goto(change_url)
    second.goto(change_url)

    first.fill("#id_items", "152 mm artillery shells")
    follow(first, "input[name=_save]")
    first.wait_for_selector(".messagelist .success")

    second.fill("#id_description", "Seen on rail cars at Tumangang.")
    follow(second, "input[name=_save]")
    errors = second.locator(".errornote + .errorlist, form .errorlist.nonfield")
    expect(errors.first).to_contain_text("NOT saved")
    # The first editor by name (every refusal says "another editor"), when, and which versions.
    expect(errors.first).to_contain_text(
        re.compile(r"Changed by editor at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ \(version 1 → 2\) after you opened it\.")
    )
    expect(errors.first).to_contain_text("items: artillery shells → 152 mm artillery shells")
    screenshot(second, "05-second-editor-refused")
    transfer.refresh_from_db()
    assert (transfer.items, transfer.description) == ("152 mm artillery shells", "")


def test_the_findings_panel_of_the_demo_transfer_with_the_most_findings_reads_at_a_glance(new_page, django_user_model):
    """One row per finding, its reasons folded under it at the panel's full width: the panel
    fits in about a screen (the reasons were a narrow column several screens long)."""
    call_command("load_demo", verbosity=0)
    editor = make_user(django_user_model, "editor", EDITORS)
    seen = Q(findings__audience__in=audience_of(editor))
    transfers = Transfer.objects.annotate(n=Count("findings", filter=seen))
    transfer = transfers.order_by("-n", "reference").first()
    assert transfer.n >= 2, "the demo data has a transfer with several findings"
    ARTIFACTS.mkdir(exist_ok=True)

    page = new_page()
    log_in(page, "editor")
    page.goto(f"/admin/transfers/transfer/{transfer.pk}/change/")
    fieldset = page.locator("fieldset:has(.field-contraventions)")
    panel = fieldset.locator(".field-contraventions .readonly")
    height = panel.bounding_box()["height"]
    assert height < 1_500, f"the findings panel of {transfer.reference} is {height:.0f} px high"

    findings = panel.locator("tbody.finding")
    expect(findings).to_have_count(transfer.n)
    for index in range(transfer.n):
        finding = findings.nth(index)
        expect(finding.locator("tr.finding-row")).to_have_count(1)
        expect(finding.locator(".finding-kind")).to_be_visible()
        expect(finding.locator("a[href*='/admin/sanctions/measure/']")).to_be_visible()
        reasons = finding.locator("details.finding-reasons")
        expect(reasons.locator("summary")).to_have_text(re.compile(r"^Reasons \(\d+\)$"))
        expect(reasons.locator("li").first).to_be_hidden()  # folded
    fieldset.screenshot(path=str(ARTIFACTS / "06-findings-panel.png"))

    # Unfolded, a finding's reasons use the panel's width, not a narrow column.
    first = findings.first.locator("details.finding-reasons")
    first.locator("summary").click()
    expect(first.locator("li").first).to_be_visible()
    assert first.bounding_box()["width"] > 0.9 * panel.bounding_box()["width"]
    fieldset.screenshot(path=str(ARTIFACTS / "07-findings-panel-reasons-open.png"))

    # The admin's dark theme: the panel is drawn with the admin's own colours.
    kind = findings.first.locator(".finding-kind")
    light = kind.evaluate("element => getComputedStyle(element).backgroundColor")
    page.emulate_media(color_scheme="dark")
    assert kind.evaluate("element => getComputedStyle(element).backgroundColor") != light
    fieldset.screenshot(path=str(ARTIFACTS / "08-findings-panel-dark.png"))
    page.emulate_media(color_scheme="light")

    # A finding under a trade cap: its arithmetic in one line above the folded reasons.
    capped = transfers.filter(findings__cap_quantity__isnull=False, findings__audience__in=audience_of(editor))
    capped = capped.order_by("reference").first()
    assert capped is not None, "the demo data has a finding under a cap"
    page.goto(f"/admin/transfers/transfer/{capped.pk}/change/")
    cap = page.locator(".field-contraventions tbody.finding .finding-cap").first
    expect(cap).to_have_text(re.compile(r"^Cap [\d,.]+ .+: .+ (above|below) the cap"))
    line_height = float(cap.evaluate("element => getComputedStyle(element).lineHeight").removesuffix("px"))
    fieldset.screenshot(path=str(ARTIFACTS / "09-findings-panel-cap.png"))
    assert cap.bounding_box()["height"] < 2 * line_height, f"the cap's arithmetic is one line: {cap.inner_text()}"


def test_the_editors_home_lists_the_waiting_work_and_a_changelist_fits_on_one_screen(new_page, django_user_model):
    """The home an editor lands on says what waits (each a link to exactly those records), and
    the transfers' changelist, with a filter on each of 249 countries twice, is one screen high
    (its sidebar listed every country as a link: some 12,900 pixels)."""
    call_command("load_demo", verbosity=0)
    f.TransferFactory(reference="kp-ru-unsourced-draft")
    make_user(django_user_model, "editor", EDITORS)
    ARTIFACTS.mkdir(exist_ok=True)
    page = new_page()
    log_in(page, "editor")
    expect(page).to_have_title("Editors' home | sanctionsdb")
    expect(page.locator("#site-name")).to_have_text("sanctionsdb editors")
    waiting = page.locator("#waiting-work")
    expect(waiting.get_by_role("link", name="1 transfers in draft")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "09-editors-home.png"), full_page=True)

    follow(page, "#waiting-work a:has-text('transfers in draft')")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("kp-ru-unsourced-draft")

    page.goto("/admin/transfers/transfer/")
    page.screenshot(path=str(ARTIFACTS / "10-transfers-changelist.png"), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 1_000 * 1.5, f"the transfers' changelist is {height} px high"
    # The supplier filter: one drop-down and a button, keeping the search.
    page.fill("#searchbar", "kp")
    with page.expect_navigation():
        page.press("#searchbar", "Enter")
    page.locator("details.compact-filter:has(select[name='supplier__id__exact']) summary").click()
    page.select_option("select[name='supplier__id__exact']", value=str(f.country("KP").pk))
    with page.expect_navigation():
        page.click("details.compact-filter:has(select[name='supplier__id__exact']) input[type=submit]")
    assert "q=kp" in page.url and "supplier__id__exact=" in page.url
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_be_visible()
    supplied = Transfer.objects.filter(supplier__iso2="KP", reference__icontains="kp").count()
    expect(rows).to_have_count(supplied)
    page.screenshot(path=str(ARTIFACTS / "11-transfers-changelist-filtered.png"), full_page=True)
