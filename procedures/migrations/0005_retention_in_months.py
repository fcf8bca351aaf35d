import django.core.validators
from django.db import migrations, models


def days_to_months(apps, schema_editor):
    """The period was in days (365 by default): in calendar months from each sitting, 365 days is 12 months."""
    Campaign = apps.get_model("procedures", "Campaign")
    for campaign in Campaign.objects.all():
        days = campaign.retention_days
        campaign.retention_months = 12 if days in (365, 366) else max(1, round(days / 30.4))
        campaign.save(update_fields=["retention_months"])


def months_to_days(apps, schema_editor):
    Campaign = apps.get_model("procedures", "Campaign")
    for campaign in Campaign.objects.all():
        months = campaign.retention_months
        campaign.retention_days = 365 if months == 12 else round(months * 30.4)
        campaign.save(update_fields=["retention_days"])


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0004_working_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="retention_months",
            field=models.PositiveSmallIntegerField(
                default=12,
                help_text=(
                    "Протоколы с ФИО хранятся этот срок со дня проведения каждой работы (12 месяцев — до того же "
                    "числа следующего года), затем удаляются (Регламент 4.3.12, 7.9)."
                ),
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="срок хранения персональных данных, месяцев",
            ),
        ),
        migrations.RunPython(days_to_months, months_to_days),
        migrations.RemoveField(
            model_name="campaign",
            name="retention_days",
        ),
    ]
