"""Reads of regulation documents, each starting from what the user may see.

The department (staff, municipal coordinator) reads its own documents and who has confirmed them; a school's
coordinator and director read the documents of their school's department and their own school's
confirmations. Everyone else sees none.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from procedures.models import Campaign, Document, DocumentAcknowledgement, DocumentVersion
from schools.access import Capability, department_ids_with, schools_with
from schools.models import Department, School, User


def _publisher_department_ids(user: User) -> set[int]:
    return department_ids_with(user, Capability.PUBLISH_DOCUMENTS)


def may_publish(user: User, document: Document) -> bool:
    """Whether the user publishes new versions of the document (and follows who confirmed them)."""
    return document.department_id in _publisher_department_ids(user)


def _own_schools(user: User, *, department_id: int | None = None) -> list[School]:
    """The schools in which the user confirms documents."""
    schools = schools_with(user, Capability.ACKNOWLEDGE_DOCUMENTS)
    if department_id is not None:
        schools = schools.filter(department_id=department_id)
    return list(schools.order_by("code"))


def documents_visible_to(user: User, capability: Capability = Capability.READ_DOCUMENTS) -> QuerySet[Document]:
    """Documents of the departments where the user holds `capability` (reading by default): the department's
    own, or those of the department of the user's school."""
    department_ids = department_ids_with(user, capability)
    if not department_ids:
        return Document.objects.none()
    return Document.objects.filter(department_id__in=department_ids)


def publishing_department(user: User) -> Department | None:
    """The department on whose behalf the user publishes documents."""
    return Department.objects.filter(pk__in=_publisher_department_ids(user)).order_by("pk").first()


def campaigns_for_documents(user: User) -> QuerySet[Campaign]:
    """Campaigns of the departments whose documents the user reads (for filtering and tying documents)."""
    department_ids = documents_visible_to(user).values("department_id")
    return Campaign.objects.filter(department_id__in=department_ids)


def acknowledging_schools(user: User, *, document: Document) -> list[School]:
    """The user's schools that confirm this document (usually one)."""
    return _own_schools(user, department_id=document.department_id)


def document_list(*, user: User, campaign_id: int | None = None, kind: str = "") -> QuerySet[Document]:
    """The documents the user may read, newest first, each with its latest version's number and date."""
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    documents = documents_visible_to(user).select_related("campaign")
    if campaign_id:
        documents = documents.filter(campaign_id=campaign_id)
    if kind:
        documents = documents.filter(kind=kind)
    return documents.annotate(
        latest_version_id=Subquery(latest.values("pk")[:1]),
        latest_number=Subquery(latest.values("number")[:1]),
        latest_published_at=Subquery(latest.values("published_at")[:1]),
    ).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class DocumentRow:
    document: Document
    # department: how many of its schools confirmed the latest version, out of how many
    acknowledged_count: int | None = None
    school_count: int | None = None
    # school: whether the user's schools have all confirmed the latest version
    own_acknowledged: bool | None = None


def document_rows(*, user: User, documents: Iterable[Document]) -> list[DocumentRow]:
    """Rows of a page of `document_list` with the confirmation status of each latest version, in a fixed
    number of queries."""
    documents = list(documents)
    latest_ids = [d.latest_version_id for d in documents if d.latest_version_id]
    publisher_departments = _publisher_department_ids(user)
    own_schools = _own_schools(user)
    counts: dict[int, int] = {}
    totals: dict[int, int] = {}
    if publisher_departments and latest_ids:
        counts = dict(
            DocumentAcknowledgement.objects.filter(
                version_id__in=latest_ids, school__department_id__in=publisher_departments
            )
            .values("version_id")
            .annotate(n=Count("pk"))
            .values_list("version_id", "n")
        )
        totals = dict(
            School.objects.filter(department_id__in=publisher_departments)
            .values("department_id")
            .annotate(n=Count("pk"))
            .values_list("department_id", "n")
        )
    acknowledged: set[tuple[int, int]] = set()
    if own_schools and latest_ids:
        acknowledged = set(
            DocumentAcknowledgement.objects.filter(
                version_id__in=latest_ids, school_id__in=[s.pk for s in own_schools]
            ).values_list("version_id", "school_id")
        )
    rows = []
    for document in documents:
        row = {"document": document}
        if document.department_id in publisher_departments:
            row["acknowledged_count"] = counts.get(document.latest_version_id, 0)
            row["school_count"] = totals.get(document.department_id, 0)
        mine = [s for s in own_schools if s.department_id == document.department_id]
        if mine:
            row["own_acknowledged"] = all((document.latest_version_id, s.pk) in acknowledged for s in mine)
        rows.append(DocumentRow(**row))
    return rows


@dataclass(frozen=True)
class OwnAcknowledgement:
    school: School
    acknowledgement: DocumentAcknowledgement | None


@dataclass(frozen=True)
class VersionRow:
    version: DocumentVersion
    is_latest: bool
    acknowledged_count: int | None = None
    school_count: int | None = None
    own: tuple[OwnAcknowledgement, ...] = ()


def document_version_rows(*, user: User, document: Document) -> list[VersionRow]:
    """A document's versions, newest first: for the department with how many schools confirmed each, for a
    school with its own confirmation of each."""
    is_publisher = may_publish(user, document)
    versions = document.versions.select_related("published_by").order_by("-number")
    school_count = None
    if is_publisher:
        versions = versions.annotate(
            acknowledged_count=Count(
                "acknowledgements", filter=Q(acknowledgements__school__department_id=document.department_id)
            )
        )
        school_count = School.objects.filter(department_id=document.department_id).count()
    own_schools = acknowledging_schools(user, document=document)
    own_acks: dict[tuple[int, int], DocumentAcknowledgement] = {}
    if own_schools:
        own_acks = {
            (ack.version_id, ack.school_id): ack
            for ack in DocumentAcknowledgement.objects.filter(
                version__document=document, school_id__in=[s.pk for s in own_schools]
            ).select_related("user")
        }
    rows = []
    for index, version in enumerate(versions):
        rows.append(
            VersionRow(
                version=version,
                is_latest=index == 0,
                acknowledged_count=version.acknowledged_count if is_publisher else None,
                school_count=school_count,
                own=tuple(OwnAcknowledgement(s, own_acks.get((version.pk, s.pk))) for s in own_schools),
            )
        )
    return rows


@dataclass(frozen=True)
class VersionStatus:
    """Which schools of the department have confirmed a version and which have not."""

    version: DocumentVersion
    acknowledged: list[DocumentAcknowledgement]
    missing: list[School]

    @property
    def acknowledged_count(self) -> int:
        return len(self.acknowledged)

    @property
    def school_count(self) -> int:
        return len(self.acknowledged) + len(self.missing)


def document_version_status(*, version: DocumentVersion) -> VersionStatus:
    """Per school of the document's department: confirmed (by whom, when) or not yet; two queries."""
    department_id = version.document.department_id
    acknowledgements = list(
        DocumentAcknowledgement.objects.filter(version=version, school__department_id=department_id)
        .select_related("school", "user")
        .order_by("school__code")
    )
    done = {ack.school_id for ack in acknowledgements}
    missing = [s for s in School.objects.filter(department_id=department_id).order_by("code") if s.pk not in done]
    return VersionStatus(version=version, acknowledged=acknowledgements, missing=missing)


def documents_read_status(
    *, campaign: Campaign, schools: Iterable[School | int]
) -> dict[int, tuple[bool, datetime.datetime | None]]:
    """For each school: whether it has confirmed the LATEST version of every document of the campaign, and
    when it did so (the time of its latest such confirmation). Two queries whatever the number of schools.

    A campaign without documents is not done by anyone: there is nothing read yet. A school that has
    confirmed some of the latest versions gets (False, None).
    """
    school_ids = [school if isinstance(school, int) else school.pk for school in schools]
    latest: dict[int, tuple[int, int]] = {}  # document id → (number, version id)
    for document_id, number, version_id in DocumentVersion.objects.filter(document__campaign=campaign).values_list(
        "document_id", "number", "pk"
    ):
        if document_id not in latest or number > latest[document_id][0]:
            latest[document_id] = (number, version_id)
    latest_ids = {version_id for _number, version_id in latest.values()}
    confirmed: dict[int, dict[int, datetime.datetime]] = defaultdict(dict)
    if latest_ids and school_ids:
        for school_id, version_id, at in DocumentAcknowledgement.objects.filter(
            version_id__in=latest_ids, school_id__in=school_ids
        ).values_list("school_id", "version_id", "acknowledged_at"):
            confirmed[school_id][version_id] = at
    status = {}
    for school_id in school_ids:
        times = confirmed.get(school_id, {})
        done = bool(latest_ids) and latest_ids <= times.keys()
        status[school_id] = (done, max(times.values()) if done else None)
    return status
