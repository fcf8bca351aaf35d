"""Documents built in the background move from the reports app to the project (beside the jobs that build
them). Only Django's idea of where the model lives changes: the table keeps its name
(reports_generateddocument) and its rows, so no database operation runs (reports 0003 drops the old state)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import vpr_portal.models


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
        ("vpr_portal", "0001_jobs"),
        ("reports", "0002_document_job"),  # the table exists, with its job column, before it changes hands
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GeneratedDocument",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=200, unique=True)),
                        ("kind", models.CharField(max_length=60)),
                        ("title", models.CharField(max_length=300)),
                        ("params", models.JSONField(default=dict)),
                        ("file", models.FileField(blank=True, upload_to=vpr_portal.models.generated_path)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "job",
                            models.OneToOneField(
                                editable=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="document",
                                to="vpr_portal.job",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "school",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="schools.school",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "сформированный документ",
                        "verbose_name_plural": "сформированные документы",
                        "db_table": "reports_generateddocument",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
