import pytest
from django.urls import reverse

from checklists.models import Phase
from projects.forms import ProjectForm, population_field_name
from projects.models import PopulationFigure, Project, Sector

pytestmark = pytest.mark.django_db


def project_data(office, **overrides):
    data = {
        "code": "IRQ-NFI-2026-07",
        "title": "Winter kits for displaced families",
        "office": office.pk,
        "sectors": [Sector.objects.get(code="shelter").pk, Sector.objects.get(code="cash").pk],
        "donor": "ECHO",
        "start_date": "2026-02-01",
        "end_date": "2026-11-30",
        "current_phase": Phase.objects.get(code="design").pk,
        "description": "Blankets and heaters before winter.",
        population_field_name("female", "60+", True): "12",
        population_field_name("male", "0-5", False): "40",
    }
    data.update(overrides)
    return data


def test_staff_create_a_project_with_its_target_population(client, staff_a, office_a):
    client.force_login(staff_a)
    response = client.post(reverse("projects:create"), project_data(office_a))
    project = Project.objects.get(code="IRQ-NFI-2026-07")
    assert response.status_code == 302
    assert response["Location"] == reverse("checklists:project", args=[project.pk])
    assert project.office == office_a and project.created_by == staff_a
    assert set(project.sectors.values_list("code", flat=True)) == {"shelter", "cash"}
    assert project.population_figures.count() == 16
    assert (
        project.population_figures.get(sex="female", age_group="60+", with_disability=True).people
        == 12
    )
    page = client.get(response["Location"])
    assert "Project IRQ-NFI-2026-07 created." in page.content.decode()
    assert "52 people in all, of whom 12 with a disability." in page.content.decode()


def test_end_date_before_start_is_refused_next_to_the_field(client, staff_a, office_a):
    client.force_login(staff_a)
    data = project_data(office_a, start_date="2026-06-01", end_date="2026-05-31")
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert not Project.objects.exists()
    form = response.context["form"]
    assert form.errors["end_date"] == ["The end date cannot be before the start date."]
    body = response.content.decode()
    assert "The end date cannot be before the start date." in body
    assert 'value="Winter kits for displaced families"' in body  # nothing typed is lost


def test_duplicate_code_is_refused(client, staff_a, office_a, project_a):
    client.force_login(staff_a)
    response = client.post(reverse("projects:create"), project_data(office_a, code=project_a.code))
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "Another project already uses this code. Choose another."
    ]
    assert Project.objects.count() == 1


def test_negative_population_figures_are_refused(client, staff_a, office_a):
    client.force_login(staff_a)
    field = population_field_name("male", "18-59", True)
    response = client.post(reverse("projects:create"), project_data(office_a, **{field: "-5"}))
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.context["form"].errors[field][0]
    assert not Project.objects.exists() and not PopulationFigure.objects.exists()


def test_garbage_dates_and_missing_sectors_are_refused_with_messages(client, staff_a, office_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("projects:create"),
        project_data(office_a, start_date="31/31/2026", sectors=[]),
    )
    errors = response.context["form"].errors
    assert errors["start_date"] == ["Enter a valid date."]
    assert errors["sectors"] == ["Choose at least one sector."]
    assert not Project.objects.exists()


def test_office_field_offers_only_the_users_own_offices(client, staff_a, office_a, office_b):
    client.force_login(staff_a)
    page = client.get(reverse("projects:create"))
    offices = list(page.context["form"].fields["office"].queryset)
    assert offices == [office_a]
    response = client.post(reverse("projects:create"), project_data(office_b))
    assert "office" in response.context["form"].errors
    assert not Project.objects.exists()


def test_staff_edit_a_project_and_figures_are_updated(client, staff_a, office_a, project_a):
    client.force_login(staff_a)
    field = population_field_name("female", "6-17", True)
    data = project_data(office_a, code=project_a.code, title="Renamed", **{field: "7"})
    response = client.post(reverse("projects:update", args=[project_a.pk]), data)
    assert response.status_code == 302
    project_a.refresh_from_db()
    assert project_a.title == "Renamed"
    assert (
        project_a.population_figures.get(
            sex="female", age_group="6-17", with_disability=True
        ).people
        == 7
    )
    # Saving again updates the same 16 cells rather than adding rows.
    client.post(reverse("projects:update", args=[project_a.pk]), data)
    assert project_a.population_figures.count() == 16


def test_french_form_errors_are_in_french(client, staff_a, office_a):
    client.force_login(staff_a)
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    data = project_data(office_a, start_date="2026-06-01", end_date="2026-05-31")
    response = client.post(reverse("projects:create"), data)
    body = response.content.decode()
    assert "La date de fin ne peut pas être antérieure à la date de début." in body
    assert "Nouveau projet" in body


# --- The phase moves only through the workflow ------------------------------------------


def test_the_project_form_cannot_set_the_phase(client, staff_a, office_a):
    client.force_login(staff_a)
    evaluation = Phase.objects.get(code="evaluation").pk
    client.post(reverse("projects:create"), project_data(office_a, current_phase=evaluation))
    project = Project.objects.get(code="IRQ-NFI-2026-07")
    assert project.current_phase.code == "design"

    response = client.post(
        reverse("projects:update", args=[project.pk]),
        project_data(office_a, current_phase=evaluation, title="Renamed"),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Renamed"
    assert project.current_phase.code == "design"
    assert not project.audit_entries.filter(action="phase_changed").exists()


def test_an_edit_saved_after_an_approval_keeps_the_phase_move(
    client, staff_a, focal_a, office_a, project_a
):
    from checklists import workflow

    from ..checklists.test_review import submitted_checklist

    checklist = submitted_checklist(project_a, staff_a)
    # The edit form is opened (and its project read) before the focal point approves...
    form_project = Project.objects.get(pk=project_a.pk)
    form = ProjectForm(
        project_data(office_a, title="Edited meanwhile"), instance=form_project, user=staff_a
    )
    assert form.is_valid(), form.errors
    workflow.decide_checklist(checklist=checklist, reviewer=focal_a, decision="approved")
    # ...and saved after the approval moved the project to endorsement.
    form.save()
    project_a.refresh_from_db()
    assert project_a.title == "Edited meanwhile"
    assert project_a.current_phase.code == "endorsement"


def test_the_admin_shows_the_phase_but_cannot_change_it(client, project_a):
    from django.contrib.auth.models import User

    from tests.conftest import sign_in_fully

    admin = User.objects.create_superuser("root", password="pw")
    sign_in_fully(client, admin)
    url = reverse("admin:projects_project_change", args=[project_a.pk])
    page = client.get(url).content.decode()
    assert 'name="current_phase"' not in page
    assert "Project development and design" in page
