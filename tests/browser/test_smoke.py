"""The browser set-up itself: the server answers, Chromium renders the start page."""

from __future__ import annotations

from tests.browser.conftest import ADMIN, sign_in


def test_the_start_page_opens_in_chromium_and_an_admin_can_sign_in(page) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.title()
    sign_in(page, ADMIN)
