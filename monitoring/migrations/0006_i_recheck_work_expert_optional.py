import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A re-checked work's commission expert is optional: the commission's file (import_recheck) brings the final
    result of works no single expert scored in the grid."""

    dependencies = [
        ("monitoring", "0005_recheck"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recheckwork",
            name="expert",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="works",
                to="monitoring.commissionmember",
            ),
        ),
    ]
