import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Orders go to the director for approval; the versions issued before stay in force (approved)."""

    dependencies = [
        ("procedures", "0006_campaign_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="schoolorder",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "на утверждении у директора"),
                    ("returned", "возвращён директором"),
                    ("approved", "утверждён"),
                ],
                default="approved",
                max_length=10,
                verbose_name="статус",
            ),
        ),
        migrations.AlterField(
            model_name="schoolorder",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "на утверждении у директора"),
                    ("returned", "возвращён директором"),
                    ("approved", "утверждён"),
                ],
                default="submitted",
                max_length=10,
                verbose_name="статус",
            ),
        ),
        migrations.AddField(
            model_name="schoolorder",
            name="comment",
            field=models.TextField(blank=True, verbose_name="комментарий директора"),
        ),
        migrations.AddField(
            model_name="schoolorder",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="schoolorder",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.CreateModel(
            name="SchoolOrderStep",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("submitted", "отправлен на утверждение"),
                            ("approved", "утверждён"),
                            ("returned", "возвращён с комментарием"),
                        ],
                        max_length=10,
                        verbose_name="действие",
                    ),
                ),
                ("comment", models.TextField(blank=True, verbose_name="комментарий")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "actor",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="procedures.schoolorder",
                    ),
                ),
            ],
            options={
                "verbose_name": "шаг утверждения приказа",
                "verbose_name_plural": "шаги утверждения приказа",
                "ordering": ["created_at", "id"],
            },
        ),
    ]
