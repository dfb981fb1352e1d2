"""The Content-Security-Policy does not break the admin or the API docs: Chromium opens the
login page, the index, a changelist, the export page, an add page with its autocompletes,
date widgets and inlines, a change page and its history, the upload page, and Swagger UI at
/api/docs/ (trying out an operation), and no page reports a CSP violation
(``securitypolicyviolation`` events and console messages).

Playwright runs in a thread of its own: its sync API allows one instance per thread, and the
session-wide browser of tests/browser may be running in the main thread."""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from apps.common.roles import REVIEWERS
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "a-long-test-password"

RECORD_VIOLATIONS = """
window.__csp_violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp_violations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def in_chromium(live_server):
    """Run ``steps(open_page, violations)`` against the live server in Chromium, in a thread."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the browser tests")
        pytest.skip(reason)

    def drive(steps):
        from playwright.sync_api import sync_playwright

        messages = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
            try:
                context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
                context.set_default_timeout(15_000)

                def open_page():
                    page = context.new_page()
                    page.add_init_script(RECORD_VIOLATIONS)
                    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
                    return page

                def violations(page):
                    seen = page.evaluate("window.__csp_violations")
                    return seen + [m for m in messages if "Content Security Policy" in m]

                steps(open_page, violations)
            finally:
                browser.close()

    def run(steps):
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(drive, steps).result()

    return run


def visit(page, violations, path, wait_for):
    response = page.goto(path)
    assert response.status == 200, (path, response.status)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(wait_for)
    assert violations(page) == [], path


def test_the_admin_and_the_api_docs_work_under_the_policy(in_chromium, django_user_model):
    reviewer = django_user_model.objects.create_user("reviewer", password=PASSWORD, is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    f.ActorFactory(slug="john-kirby", name="John Kirby", country=f.country("US"))
    transfer = f.TransferFactory(reference="kp-ru-shells-2023", category="munitions")

    def admin_and_docs(open_page, violations):
        page = open_page()
        visit(page, violations, "/admin/login/?next=/admin/", "#id_username")
        page.fill("#id_username", "reviewer")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("input[type=submit]")
        page.wait_for_selector("#content-main")
        assert violations(page) == []

        visit(page, violations, "/admin/transfers/transfer/", "#result_list")
        page.click("#changelist-filter details summary >> nth=0")
        page.locator("#result_list input.action-select").first.check()
        assert violations(page) == []
        # The export action's page (django-import-export), with its "select all" box.
        page.select_option("select[name=action]", "export_admin_action")
        with page.expect_navigation():
            page.click("button[name=index]")
        page.wait_for_selector("input[name=select-all-toggle]")
        page.click("input[name=select-all-toggle]")
        page.click("input[name=select-all-toggle]")
        assert violations(page) == [], "export page"

        visit(page, violations, "/admin/transfers/transfer/add/", "#id_reference")
        page.click("#id_supplier + .select2 .select2-selection")
        page.fill(".select2-container--open .select2-search--dropdown .select2-search__field", "Korea")
        page.wait_for_selector(".select2-container--open .select2-results__option:has-text('(KP)')")
        page.keyboard.press("Escape")
        page.click("#id_started_on + .datetimeshortcuts a:has-text('Today')")
        page.click(".add-row a")
        assert violations(page) == []

        visit(page, violations, f"/admin/transfers/transfer/{transfer.pk}/change/", "#id_reference")
        visit(page, violations, f"/admin/transfers/transfer/{transfer.pk}/history/", "#content-main")
        visit(page, violations, "/admin/ingest/upload/", "#content-main")

        docs = open_page()
        visit(docs, violations, "/api/docs/", "#swagger-ui .opblock")
        docs.locator("#swagger-ui .opblock-summary").first.click()
        docs.wait_for_selector("#swagger-ui .opblock.is-open")
        docs.click("#swagger-ui .try-out__btn")
        docs.click("#swagger-ui .execute")
        docs.wait_for_selector("#swagger-ui .responses-table .response-col_status")
        assert violations(docs) == []

    in_chromium(admin_and_docs)
