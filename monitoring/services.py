"""Writes of observation and on-site monitoring."""

from django.db import transaction

from monitoring.models import OBSERVER_INSTRUCTION_VERSION, InstructionAcknowledgement
from schools.models import User
from schools.services import audit_record


@transaction.atomic
def observer_instruction_acknowledge(*, user: User) -> tuple[InstructionAcknowledgement, bool]:
    """Records that the observer has read the current edition of their instruction, once; confirming again
    changes nothing. Returns the record and whether it was made now."""
    record, created = InstructionAcknowledgement.objects.get_or_create(
        user=user,
        instruction=InstructionAcknowledgement.Instruction.OBSERVER,
        version=OBSERVER_INSTRUCTION_VERSION,
    )
    if created:
        audit_record(
            actor=user,
            action="instruction.acknowledged",
            target=record,
            after={"version": OBSERVER_INSTRUCTION_VERSION},
        )
    return record, created
