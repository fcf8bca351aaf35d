"""GeneratedDocument now lives in the project (vpr_portal 0002, same table and rows): the reports app forgets
it without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_document_job"),
        ("vpr_portal", "0002_generated_documents"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="GeneratedDocument")],
            database_operations=[],
        ),
    ]
