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


# --- A checklist's guidance page (checklists/views/guidance.py) -----------------------------


def _guidance(client, checklist, **headers):
    return client.get(reverse("checklists:checklist-guidance", args=[checklist.pk]), **headers)


def test_each_item_links_to_its_guidance_which_the_guidance_page_holds(client, staff_a, project_a):
    from ..factories import make_checklist

    checklist = make_checklist(project=project_a, user=staff_a, item_count=6)
    client.force_login(staff_a)
    page = client.get(reverse("checklists:detail", args=[checklist.pk])).content.decode()
    guidance_url = reverse("checklists:checklist-guidance", args=[checklist.pk])
    items = list(checklist.answers.order_by("item__order").select_related("item"))
    assert page.count("class=guidance-link") == len(items)
    assert "Guidance 0." not in page  # the texts are on the guidance page, once
    body = _guidance(client, checklist).content.decode()
    assert f'<a href="{reverse("checklists:detail", args=[checklist.pk])}">' in body
    for answer in items:
        item = answer.item
        assert f'href="{guidance_url}#g-{item.code}">Guidance</a>' in page
        section = body[body.index(f'id="g-{item.code}"') :]
        section = section[: section.index("</section>")]
        assert item.question_en in section and f"<p>{item.guidance_en}</p>" in section
        assert f"#item-{item.code}" in section  # and back to the item
    # In the checklist page's order: by principle, then by item.
    assert sorted(items, key=lambda a: body.index(f'id="g-{a.item.code}"')) == sorted(
        items, key=lambda a: page.index(f'id="item-{a.item.code}"')
    )
    assert [a.item.principle_id for a in items] != sorted(a.item.principle_id for a in items)
    client.cookies["django_language"] = "fr"
    french = _guidance(client, checklist, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Conseil 0." in french and "Retour au point" in french


def test_an_item_without_guidance_gets_no_link(client, staff_a, project_a):
    from ..factories import make_checklist

    checklist = make_checklist(project=project_a, user=staff_a, item_count=3)
    quiet = checklist.answers.order_by("item__order").first().item
    type(quiet).objects.filter(pk=quiet.pk).update(guidance_en="", guidance_fr="")
    client.force_login(staff_a)
    page = client.get(reverse("checklists:detail", args=[checklist.pk])).content.decode()
    assert page.count("class=guidance-link") == 2
    assert f"#g-{quiet.code}" not in page
    assert f'id="g-{quiet.code}"' not in _guidance(client, checklist).content.decode()


def test_guidance_page_is_revalidated_by_its_etag(client, staff_a, focal_a, project_a):
    from ..factories import make_checklist

    checklist = make_checklist(project=project_a, user=staff_a, item_count=3)
    client.force_login(staff_a)
    first = _guidance(client, checklist)
    # Personal (the person's name, their forms): never in the browser's own cache.
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    etag = first["ETag"]
    again = _guidance(client, checklist, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    # Another language, or another person (their own name and forms), gets the full page.
    client.cookies["django_language"] = "fr"
    french = _guidance(client, checklist, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 200 and "Conseil 0." in french.content.decode()
    del client.cookies["django_language"]
    client.force_login(focal_a)
    other = _guidance(client, checklist, HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200 and other["ETag"] != etag


def test_guidance_of_another_office_is_404(client, outsider_b, staff_a, project_a):
    from ..factories import make_checklist

    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    client.force_login(outsider_b)
    response = _guidance(client, checklist)
    assert response.status_code == 404
    assert project_a.code not in response.content.decode()
    assert "Guidance 0." not in response.content.decode()


def test_guidance_page_runs_a_fixed_number_of_queries(client, staff_a, office_a, query_count):
    from ..factories import make_checklist, make_project

    client.force_login(staff_a)
    counts = []
    for item_count in (20, 150):
        checklist = make_checklist(
            project=make_project(office=office_a), user=staff_a, item_count=item_count
        )
        queries, response = query_count(lambda checklist=checklist: _guidance(client, checklist))
        assert response.status_code == 200
        assert response.content.decode().count('class="item-guidance"') == item_count
        kept, response = query_count(lambda checklist=checklist: _guidance(client, checklist))
        counts.append((queries, kept))
    assert counts[0] == counts[1], counts


def test_each_principle_links_to_its_good_practices_on_the_guidance_page(
    client, staff_a, project_a
):
    from checklists.models import GoodPractice

    from ..factories import make_checklist

    checklist = make_checklist(project=project_a, user=staff_a, item_count=4)
    client.force_login(staff_a)
    page = client.get(reverse("checklists:detail", args=[checklist.pk])).content.decode()
    guidance_url = reverse("checklists:checklist-guidance", args=[checklist.pk])
    body = _guidance(client, checklist).content.decode()
    for code in ("safety", "access", "accountability", "participation"):
        practices = list(GoodPractice.objects.filter(principle__code=code))
        assert practices
        title = f"Good practices from operations ({len(practices)})"
        assert f'href="{guidance_url}#gp-{code}">{title}</a>' in page
        section = body[body.index(f'id="gp-{code}"') :]
        section = section[: section.index("</section>")]
        assert title in section
        for practice in practices:
            assert f"<strong>{practice.country}</strong>" in section
            assert practice.text.replace("'", "&#x27;") not in page  # only on the guidance page
