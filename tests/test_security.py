"""Security: brute-force lockout, headers, sessions, and every URL walked as each role."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from checklists import workflow
from checklists.models import ActionPoint, Decision, Framework, Item, ReportFile, Review
from projects.access_tokens import issue_token
from projects.models import SignedInSession

from .factories import make_checklist

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


# --- Login --------------------------------------------------------------------------------


def test_repeated_failed_logins_lock_the_account_then_the_lock_expires(client, staff_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "staff_a", "wrong").status_code == 200
    locked = login(client, "staff_a", "wrong")
    assert locked.status_code == 429
    assert "blocked for 15 minutes after several wrong passwords" in locked.content.decode()
    # Even the right password is refused while locked.
    assert login(client, "staff_a", "pw").status_code == 429
    # The lock expires.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert login(client, "staff_a", "pw").status_code == 302


def test_lockout_message_in_french(client, staff_a, settings):
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "staff_a", "wrong")
    assert response.status_code == 429
    assert "bloquée pendant 15 minutes" in response.content.decode()


def test_password_change_logs_out_every_other_session(staff_a):
    laptop, phone = Client(), Client()
    assert login(laptop, "staff_a", "pw").status_code == 302
    assert login(phone, "staff_a", "pw").status_code == 302
    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": "pw",
            "new_password1": "a-Long-new-passphrase-42",
            "new_password2": "a-Long-new-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert laptop.get(reverse("checklists:home")).status_code == 200
    assert phone.get(reverse("checklists:home")).status_code == 302  # back to login


def test_sessions_expire(client, staff_a, settings):
    login(client, "staff_a", "pw")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_content_security_policy_allows_no_inline_code(client, staff_a):
    client.force_login(staff_a)
    policy = client.get(reverse("checklists:home"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_production_settings_turn_on_https_protections():
    import importlib
    import os

    from pmapp import settings as app_settings

    old = {name: os.environ.get(name) for name in ("DEBUG", "SECRET_KEY")}
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = "a-production-key-" + "k" * 40
    try:
        production = importlib.reload(app_settings)
        assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
        assert production.SECURE_SSL_REDIRECT and production.SECURE_HSTS_SECONDS >= 31536000
        # Pages are served with compressed files with hashed names: WhiteNoise's
        # storage, or the app's subclass of it (JavaScript modules import by hashed name).
        from django.utils.module_loading import import_string
        from whitenoise.storage import CompressedManifestStaticFilesStorage

        storage = import_string(production.STORAGES["staticfiles"]["BACKEND"])
        assert issubclass(storage, CompressedManifestStaticFilesStorage)
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        importlib.reload(app_settings)


def test_passwords_are_hashed_with_a_strong_algorithm():
    from django.conf import global_settings

    from pmapp import settings as app_settings

    # The tests swap in a fast hasher; the app itself keeps Django's default (PBKDF2).
    hashers = getattr(app_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert hashers[0].endswith(("PBKDF2PasswordHasher", "Argon2PasswordHasher"))


# --- Every URL, as each role of office A, on the objects of office B -----------------------


@pytest.fixture
def foreign_world(office_b, outsider_b, project_b):
    """Office B's project with a checklist in review, an action point and a report file."""
    focal_b = __import__("tests.factories", fromlist=["make_user"]).make_user(
        office=office_b, role="focal_point", username="focal_b"
    )
    checklist = make_checklist(project=project_b, user=outsider_b, item_count=2)
    answer = checklist.answers.first()
    for a in checklist.answers.all():
        workflow.save_answer(
            checklist=checklist,
            answer_id=a.pk,
            user=outsider_b,
            values=workflow.AnswerInput(response="yes", comment="SECRET-B-COMMENT"),
            based_on_version=0,
        )
    evidence = workflow.attach_evidence(
        checklist=checklist,
        answer_id=answer.pk,
        user=outsider_b,
        upload=SimpleUploadedFile("SECRET-B-FILE.pdf", b"%PDF-1.7 SECRET-B-CONTENT"),
    )
    workflow.submit_checklist(checklist=checklist, user=outsider_b)
    action_point = ActionPoint.objects.create(
        project=project_b,
        answer=answer,
        description="SECRET-B-ACTION",
        owner=outsider_b,
        due_date=datetime.date(2026, 1, 1),
    )
    report = ReportFile.objects.create(kind="portfolio_pdf", requested_by=outsider_b, language="en")
    approved = make_checklist(
        project=project_b, user=outsider_b, item_count=1, phase_code="evaluation"
    )
    framework = Framework.objects.get(status="published")
    risk_row = workflow.save_risk_row(project=project_b, user=outsider_b, values=risk_values())
    review = Review.objects.create(  # test data: a decision of office B, made directly
        checklist=approved, decision="approved", reviewer=focal_b, comment="SECRET-B-REVIEW"
    )
    Client().force_login(outsider_b)  # office B's person, signed in elsewhere
    office_item = workflow.save_office_item(  # office B's own checklist item, a draft
        item=Item(
            framework=workflow.start_office_draft(office=office_b, user=focal_b),
            code="JOR-01",
            phase=framework.items.first().phase,
            principle=framework.items.first().principle,
            question_en="SECRET-B-ITEM?",
            guidance_en="Guidance.",
            critical_requested=True,
        ),
        user=focal_b,
        changes={},
        sectors=[],
    )
    return {
        "office_item": office_item,
        "session": SignedInSession.objects.get(user=outsider_b),
        "evidence": evidence,
        "review": review,
        "framework": framework,
        "item": framework.items.first(),
        "project": project_b,
        "checklist": checklist,
        "answer": answer,
        "action_point": action_point,
        "report": report,
        "approved": approved,
        "focal_b": focal_b,
        "risk_row": risk_row,
    }


def risk_values(**values) -> dict:
    """A row of a protection risk analysis (checklists/workflow/risk_analysis.py)."""
    texts = {name: "SECRET-B-RISK" for name in workflow.RISK_FIELDS}
    flags = {name: False for name in ("by_age", "by_gender", "by_disability", "by_other_diversity")}
    scale = {"likelihood": 3, "impact": 3, "owner": None, "review_date": None}
    return texts | flags | scale | values


def app_url_names():
    names = []

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("projects", "checklists", "api"):
                    walk(pattern.url_patterns, pattern.namespace)
            elif isinstance(pattern, URLPattern) and namespace:
                # The API's router writes regular expressions: their groups are the parameters.
                parameters = list(pattern.pattern.converters) or list(
                    getattr(pattern.pattern, "regex", re.compile("")).groupindex
                )
                names.append((f"{namespace}:{pattern.name}", parameters))

    walk(get_resolver().url_patterns)
    return names


def foreign_kwargs(name, converters, world):
    """Fill a URL's parameters with office B's objects."""
    by_name = {
        "checklists:action-point-done": {"pk": world["action_point"].pk},
        "checklists:portfolio-file": {"pk": world["report"].pk},
        "checklists:portfolio-file-download": {"pk": world["report"].pk},
        "checklists:answer-save": {"pk": world["checklist"].pk, "answer_pk": world["answer"].pk},
        "checklists:evidence": {"pk": world["checklist"].pk, "answer_pk": world["answer"].pk},
        "checklists:evidence-download": {
            "pk": world["checklist"].pk,
            "evidence_pk": world["evidence"].pk,
        },
        "checklists:evidence-remove": {
            "pk": world["checklist"].pk,
            "evidence_pk": world["evidence"].pk,
        },
        "api:project-detail": {"pk": world["project"].pk},
        "api:checklist-detail": {"pk": world["checklist"].pk},
        "api:answer-detail": {"pk": world["answer"].pk},
        "api:action-point-detail": {"pk": world["action_point"].pk},
        "api:review-detail": {"pk": world["review"].pk},
        "projects:session-end": {"pk": world["session"].pk},
        **{
            name: {"project_pk": world["project"].pk, "pk": world["risk_row"].pk}
            for name in (
                "checklists:risk-row",
                "checklists:risk-row-remove",
                "checklists:risk-row-action-point",
            )
        },
        "api:project-risk-analysis": {"pk": world["project"].pk},
    }
    if name in by_name:
        return by_name[name]
    if name.startswith("checklists:office-item") and converters:  # office B's own items
        office_pk = world["office_item"].framework.office_id
        return {c: office_pk if c == "office_pk" else world["office_item"].pk for c in converters}
    kwargs = {}
    for converter in converters:
        if name.startswith("checklists:framework"):  # not an office's: editors only (403)
            kwargs[converter] = world["item" if converter == "item_pk" else "framework"].pk
        elif converter == "project_pk" or (converter == "pk" and name.startswith("projects:")):
            kwargs[converter] = world["project"].pk
        elif converter == "pk":
            kwargs[converter] = world["checklist"].pk
    return kwargs


FOREIGN_MARKERS = [
    "JOR-CSH-01",
    "Cash for rent in Irbid",
    "SECRET-B-COMMENT",
    "SECRET-B-ACTION",
    "SECRET-B-REVIEW",
    "SECRET-B-FILE",
    "SECRET-B-CONTENT",
    "SECRET-B-RISK",
    "SECRET-B-ITEM",
]


def test_every_app_url_is_walked():
    names = {name for name, _converters in app_url_names()}
    assert {
        "checklists:project",
        "checklists:answer-save",
        "checklists:review",
        "checklists:dashboard",
    } <= names
    assert len(names) >= 20


@pytest.mark.parametrize("role", ["staff_a", "focal_a", "manager_a"])
def test_no_url_leaks_office_b_to_office_a(client, request, role, foreign_world):
    client.force_login(request.getfixturevalue(role))
    for name, converters in app_url_names():
        kwargs = foreign_kwargs(name, converters, foreign_world)
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url, {})
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            for marker in FOREIGN_MARKERS:
                assert marker not in text, (method, name, response.status_code, marker)
            if kwargs:
                assert response.status_code in (403, 404, 405), (method, name, response.status_code)
            elif name == "api:unknown":  # the API's answer to an address it does not have
                assert response.status_code == 404
            else:
                assert response.status_code in (200, 302, 400, 403, 405), (
                    method,
                    name,
                    response.status_code,
                )


STATE_CHANGING = [
    ("switch-language", {}),
    ("logout", {}),
    ("checklists:start", {"project_pk": "project"}),
    ("checklists:save", {"pk": "checklist"}),
    ("checklists:answer-save", {"pk": "checklist", "answer_pk": "answer"}),
    ("checklists:move-to-evaluation", {"project_pk": "project"}),
    ("checklists:action-point-done", {"pk": "action_point"}),
    ("checklists:portfolio-file-request", {}),
    ("checklists:portfolio-file-retry", {"pk": "report"}),
    ("projects:access-token-revoke", {"pk": "access_token"}),
    ("checklists:evidence-remove", {"pk": "checklist", "evidence_pk": "evidence"}),
    ("projects:recovery-codes", {}),
    ("projects:second-factor-off", {}),
    ("projects:session-end", {"pk": "session"}),
    ("projects:sessions-end-others", {}),
    ("checklists:risk-row-remove", {"project_pk": "project", "pk": "risk_row"}),
    ("checklists:risk-row-action-point", {"project_pk": "project", "pk": "risk_row"}),
]


@pytest.fixture
def own_world(project_a, staff_a, manager_a):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    answer = checklist.answers.first()
    action_point = ActionPoint.objects.create(
        project=project_a,
        answer=answer,
        description="Own",
        owner=staff_a,
        due_date=datetime.date(2026, 1, 1),
    )
    report = ReportFile.objects.create(
        kind="portfolio_pdf", requested_by=manager_a, language="en", status="failed"
    )
    TOTPDevice.objects.create(user=staff_a, name="app", confirmed=True)  # two-step sign-in on
    Client().force_login(staff_a)  # and a session on another computer
    return {
        "risk_row": workflow.save_risk_row(
            project=project_a, user=staff_a, values=risk_values(mitigation="Own mitigation")
        ),
        "session": SignedInSession.objects.get(user=staff_a),
        "project": project_a,
        "checklist": checklist,
        "answer": answer,
        "action_point": action_point,
        "report": report,
        "access_token": issue_token(user=staff_a, name="own", lifetime_days=30)[0],
        "evidence": workflow.attach_evidence(
            checklist=checklist,
            answer_id=answer.pk,
            user=staff_a,
            upload=SimpleUploadedFile("own.pdf", b"%PDF-1.7 own"),
        ),
    }


@pytest.mark.parametrize(("name", "params"), STATE_CHANGING)
def test_state_changing_urls_refuse_get(client, hq_manager, staff_a, own_world, name, params):
    client.force_login(staff_a)
    url = reverse(name, kwargs={k: own_world[v].pk for k, v in params.items()})
    assert client.get(url).status_code == 405


# Who may do each state change (so that only the missing token can refuse it).
ACTOR = {
    "checklists:review": "focal_a",
    "checklists:portfolio-file-request": "manager_a",
    "checklists:portfolio-file-retry": "manager_a",
}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        *STATE_CHANGING,
        ("projects:create", {}),
        ("projects:update", {"pk": "project"}),
        ("projects:settings", {}),
        ("projects:access-tokens", {}),
        ("checklists:evidence", {"pk": "checklist", "answer_pk": "answer"}),
        ("checklists:review", {"pk": "checklist"}),
        ("second-factor", {}),
        ("second-factor-setup", {}),
    ],
)
def test_state_changing_urls_require_csrf(request, own_world, manager_a, name, params):
    client = Client(enforce_csrf_checks=True)
    client.force_login(request.getfixturevalue(ACTOR.get(name, "staff_a")))
    url = reverse(name, kwargs={k: own_world[v].pk for k, v in params.items()})
    data = {
        "language": "fr",
        "kind": "portfolio_pdf",
        "time_zone": "UTC",
        "next": "/",
        "name": "BI",
        "lifetime_days": "30",
    }
    if name == "checklists:review":
        own_world["checklist"].__class__.objects.filter(pk=own_world["checklist"].pk).update(
            status="submitted"
        )
    without_token = client.post(url, data)
    assert without_token.status_code == 403
    assert "CSRF" in without_token.content.decode()
    # The same request with the token is not refused: the token alone made the difference.
    client.get(reverse("checklists:home"))
    token = client.cookies["csrftoken"].value
    with_token = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert with_token.status_code != 403, with_token.status_code


def test_review_of_office_b_is_404_for_focal_point_of_a(client, focal_a, foreign_world):
    client.force_login(focal_a)
    url = reverse("checklists:review", args=[foreign_world["checklist"].pk])
    response = client.post(url, {"decision": Decision.APPROVED})
    assert response.status_code == 404
    foreign_world["checklist"].refresh_from_db()
    assert foreign_world["checklist"].status == "submitted"
