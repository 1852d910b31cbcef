"""The return window is a permission, not a task: running return clocks are no longer
scheduled for warnings, and the orders' next deadline no longer counts them."""

from django.db import migrations
from django.db.models import Min, OuterRef, Q, Subquery


def forwards(apps, schema_editor):
    Clock = apps.get_model("tickets", "Clock")
    WorkOrder = apps.get_model("tickets", "WorkOrder")
    Clock.objects.filter(kind="return", status="open").update(next_alert_at=None)
    earliest = (
        Clock.objects.filter(order_id=OuterRef("pk"), status="open")
        .exclude(kind="return")
        .values("order_id")
        .annotate(first=Min("deadline"))
        .values("first")
    )
    WorkOrder.objects.filter(Q(closed_at__isnull=True)).update(next_deadline=Subquery(earliest))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_confidential_and_actor_snapshot")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
