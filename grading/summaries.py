"""Summary rows: what the figures count, kept per school × assessment × class, so that a dashboard reads a few
hundred rows instead of grouping a region's millions of scores (at 5 million scores one region-wide GROUP BY
took 1.3–1.7 s on PostgreSQL).

Three tables (grading/models.py), each a GROUP BY of the raw rows by the counting rules of grading/figures.py:

- ParticipationSummary (assessment, school, class) → absent, present: the participants who write (status «пишет»);
- ResultSummary (assessment, school, class, primary score, mark, journal mark) → n: the counted works, those of
  present participants who write, with every task graded (`Work.is_complete`);
- TaskSummary (assessment, school, class, mark, task) → Σ points, Σ points², Σ points × primary score over the
  counted works' scores («X» counts 0): completion per task and by mark group, and the item analysis's sums.

A participant's school and class are the participant's (`Participant.school`, `class_name`) for participation;
the work's school (`Work.school`, the same) and the participant's class for results and tasks.

Kept current in the transaction of every write that changes what is counted, never afterwards:
`summaries_refresh` recomputes one school's assessments (or one class) from the raw rows in SQL (delete, then
INSERT … SELECT … GROUP BY) and bumps the assessments' results stamps (`ResultsStamp`, which the cached figures
of grading/cache.py key on). The results import, a grid cell or journal mark of a counted work, a catalogue
change, and procedures' changes of participants (through `procedures.services.dependants.participants_changed`)
call it. Two refreshes of the same school and assessment run one after the other (a PostgreSQL advisory lock
taken last in the writer's transaction, so it never waits behind a row lock the other holds);
`summaries_rebuild` recomputes a campaign or everything set-based, and `summaries_check` compares the rows with
the raw counts (`rebuild_summaries --check`). Both work on SQLite and PostgreSQL.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from grading.models import ParticipationSummary, ResultsStamp, ResultSummary, Score, TaskSummary, Work
from procedures.models import Assessment, Campaign, Participant

WRITES = Participant.Status.WRITES.value

PARTICIPATION, RESULTS, TASKS = "participation", "results", "tasks"
ALL = (PARTICIPATION, RESULTS, TASKS)
# A grid cell or a journal mark changes a counted work, never who is present
WORK_PARTS = (RESULTS, TASKS)

MODELS = {PARTICIPATION: ParticipationSummary, RESULTS: ResultSummary, TASKS: TaskSummary}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _sources() -> dict[str, tuple[list[str], str, str, str]]:
    """Each summary's (columns, SELECT of the raw rows by the counting rules, and the raw school and assessment
    columns its scope filters on). The SELECT ends with `WHERE <counting rules>`, so that a scope is ANDed on
    and a GROUP BY follows."""
    participant, work, score = _table(Participant), _table(Work), _table(Score)
    return {
        PARTICIPATION: (
            ["assessment_id", "school_id", "class_name", "absent", "present"],
            f"SELECT p.assessment_id AS assessment_id, p.school_id AS school_id, p.class_name,"
            f" SUM(CASE WHEN p.absent THEN 1 ELSE 0 END), SUM(CASE WHEN p.absent THEN 0 ELSE 1 END)"
            f" FROM {participant} p WHERE p.status = %s",
            "p.school_id",
            "p.assessment_id",
        ),
        RESULTS: (
            ["assessment_id", "school_id", "class_name", "primary_score", "mark", "journal_mark", "n"],
            f"SELECT w.assessment_id AS assessment_id, w.school_id AS school_id, p.class_name, w.primary_score, w.mark,"
            f" w.journal_mark, COUNT(*)"
            f" FROM {work} w JOIN {participant} p ON p.id = w.participant_id"
            f" WHERE p.status = %s AND NOT p.absent AND w.is_complete",
            "w.school_id",
            "w.assessment_id",
        ),
        TASKS: (
            [
                "assessment_id",
                "school_id",
                "class_name",
                "mark",
                "task_id",
                "points",
                "points_squared",
                "points_by_total",
            ],
            f"SELECT w.assessment_id AS assessment_id, w.school_id AS school_id, p.class_name, w.mark, s.task_id,"
            f" COALESCE(SUM(s.value), 0),"
            f" COALESCE(SUM(CAST(s.value AS BIGINT) * s.value), 0),"
            f" COALESCE(SUM(CAST(s.value AS BIGINT) * w.primary_score), 0)"
            f" FROM {score} s JOIN {work} w ON w.id = s.work_id JOIN {participant} p ON p.id = w.participant_id"
            f" WHERE p.status = %s AND NOT p.absent AND w.is_complete",
            "w.school_id",
            "w.assessment_id",
        ),
    }


GROUP_BY = {
    PARTICIPATION: "p.assessment_id, p.school_id, p.class_name",
    RESULTS: "w.assessment_id, w.school_id, p.class_name, w.primary_score, w.mark, w.journal_mark",
    TASKS: "w.assessment_id, w.school_id, p.class_name, w.mark, s.task_id",
}
# Key columns of the summary (all but the sums), to compare them with the raw counts
KEYS = {
    PARTICIPATION: ["assessment_id", "school_id", "class_name"],
    RESULTS: ["assessment_id", "school_id", "class_name", "primary_score", "mark", "journal_mark"],
    TASKS: ["assessment_id", "school_id", "class_name", "mark", "task_id"],
}


@dataclass(frozen=True)
class Scope:
    """Which summary rows: of one school (or every school), of some assessments (or every assessment, or a
    campaign's), of one class (or every class)."""

    school_id: int | None = None
    assessment_ids: tuple[int, ...] | None = None
    campaign_id: int | None = None
    class_name: str | None = None

    def where(self, *, school: str, assessment: str, class_name: str) -> tuple[str, list]:
        """` AND …` conditions on the given columns, and their parameters."""
        sql, params = "", []
        if self.school_id is not None:
            sql += f" AND {school} = %s"
            params.append(self.school_id)
        if self.assessment_ids is not None:
            sql += f" AND {assessment} IN ({', '.join(['%s'] * len(self.assessment_ids))})"
            params.extend(self.assessment_ids)
        if self.campaign_id is not None:
            sql += f" AND {assessment} IN (SELECT id FROM {_table(Assessment)} WHERE campaign_id = %s)"
            params.append(self.campaign_id)
        if self.class_name is not None:
            sql += f" AND {class_name} = %s"
            params.append(self.class_name)
        return sql, params


def _raw_select(part: str, scope: Scope) -> tuple[str, list]:
    """The raw counts of one summary in `scope`: a SELECT of the summary's columns."""
    _columns, select, school, assessment = _sources()[part]
    where, params = scope.where(school=school, assessment=assessment, class_name="p.class_name")
    return f"{select}{where} GROUP BY {GROUP_BY[part]}", [WRITES, *params]


def _summary_where(scope: Scope) -> tuple[str, list]:
    where, params = scope.where(school="school_id", assessment="assessment_id", class_name="class_name")
    return "WHERE 1 = 1" + where, params


def _lock_scopes(school_id: int, assessment_ids: Iterable[int]) -> None:
    """Serialises refreshes of the same school and assessment on PostgreSQL (SQLite has one writer at a time):
    otherwise two transactions could each delete the rows the other had not committed yet and insert their own.
    Taken in one order, at the end of the writer's transaction."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for assessment_id in sorted(set(assessment_ids)):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"grading.summaries:{school_id}:{assessment_id}"]
            )


def _replace(parts: Iterable[str], scope: Scope) -> None:
    with connection.cursor() as cursor:
        for part in parts:
            columns = _sources()[part][0]
            where, params = _summary_where(scope)
            cursor.execute(f"DELETE FROM {_table(MODELS[part])} {where}", params)
            select, params = _raw_select(part, scope)
            cursor.execute(f"INSERT INTO {_table(MODELS[part])} ({', '.join(columns)}) {select}", params)


def _stamp(*, assessment_ids: Iterable[int] | None = None, campaign_id: int | None = None) -> None:
    """Bumps the results stamp of the assessments (some, a campaign's, or all) in the writer's transaction, so that
    cached figures of them (grading/cache.py) are never read again: one UPSERT, rows taken in id order."""
    where, params = "WHERE 1 = 1", []
    if assessment_ids is not None:
        ids = sorted(set(assessment_ids))
        if not ids:
            return
        where += f" AND id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    if campaign_id is not None:
        where, params = where + " AND campaign_id = %s", [*params, campaign_id]
    stamp = _table(ResultsStamp)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {stamp} (assessment_id, version) SELECT id, 1 FROM {_table(Assessment)} {where} ORDER BY id"
            f" ON CONFLICT (assessment_id) DO UPDATE SET version = {stamp}.version + 1",
            params,
        )


def summaries_refresh(
    *, school_id: int, assessment_ids: Iterable[int], class_name: str | None = None, parts: Iterable[str] = ALL
) -> None:
    """Recomputes the summary rows of one school's assessments (of one class with `class_name`) from the raw rows,
    inside the caller's transaction: two statements per summary. Call it after the write, last."""
    ids = tuple(sorted(set(assessment_ids)))
    if not ids:
        return
    with transaction.atomic():
        _lock_scopes(school_id, ids)
        _replace(parts, Scope(school_id=school_id, assessment_ids=ids, class_name=class_name))
        _stamp(assessment_ids=ids)


def summaries_refresh_assessment(assessment: Assessment) -> int:
    """Recomputes every school's summary rows of the assessment (after a catalogue change recomputed its works'
    marks). Registered as procedures' recompute callback: returns 0, it changes no work."""
    summaries_rebuild(assessment_ids=[assessment.pk])
    return 0


def participants_changed(school_id: int, assessment_ids: Iterable[int]) -> None:
    """Procedures' callback: participants of the school were added, removed or changed (status, absence,
    class)."""
    summaries_refresh(school_id=school_id, assessment_ids=assessment_ids)


@dataclass(frozen=True)
class RebuildCounts:
    participation: int
    results: int
    tasks: int


def _lock_tables() -> None:
    """A rebuild holds off every refresh until it commits (readers go on): on PostgreSQL an EXCLUSIVE lock on the
    three tables, which conflicts with the refreshes' writes only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(_table(m) for m in MODELS.values())} IN EXCLUSIVE MODE")


@transaction.atomic
def summaries_rebuild(
    *, campaign: Campaign | None = None, assessment_ids: Iterable[int] | None = None, stamp: bool = True
) -> RebuildCounts:
    """Recomputes the summary rows of a campaign, of some assessments, or of everything, set-based: one DELETE and
    one INSERT … SELECT … GROUP BY per summary, and bumps their results stamps (`stamp=False`: only the migration
    that made the summaries, before the stamps' table exists). Returns the number of rows of each summary in the
    scope."""
    _lock_tables()
    scope = Scope(
        campaign_id=campaign.pk if campaign is not None else None,
        assessment_ids=tuple(assessment_ids) if assessment_ids is not None else None,
    )
    _replace(ALL, scope)
    if stamp:
        _stamp(assessment_ids=scope.assessment_ids, campaign_id=scope.campaign_id)
    counts = {}
    with connection.cursor() as cursor:
        for part in ALL:
            where, params = _summary_where(scope)
            cursor.execute(f"SELECT COUNT(*) FROM {_table(MODELS[part])} {where}", params)
            counts[part] = cursor.fetchone()[0]
    return RebuildCounts(**counts)


@dataclass(frozen=True)
class Mismatch:
    """A school × assessment whose summary rows differ from the raw counts, and in which summaries."""

    school_id: int
    assessment_id: int
    parts: tuple[str, ...]


def summaries_check(*, campaign: Campaign | None = None) -> list[Mismatch]:
    """Compares the summary rows with the raw counts (a campaign's, or everything); returns every school ×
    assessment where they differ, in the order of their ids. Two statements per summary, set-based: the rows
    (summed per key, so that a duplicated row shows) EXCEPT the raw counts, and the other way round."""
    scope = Scope(campaign_id=campaign.pk if campaign is not None else None)
    found: dict[tuple[int, int], list[str]] = {}
    with connection.cursor() as cursor:
        for part in ALL:
            columns, keys = _sources()[part][0], KEYS[part]
            sums = [column for column in columns if column not in keys]
            where, where_params = _summary_where(scope)
            summary = (
                f"SELECT {', '.join(keys)}, {', '.join(f'SUM({c})' for c in sums)} FROM {_table(MODELS[part])}"
                f" {where} GROUP BY {', '.join(keys)}"
            )
            raw, raw_params = _raw_select(part, scope)
            for first, first_params, second, second_params in (
                (summary, where_params, raw, raw_params),
                (raw, raw_params, summary, where_params),
            ):
                cursor.execute(
                    f"SELECT DISTINCT school_id, assessment_id FROM ({first} EXCEPT {second}) AS d",
                    [*first_params, *second_params],
                )
                for school_id, assessment_id in cursor.fetchall():
                    parts = found.setdefault((school_id, assessment_id), [])
                    if part not in parts:
                        parts.append(part)
    return [
        Mismatch(school_id, assessment_id, tuple(parts)) for (school_id, assessment_id), parts in sorted(found.items())
    ]


# The name reports/demo/region.py (seed_demo --scale region) looks up after writing its rows by COPY.
rebuild_summaries = summaries_rebuild
