from django.db import migrations


def strip_descriptions(apps, schema_editor):
    """Action points are complete when their description is not empty: the workflow now
    stores descriptions stripped, and older ones are stripped here once."""
    ActionPoint = apps.get_model("checklists", "ActionPoint")
    for action_point in ActionPoint.objects.only("pk", "description").iterator():
        stripped = action_point.description.strip()
        if stripped != action_point.description:
            ActionPoint.objects.filter(pk=action_point.pk).update(description=stripped)


class Migration(migrations.Migration):
    dependencies = [("checklists", "0008_mail_outbox_report_heartbeat")]

    operations = [migrations.RunPython(strip_descriptions, migrations.RunPython.noop)]
