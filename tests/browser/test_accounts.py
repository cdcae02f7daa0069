"""The account pages in a real browser, checked by axe-core (WCAG 2.1 A and AA): the two
steps of signing in (setting up the app, the recovery codes, the code), the two-step
settings, "Where you are signed in", and the token page that asks for the password."""

import re
from base64 import b32decode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects.models import Profile, Role

from ..factories import app_code, make_office, make_user
from .test_accessibility import violations


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_account_pages_are_accessible(browser, live_server, framework, axe_source, language):
    hq = make_office(code="HQ", name="Headquarters", is_headquarters=True)
    ana = make_user(office=hq, role=Role.MANAGER, username="ana", first_name="Ana")
    Profile.objects.create(user=ana, language=language)
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    if language != "en":
        page.select_option("#language-select", language)
        page.click("#language-submit")
        page.wait_for_load_state()
    assert page.locator("#password-rule").is_visible()
    page.fill("#id_username", "ana")
    page.fill("#id_password", "pw")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/second-factor/set-up/$"))
    assert violations(page, axe_source) == []
    key = b32decode(page.locator("#second-factor-secret").inner_text().replace(" ", ""))
    page.fill("#id_code", "123")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.locator("#id_code").get_attribute("aria-invalid") == "true"
    assert violations(page, axe_source) == []  # with the error shown
    page.wait_for_timeout(1500)  # django-otp lets the next try in after a second
    page.fill("#id_code", app_code(key=key))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.locator("#recovery-codes li").count() == 10
    assert violations(page, axe_source) == []
    page.click("#recovery-codes-done")
    page.wait_for_url(f"{live_server.url}/")
    for path in ("/settings/two-step/", "/settings/sessions/", "/settings/tokens/"):
        page.goto(path)
        assert violations(page, axe_source) == [], path

    # The next sign-in asks for the code.
    second = browser.new_context(base_url=live_server.url).new_page()
    second.goto("/accounts/login/")
    second.fill("#id_username", "ana")
    second.fill("#id_password", "pw")
    second.click("main button[type=submit]")
    second.wait_for_url(re.compile(r"/accounts/second-factor/$"))
    assert violations(second, axe_source) == []
    second.fill("#id_code", app_code(TOTPDevice.objects.get(user=ana, confirmed=True)))
    second.click("main button[type=submit]")
    second.wait_for_url(f"{live_server.url}/")
    # The first browser sees both sessions, and signs the other one out.
    page.goto("/settings/sessions/")
    assert page.locator("tbody tr").count() == 2
    page.click("#end-other-sessions")
    page.wait_for_url(re.compile(r"/settings/sessions/$"))
    assert page.locator("tbody tr").count() == 1
    second.goto("/")
    assert "/accounts/login/" in second.url
    second.context.close()
    context.close()
