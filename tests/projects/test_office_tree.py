"""Offices in a tree: a role held in an office holds in every office under it, never above
it nor beside it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import permissions
from projects.models import OFFICE_TREE_DEPTH
from tests.factories import (
    Role,
    answer_data,
    make_checklist,
    make_office,
    make_project,
    make_user,
)


@pytest.fixture
def tree(db):
    """HQ > MENA region > Iraq country > Erbil sub-office, and Jordan beside Iraq; Latin
    America beside MENA."""
    hq = make_office(code="HQ", name="Headquarters", is_headquarters=True)
    mena = make_office(code="MENA", name="Middle East and North Africa", parent=hq)
    iraq = make_office(code="IRQ", name="Iraq", parent=mena)
    erbil = make_office(code="IRQ-EBL", name="Erbil", parent=iraq)
    jordan = make_office(code="JOR", name="Jordan", parent=mena)
    latam = make_office(code="LAC", name="Latin America", parent=hq)
    return {o.code: o for o in (hq, mena, iraq, erbil, jordan, latam)}


def project_page(project):
    return reverse("checklists:project", args=[project.pk])


def test_a_country_role_reaches_its_sub_offices_but_not_above_nor_beside(client, tree):
    erbil_project = make_project(office=tree["IRQ-EBL"], title="Water points in Erbil")
    iraq_project = make_project(office=tree["IRQ"], title="Shelter in Mosul")
    jordan_project = make_project(office=tree["JOR"], title="Cash in Irbid")
    iraq_focal = make_user(office=tree["IRQ"], role=Role.FOCAL_POINT)
    erbil_staff = make_user(office=tree["IRQ-EBL"], role=Role.STAFF)

    client.force_login(iraq_focal)
    response = client.get(project_page(erbil_project))
    assert response.status_code == 200
    assert "Water points in Erbil" in response.text
    assert client.get(project_page(jordan_project)).status_code == 404

    client.force_login(erbil_staff)
    assert client.get(project_page(erbil_project)).status_code == 200
    assert client.get(project_page(iraq_project)).status_code == 404


def test_a_regional_manager_sees_the_regions_portfolio_and_nothing_of_another_region(client, tree):
    make_project(office=tree["IRQ-EBL"], code="EBL-WASH-01")
    make_project(office=tree["JOR"], code="JOR-CSH-07")
    latam_project = make_project(office=tree["LAC"], code="HND-PRT-02")
    regional_manager = make_user(office=tree["MENA"], role=Role.MANAGER)

    client.force_login(regional_manager)
    response = client.get(reverse("checklists:dashboard"))
    assert response.status_code == 200
    assert "EBL-WASH-01" in response.text
    assert "JOR-CSH-07" in response.text
    assert "HND-PRT-02" not in response.text
    assert client.get(project_page(latam_project)).status_code == 404
    assert set(permissions.visible_offices(regional_manager)) == {
        tree["MENA"],
        tree["IRQ"],
        tree["IRQ-EBL"],
        tree["JOR"],
    }


def test_country_staff_may_fill_a_sub_offices_checklist_and_sub_office_staff_not_the_countrys(
    client, tree
):
    iraq_staff = make_user(office=tree["IRQ"], role=Role.STAFF)
    erbil_staff = make_user(office=tree["IRQ-EBL"], role=Role.STAFF)
    jordan_staff = make_user(office=tree["JOR"], role=Role.STAFF)
    erbil_checklist = make_checklist(
        project=make_project(office=tree["IRQ-EBL"]), user=erbil_staff, item_count=2
    )
    iraq_checklist = make_checklist(
        project=make_project(office=tree["IRQ"]), user=iraq_staff, item_count=2
    )

    def save(checklist, user):
        client.force_login(user)
        answer = checklist.answers.first()
        return client.post(
            reverse("checklists:answer-save", args=[checklist.pk, answer.pk]),
            answer_data(answer, response="yes", comment=""),
        )

    assert save(erbil_checklist, iraq_staff).status_code == 200
    assert erbil_checklist.answers.filter(response="yes").count() == 1
    assert save(iraq_checklist, erbil_staff).status_code == 404
    assert save(erbil_checklist, jordan_staff).status_code == 404
    assert iraq_checklist.answers.filter(response="yes").count() == 0


def test_the_scope_is_one_query_whatever_the_depth(tree, django_assert_num_queries):
    flat_user = make_user(office=tree["LAC"], role=Role.STAFF)
    deep_user = make_user(office=tree["HQ"], role=Role.FOCAL_POINT)
    make_user(office=tree["MENA"], role=Role.STAFF, username="other")
    with django_assert_num_queries(1):  # the memberships: no office under Latin America
        assert permissions._covered_office_ids(flat_user) == {tree["LAC"].pk}
    with django_assert_num_queries(2):  # the memberships, then the offices they cover
        offices = permissions._covered_office_ids(deep_user)
    assert offices == {office.pk for office in tree.values()}


def test_an_office_cannot_be_under_itself(tree):
    mena = tree["MENA"]
    mena.parent = tree["IRQ-EBL"]
    with pytest.raises(ValidationError) as refused:
        mena.full_clean()
    assert "cannot be under itself" in str(refused.value)


def test_the_tree_is_at_most_four_levels_deep(tree):
    below_erbil = make_office(code="IRQ-EBL-1", name="Camp office")
    below_erbil.parent = tree["IRQ-EBL"]
    with pytest.raises(ValidationError) as refused:
        below_erbil.full_clean()
    assert f"at most {OFFICE_TREE_DEPTH} levels" in str(refused.value)
    # A whole branch moved under another would go too deep as well.
    latam = tree["LAC"]
    latam.parent = tree["JOR"]
    make_office(code="HND", name="Honduras", parent=latam)
    with pytest.raises(ValidationError):
        latam.full_clean()


def test_the_admin_sets_a_parent_office(admin_client, tree):
    response = admin_client.get(reverse("admin:projects_office_change", args=[tree["IRQ"].pk]))
    assert response.status_code == 200
    assert 'name="parent"' in response.text
