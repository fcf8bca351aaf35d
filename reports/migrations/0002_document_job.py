"""A generated document's state moves to its job (vpr_portal.Job): one job per document, carrying the state,
progress, error and finish time the document had."""

import django.db.models.deletion
from django.db import migrations, models

DOCUMENT_JOB = "document.build"


def documents_to_jobs(apps, schema_editor):
    GeneratedDocument = apps.get_model("reports", "GeneratedDocument")
    Job = apps.get_model("vpr_portal", "Job")
    for document in GeneratedDocument.objects.filter(job__isnull=True).iterator():
        document.job = Job.objects.create(
            kind=DOCUMENT_JOB,
            key=f"{DOCUMENT_JOB}:{document.key}",
            state=document.status,
            progress=document.progress,
            error=document.error,
            requested_by_id=document.requested_by_id,
            created_at=document.created_at,
            queued_at=document.created_at,
            finished_at=document.finished_at,
        )
        document.save(update_fields=["job"])


def jobs_to_documents(apps, schema_editor):
    GeneratedDocument = apps.get_model("reports", "GeneratedDocument")
    for document in GeneratedDocument.objects.select_related("job").iterator():
        document.status, document.progress = document.job.state, document.job.progress
        document.error, document.finished_at = document.job.error, document.job.finished_at
        document.save(update_fields=["status", "progress", "error", "finished_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_generated_documents"),
        ("vpr_portal", "0001_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="generateddocument",
            name="job",
            field=models.OneToOneField(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="document",
                to="vpr_portal.job",
            ),
        ),
        migrations.RunPython(documents_to_jobs, jobs_to_documents),
        migrations.AlterField(
            model_name="generateddocument",
            name="job",
            field=models.OneToOneField(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="document",
                to="vpr_portal.job",
            ),
        ),
        migrations.RemoveField(model_name="generateddocument", name="status"),
        migrations.RemoveField(model_name="generateddocument", name="progress"),
        migrations.RemoveField(model_name="generateddocument", name="error"),
        migrations.RemoveField(model_name="generateddocument", name="finished_at"),
    ]
