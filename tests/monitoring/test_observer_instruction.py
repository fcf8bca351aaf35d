"""The public observer reads their instruction in the portal and confirms it once (Регламент, приложение 2,
п. 2.1): until then it is the first thing on their start page."""

import pytest
from django.urls import reverse

from monitoring.models import OBSERVER_INSTRUCTION_VERSION, InstructionAcknowledgement
from schools.models import AuditEntry, Role


@pytest.mark.django_db
def test_the_observer_reads_the_instruction_and_confirms_it_once(client, role_users):
    observer = role_users[Role.OBSERVER]
    client.force_login(observer)
    html = client.get("/", follow=True).content.decode()
    assert 'data-testid="instruction-to-read"' in html and "не вправе" in html

    for _attempt in range(2):
        response = client.post(reverse("monitoring:instruction_acknowledge"))
        assert response.status_code == 302
    record = InstructionAcknowledgement.objects.get(user=observer)
    assert record.version == OBSERVER_INSTRUCTION_VERSION
    assert AuditEntry.objects.filter(action="instruction.acknowledged", actor=observer).count() == 1

    html = client.get(reverse("monitoring:assignments")).content.decode()
    assert 'data-testid="instruction-read"' in html and 'data-testid="instruction-to-read"' not in html
    assert "не вправе" in client.get(reverse("monitoring:assignments") + "?instruction=1").content.decode()


@pytest.mark.django_db
def test_a_new_edition_of_the_instruction_is_confirmed_again(client, role_users):
    observer = role_users[Role.OBSERVER]
    InstructionAcknowledgement.objects.create(user=observer, instruction="observer", version="2025-1")
    client.force_login(observer)
    assert 'data-testid="instruction-to-read"' in client.get(reverse("monitoring:assignments")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.SCHOOL_COORDINATOR, Role.EXPERT])
def test_only_observers_confirm_the_observers_instruction(client, role_users, role):
    client.force_login(role_users[role])
    assert client.post(reverse("monitoring:instruction_acknowledge")).status_code == 403
    assert not InstructionAcknowledgement.objects.exists()
