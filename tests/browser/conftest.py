"""Browser tests: Playwright driving the system Chromium against pytest-django's live server.

Never downloads a browser. On a laptop without Chromium they skip; under CI (CI=true) a
missing Chromium is a failure, since .ci/run installs it.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests make
# there are still plain synchronous calls (the documented setting for this case).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright turns Chromium's back/forward cache off; people have it on, and a page the Back
# button brings back from it after sign-out must not show what it showed.
CHROMIUM_DEFAULTS_LEFT_OUT = ["--disable-back-forward-cache"]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def _require(condition: bool, why: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI must provide it: see .ci/run)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser():
    _require(Path(CHROMIUM).exists() or shutil.which("chromium"), "Chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - installed by requirements-dev.txt
        _require(False, "playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            ignore_default_args=CHROMIUM_DEFAULTS_LEFT_OUT,
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server, framework):
    """A fresh browser context (its own cookies) logged in as ``username``; with
    ``javascript=False``, a browser that runs no script."""
    contexts = []

    def open_as(username, password="pw", *, language="en", bypass_csp=False, javascript=True):
        context = browser.new_context(
            base_url=live_server.url,
            accept_downloads=True,
            bypass_csp=bypass_csp,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/accounts/login/")
        if language != "en":
            page.select_option("#language-select", language)
            page.click("#language-submit")
            page.wait_for_load_state()
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.wait_for_url(
            re.compile(rf"{re.escape(live_server.url)}/(accounts/second-factor/.*)?$")
        )
        if "/accounts/second-factor/" in page.url:
            pass_second_factor(page, username)
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def pass_second_factor(page, username):
    """The second step of signing in, as a person with their authenticator app does: set
    it up from the key on the page the first time (then keep the recovery codes), or type
    the code it shows."""
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ..factories import app_code

    if "/set-up/" in page.url:
        key = b32decode(page.locator("#second-factor-secret").inner_text().replace(" ", ""))
        page.fill("#id_code", app_code(key=key))
        page.click("main button[type=submit]")
        page.click("#recovery-codes-done")
    else:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.fill("#id_code", app_code(device))
        page.click("main button[type=submit]")


@pytest.fixture
def axe_source():
    _require(AXE.exists(), "axe-core is not installed (npm ci)")
    return AXE.read_text()
