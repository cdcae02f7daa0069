import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_guidance_explains_principles_disability_and_good_practices(client, staff_a):
    client.force_login(staff_a)
    body = client.get(reverse("checklists:guidance")).content.decode()
    assert "What protection mainstreaming is" in body
    assert "Strategic level" in body and "Operational level" in body
    assert "Secure meaningful access" in body
    assert "Washington Group" in body
    assert "Enablers" in body
    assert "Bosnia and Herzegovina" in body and "Burundi" in body


def test_good_practices_filter_by_principle(client, staff_a):
    client.force_login(staff_a)
    body = client.get(
        reverse("checklists:guidance"), {"principle": "participation"}
    ).content.decode()
    good_practices = body.split('id="good-practices"')[1]
    assert "Burundi" in good_practices and "Pakistan" in good_practices
    assert "Zimbabwe" not in good_practices and "Nigeria" not in good_practices


def test_unknown_principle_filter_shows_everything(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("checklists:guidance"), {"principle": "<script>"})
    assert response.status_code == 200
    assert "Zimbabwe" in response.content.decode()


def test_guidance_in_french(client, staff_a):
    client.force_login(staff_a)
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    body = client.get(reverse("checklists:guidance")).content.decode()
    assert "Bosnie-Herzégovine" in body
    assert "Garantir la redevabilité" in body
    assert "Inclusion des personnes en situation de handicap" in body
