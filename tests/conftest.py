"""The cast for every test: office A (Iraq) with a staff member, a focal point and a
manager; office B (Jordan) with its own staff member (the outsider); an HQ manager."""

import io

import pytest
from django.core.management import call_command

from projects.models import Role

from .factories import make_office, make_project, make_user


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests do not run collectstatic; the manifest storage is checked in CI's deploy check.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LANGUAGE_CODE = "en"
    # Background tasks run at once, in the test's thread and transaction.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_page_cache():
    # Each test's database starts again, and may hand out the same ids: no page part kept
    # rendered by an earlier test may serve it.
    from django.core.cache import caches

    caches["checklist_pages"].clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The protection framework is reference data every test relies on: load it once.
    with django_db_blocker.unblock():
        call_command("load_framework", verbosity=0, stdout=io.StringIO())


@pytest.fixture
def framework(transactional_db):
    """For tests that flush the database (live server, real transactions): reload it."""
    call_command("load_framework", verbosity=0, stdout=io.StringIO())


@pytest.fixture
def office_a(db):
    return make_office(code="IRQ", name="Iraq country office")


@pytest.fixture
def office_b(db):
    return make_office(code="JOR", name="Jordan country office")


@pytest.fixture
def hq_office(db):
    return make_office(code="HQ", name="Headquarters", is_headquarters=True)


@pytest.fixture
def staff_a(office_a):
    return make_user(office=office_a, role=Role.STAFF, username="staff_a")


@pytest.fixture
def focal_a(office_a):
    return make_user(office=office_a, role=Role.FOCAL_POINT, username="focal_a")


@pytest.fixture
def manager_a(office_a):
    return make_user(office=office_a, role=Role.MANAGER, username="manager_a")


@pytest.fixture
def outsider_b(office_b):
    return make_user(office=office_b, role=Role.STAFF, username="outsider_b")


@pytest.fixture
def hq_manager(hq_office):
    return make_user(office=hq_office, role=Role.MANAGER, username="hq_manager")


@pytest.fixture
def framework_editor(hq_office):
    return make_user(office=hq_office, role=Role.FRAMEWORK_EDITOR, username="framework_editor")


@pytest.fixture
def project_a(office_a):
    return make_project(office=office_a, code="IRQ-SHL-01", title="Shelter repairs in Ninewa")


@pytest.fixture
def project_b(office_b):
    return make_project(office=office_b, code="JOR-CSH-01", title="Cash for rent in Irbid")


@pytest.fixture
def query_count():
    """``query_count(call)`` runs ``call`` and gives (number of SQL queries, its result).

    Query-count tests run a page at a small and a large size and assert the two counts are
    equal (no query per row), and under a cap.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(call):
        with CaptureQueriesContext(connection) as queries:
            result = call()
        return len(queries), result

    return count


def sign_in_fully(client, user):
    """``client.force_login(user)`` with the second factor passed, as a sign-in with the
    password and a code from the app leaves the session (the admin asks for it)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with both factors."""
    return sign_in_fully(client, admin_user)
