"""Seed the working-day calendar 2004–2026 from the chinesecalendar package."""

from django.db import migrations

FIRST_YEAR, LAST_YEAR = 2004, 2026


def seed(apps, schema_editor):
    from kefu.core.calendar_loading import package_year_days

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if CalendarYear.objects.filter(year=year).exists():
            continue
        CalendarDay.objects.bulk_create(
            CalendarDay(date=day, kind=kind, is_working_day=kind in ("workday", "makeup"),
                        name=name)
            for day, kind, name in package_year_days(year)
        )
        CalendarYear.objects.create(year=year, source="chinesecalendar")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
