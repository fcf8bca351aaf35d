"""Background documents moved from the reports app to the project: same table, same rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from vpr_portal.models import GeneratedDocument


@pytest.mark.django_db(transaction=True)
def test_a_document_stored_by_the_reports_app_is_read_by_the_project_after_migrating():
    before = [("reports", "0002_document_job"), ("vpr_portal", "0001_jobs")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    Job = old_apps.get_model("vpr_portal", "Job")
    OldDocument = old_apps.get_model("reports", "GeneratedDocument")
    job = Job.objects.create(kind="document.build", key="document.build:moved", state="done")
    OldDocument.objects.create(key="moved", kind="tests.kind", title="Комплект", params={"a": 1}, job=job)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    document = GeneratedDocument.objects.get(key="moved")
    assert (document.title, document.params, document.job_id, document.status) == ("Комплект", {"a": 1}, job.pk, "done")
    state = executor.loader.project_state()
    assert ("vpr_portal", "generateddocument") in state.models
    assert ("reports", "generateddocument") not in state.models
    assert GeneratedDocument._meta.db_table == "reports_generateddocument"
