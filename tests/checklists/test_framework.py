import io
import json
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from checklists import workflow
from checklists.models import (
    Framework,
    FrameworkStatus,
    GoodPractice,
    Item,
    Phase,
    Principle,
    Topic,
)
from projects.models import Sector

pytestmark = pytest.mark.django_db


def published_framework() -> Framework:
    return Framework.objects.get(code="iom-pm", status=FrameworkStatus.PUBLISHED)


def test_fixtures_load_the_four_principles_and_four_phases():
    assert list(Principle.objects.values_list("code", flat=True)) == [
        "safety",
        "access",
        "accountability",
        "participation",
    ]
    assert list(Phase.objects.values_list("code", flat=True)) == [
        "design",
        "endorsement",
        "implementation",
        "evaluation",
    ]
    assert Principle.objects.get(code="access").name_fr == "Garantir un accès significatif"
    assert Phase.objects.get(code="implementation").name_fr == "Mise en œuvre et suivi"


def test_published_framework_has_at_least_four_items_per_phase_and_principle():
    items = Item.objects.filter(framework=published_framework())
    assert items.count() >= 64
    cells = Counter(items.values_list("phase__code", "principle__code"))
    assert len(cells) == 16
    assert min(cells.values()) >= 4


def test_every_item_has_question_and_guidance_in_english_and_french():
    for item in Item.objects.all():
        for field in ("question_en", "question_fr", "guidance_en", "guidance_fr"):
            assert getattr(item, field).strip(), f"{item.code} has no {field}"
        assert item.question_en != item.question_fr, f"{item.code} French is a copy"


def test_each_phase_has_a_critical_item_and_disability_is_a_first_class_topic():
    items = Item.objects.filter(framework=published_framework())
    critical_phases = set(items.filter(critical=True).values_list("phase__code", flat=True))
    assert critical_phases == {"design", "endorsement", "implementation", "evaluation"}
    assert items.filter(topics__code="disability").count() >= 12


def test_sector_specific_items_name_their_sectors():
    cash_items = Item.objects.filter(sectors__code="cash")
    assert cash_items.exists()
    assert Item.objects.filter(sectors__isnull=True).count() > cash_items.count()


def test_reference_data_is_translated():
    for model, fields in [
        (Sector, ["name"]),
        (Topic, ["name"]),
        (GoodPractice, ["country", "text"]),
        (Principle, ["name", "description"]),
        (Phase, ["name", "description"]),
    ]:
        for obj in model.objects.all():
            for field in fields:
                assert getattr(obj, f"{field}_fr").strip(), f"{obj} has no French {field}"
    assert GoodPractice.objects.filter(principle__code="participation").count() >= 4


def test_load_framework_twice_changes_nothing():
    before = (Framework.objects.count(), Item.objects.count(), Principle.objects.count())
    call_command("load_framework", stdout=io.StringIO())
    after = (Framework.objects.count(), Item.objects.count(), Principle.objects.count())
    assert before == after
    assert published_framework().version == 3  # the newest file, fixtures/framework_v3.json


def test_load_framework_refuses_a_changed_file_for_a_published_version(tmp_path, settings):
    content = json.loads((settings.FIXTURE_DIRS[0] / "framework_v1.json").read_text())
    content["items"][0]["question"]["en"] = "A quietly changed question?"
    changed = tmp_path / "framework_v1.json"
    changed.write_text(json.dumps(content))
    with pytest.raises(CommandError, match="new version number"):
        call_command("load_framework", str(changed), stdout=io.StringIO())
    assert not Item.objects.filter(question_en="A quietly changed question?").exists()


def test_load_framework_publishes_a_new_version_and_retires_the_old(tmp_path, settings):
    content = json.loads((settings.FIXTURE_DIRS[0] / "framework_v3.json").read_text())
    content["version"] = 4
    content["items"][0]["question"]["en"] = "A reworded question?"
    new_file = tmp_path / "framework_v4.json"
    new_file.write_text(json.dumps(content))
    call_command("load_framework", str(new_file), stdout=io.StringIO())
    assert published_framework().version == 4
    assert Framework.objects.get(code="iom-pm", version=3).status == FrameworkStatus.RETIRED
    old_item = Item.objects.get(framework__version=3, code=content["items"][0]["code"])
    assert old_item.question_en != "A reworded question?"


def test_published_item_refuses_changes_in_model_validation():
    item = Item.objects.filter(framework=published_framework()).first()
    item.question_en = "Changed"
    with pytest.raises(ValidationError, match="new version"):
        item.full_clean()


def test_admin_cannot_change_an_item_of_a_published_framework(admin_client):
    item = Item.objects.filter(framework=published_framework()).first()
    url = reverse("admin:checklists_item_change", args=[item.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'name="question_en"' not in page.content  # read-only view, no input
    response = admin_client.post(url, {"code": item.code, "question_en": "Changed"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.question_en != "Changed"


def test_admin_cannot_change_or_delete_a_published_framework(admin_client):
    framework = published_framework()
    version = framework.version
    url = reverse("admin:checklists_framework_change", args=[framework.pk])
    response = admin_client.post(url, {"code": "x", "version": 9, "name_en": "Changed"})
    assert response.status_code == 403
    delete = admin_client.post(
        reverse("admin:checklists_framework_delete", args=[framework.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    framework.refresh_from_db()
    assert framework.version == version


def test_new_version_is_an_editable_draft_copy_that_can_be_published(admin_client):
    old = published_framework()
    draft = workflow.start_new_framework_version(framework=old)
    assert draft.status == FrameworkStatus.DRAFT and draft.version == old.version + 1
    assert draft.items.count() == old.items.count()
    assert set(draft.items.filter(topics__code="disability").values_list("code", flat=True)) == set(
        old.items.filter(topics__code="disability").values_list("code", flat=True)
    )
    item = draft.items.get(code="DES-SAF-01")
    url = reverse("admin:checklists_item_change", args=[item.pk])
    data = {
        "framework": draft.pk,
        "code": item.code,
        "phase": item.phase_id,
        "principle": item.principle_id,
        "order": item.order,
        "question_en": "Reworded in the draft?",
        "question_fr": item.question_fr,
        "guidance_en": item.guidance_en,
        "guidance_fr": item.guidance_fr,
        # Every language the framework is written in: publishing checks them all.
        **{
            f"{t}_{lang}": getattr(item, f"{t}_{lang}")
            for t in ("question", "guidance")
            for lang in ("es", "ar")
        },
        "critical": "on",
        "topics": [t.pk for t in item.topics.all()],
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    item.refresh_from_db()
    assert item.question_en == "Reworded in the draft?"
    workflow.publish_framework(framework=draft)
    old.refresh_from_db()
    assert old.status == FrameworkStatus.RETIRED
    with pytest.raises(ValidationError):
        workflow.publish_framework(framework=draft)


def test_admin_shows_both_languages_for_items(admin_client):
    response = admin_client.get(reverse("admin:checklists_item_add"))
    assert b'name="question_fr"' in response.content
    assert b'name="question_en"' in response.content


def test_a_draft_edited_in_the_app_is_published_only_when_it_keeps_the_rules_of_a_file():
    """The rules an uploaded file must keep hold at publishing too (framework_rules): a
    draft missing guidance in a language, or with a thin phase × principle cell, stays a
    draft, and the message names the item and what to do."""
    old = published_framework()
    draft = workflow.start_new_framework_version(framework=old)
    Item.objects.filter(framework=draft, code="DES-SAF-01").update(guidance_es="")
    with pytest.raises(ValidationError) as refused:
        workflow.publish_framework(framework=draft)
    assert "DES-SAF-01 guidance::es: The guidance in Spanish is missing." in refused.value.messages
    draft.refresh_from_db()
    assert draft.status == FrameworkStatus.DRAFT
    Item.objects.filter(framework=draft, code="DES-SAF-01").update(
        guidance_es=Item.objects.get(framework=old, code="DES-SAF-01").guidance_es
    )
    common = draft.items.filter(phase__code="design", principle__code="access", sectors=None)
    common.exclude(pk__in=list(common.values_list("pk", flat=True)[:3])).delete()
    with pytest.raises(ValidationError) as refused:
        workflow.publish_framework(framework=draft)
    assert any("design × access has 3 items for every project" in m for m in refused.value.messages)
    old.refresh_from_db()
    assert old.status == FrameworkStatus.PUBLISHED
