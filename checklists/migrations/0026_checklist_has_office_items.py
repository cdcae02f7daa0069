from django.db import migrations, models
from django.db.models import Exists, OuterRef


def record_office_items(apps, schema_editor):
    """Checklists started before the flag: those holding an item of an office's version."""
    Checklist = apps.get_model("checklists", "Checklist")
    Answer = apps.get_model("checklists", "Answer")
    office_answers = Answer.objects.filter(
        checklist=OuterRef("pk"), item__framework__office__isnull=False
    )
    Checklist.objects.filter(Exists(office_answers)).update(has_office_items=True)


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0025_audit_and_mail_choices"),
    ]

    operations = [
        migrations.AddField(
            model_name="checklist",
            name="has_office_items",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Whether the checklist holds items its office added (scored apart).",
                verbose_name="has office items",
            ),
        ),
        migrations.RunPython(record_office_items, migrations.RunPython.noop),
    ]
