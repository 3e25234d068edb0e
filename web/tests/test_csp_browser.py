"""The Content-Security-Policy in Chromium: every kind of page loads and works with nothing refused
(htmx swaps, ECharts draws, the inline scripts with their nonce run), and an injected inline
script is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from web.tests.conftest import new_page, sign_in

# Recorded in the page before any of its own scripts run (Playwright's init scripts bypass the CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def watched_page(chromium):
    page = new_page(chromium)
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_work_under_the_policy(chromium, live):
    from cases.models import Priority
    from cases.tests.world import World

    world = World.build()
    case = world.report()
    world.verified()
    seen: dict[str, list[str]] = {}

    page, errors = watched_page(chromium)
    page.goto(f"{live}/login/")
    seen["login"] = violations(page)
    sign_in(page, live, "dispatcher")
    seen["home"] = violations(page)

    page.goto(live + reverse("dispatch:triage", args=[case.pk]))
    # The deadline preview is an htmx swap.
    preview = page.locator("[data-testid=deadline-preview]")
    before = preview.inner_text()
    page.select_option("#id_priority", Priority.IMPORTANT)
    expect(preview).not_to_have_text(before)  # polls without eval (the CSP forbids it)
    seen["triage"] = violations(page)

    page.goto(live + reverse("caseviews:case-list"))
    page.select_option("select[name=type]", "dispute")  # htmx reloads the results
    page.wait_for_load_state("networkidle")
    seen["case list"] = violations(page)

    page.goto(live + reverse("meetings:meeting-new"))
    rows = page.locator("#demands > *").count()
    page.click("#add-demand")
    assert page.locator("#demands > *").count() == rows + 1, "the meeting form's script did not run"
    seen["meeting"] = violations(page)

    leader, leader_errors = watched_page(chromium)
    sign_in(leader, live, "leader")
    leader.goto(live + reverse("dashboard:index"))
    leader.wait_for_selector("body[data-charts-ready]")
    assert leader.locator("#trend-chart canvas").count() == 1
    leader.hover("#trend-chart canvas")
    seen["dashboard"] = violations(leader)
    errors += leader_errors

    grid, grid_errors = watched_page(chromium)
    sign_in(grid, live, "grid_worker")
    grid.goto(live + reverse("grid:report"))
    grid.click("label:has-text('矛盾纠纷')")
    assert grid.locator("[data-category] option").count() > 1, "the category script did not run"
    seen["grid report"] = violations(grid)
    errors += grid_errors

    handler, handler_errors = watched_page(chromium)
    sign_in(handler, live, "handler")
    handler.goto(live + reverse("department:duty-list"))
    seen["duty list"] = violations(handler)
    errors += handler_errors

    admin, admin_errors = watched_page(chromium)
    admin.goto(f"{live}/admin/login/")
    admin.fill("#id_username", "admin")
    admin.fill("#id_password", "pass-12345")
    admin.click("input[type=submit]")
    admin.wait_for_url(f"{live}/admin/")
    seen["admin"] = violations(admin)
    admin.goto(f"{live}/admin/people/user/{world.dispatcher.pk}/change/")
    seen["admin change form"] = violations(admin)
    admin.goto(f"{live}/api/v1/me/")
    seen["browsable API"] = violations(admin)
    admin.goto(f"{live}/api/docs/")
    admin.wait_for_selector(".swagger-ui .info")
    seen["API docs"] = violations(admin)
    admin.goto(f"{live}/api/redoc/")
    admin.wait_for_selector(".api-content")
    # ReDoc's footer asks for its logo from cdn.redoc.ly: refused, as the docs load nothing from
    # outside (the product runs on closed networks).
    seen["ReDoc"] = [v for v in violations(admin) if "https://cdn.redoc.ly/" not in v]
    errors += admin_errors

    assert {name: found for name, found in seen.items() if found} == {}
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_injected_inline_script_is_refused(chromium, live):
    page, _ = watched_page(chromium)
    page.goto(f"{live}/login/")
    page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.injected = true";
          document.body.appendChild(s);
        }"""
    )
    assert page.evaluate("window.injected") is None
    assert any(v.startswith("script-src") for v in violations(page))
