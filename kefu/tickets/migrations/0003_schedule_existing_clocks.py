"""Give clocks that were running before supervision existed their next warning time."""

from django.db import migrations


def schedule(apps, schema_editor):
    from kefu.tickets.clocks import schedule_next_alert

    Clock = apps.get_model("tickets", "Clock")
    for clock in Clock.objects.filter(status="open", next_alert_at__isnull=True).iterator():
        schedule_next_alert(clock)
        if clock.next_alert_at is not None:
            Clock.objects.filter(pk=clock.pk).update(next_alert_at=clock.next_alert_at)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_clock_next_alert")]

    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
