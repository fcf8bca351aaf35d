"""The audit log in people's words: one catalogue of action kinds and field names, and the formatting of
recorded values (dates in the reader's time zone, lists, «да/нет», choices and objects by their names).

Every action code any app records must have a phrase here; a test scans the source for the codes."""

import ast
import datetime
import re
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class ActionGroup:
    key: str
    label: str
    actions: dict  # action code → phrase


ACTION_GROUPS = (
    ActionGroup(
        "schools",
        gettext_lazy("Школы и люди"),
        {
            "schools.imported": gettext_lazy("Загружен реестр школ"),
            "school.updated": gettext_lazy("Изменена школа"),
            "pupils.imported": gettext_lazy("Загружен список обучающихся"),
            "pupil.created": gettext_lazy("Добавлен обучающийся"),
            "pupil.updated": gettext_lazy("Изменены данные обучающегося"),
            "pupil.viewed": gettext_lazy("Просмотрена карточка обучающегося"),
            "pupils.list_viewed": gettext_lazy("Просмотрен список обучающихся"),
            "staff.created": gettext_lazy("Добавлен сотрудник"),
            "staff.updated": gettext_lazy("Изменены данные сотрудника"),
            "staff.account_linked": gettext_lazy("Учётная запись связана с сотрудником"),
            "relative.declared": gettext_lazy("Заявлено родство с обучающимся"),
            "relative.removed": gettext_lazy("Снято родство с обучающимся"),
        },
    ),
    ActionGroup(
        "access",
        gettext_lazy("Доступ и вход"),
        {
            "role.granted": gettext_lazy("Выдана роль"),
            "role.withdrawn": gettext_lazy("Отозвана роль"),
            "instruction.acknowledged": gettext_lazy("Наблюдатель ознакомился с инструкцией"),
            "delegation.granted": gettext_lazy("Техническому специалисту разрешена печать протоколов с ФИО"),
            "delegation.withdrawn": gettext_lazy("Техническому специалисту запрещена печать протоколов с ФИО"),
            "second_factor.enrolled": gettext_lazy("Подключён второй фактор входа"),
            "second_factor.recovery_codes_issued": gettext_lazy("Выданы резервные коды входа"),
            "second_factor.reset": gettext_lazy("Сброшен второй фактор входа"),
        },
    ),
    ActionGroup(
        "campaigns",
        gettext_lazy("Кампании и план"),
        {
            "campaign.created": gettext_lazy("Создана кампания"),
            "campaign.updated": gettext_lazy("Изменена кампания"),
            "campaign.copied": gettext_lazy("Кампания скопирована"),
            "campaign.status_changed": gettext_lazy("Изменён статус кампании"),
            "campaign.deleted": gettext_lazy("Удалена кампания"),
            "campaign.delete_refused": gettext_lazy("Отказано в удалении кампании"),
            "catalogue.loaded": gettext_lazy("Загружен перечень работ"),
            "assessment.created": gettext_lazy("Добавлена работа"),
            "assessment.updated": gettext_lazy("Изменена работа"),
            "assessment.deleted": gettext_lazy("Удалена работа"),
            "assessment.delete_refused": gettext_lazy("Отказано в удалении работы"),
            "calendar.day_added": gettext_lazy("Добавлен день в календарь"),
            "calendar.day_removed": gettext_lazy("Удалён день из календаря"),
            "stage.created": gettext_lazy("Добавлен этап плана"),
            "stage.updated": gettext_lazy("Изменён этап плана"),
            "stage.deleted": gettext_lazy("Удалён этап плана"),
            "stage.defaults_created": gettext_lazy("Созданы этапы плана по умолчанию"),
            "stage.marked_done": gettext_lazy("Этап плана отмечен выполненным"),
            "stage.mark_withdrawn": gettext_lazy("Снята отметка о выполнении этапа"),
        },
    ),
    ActionGroup(
        "schedule",
        gettext_lazy("График и назначения"),
        {
            "schedule.saved": gettext_lazy("Сохранён график"),
            "schedule.bulk_set": gettext_lazy("Дата и урок заданы сразу нескольким классам"),
            "schedule.submitted": gettext_lazy("График отправлен на согласование"),
            "schedule.approved": gettext_lazy("График согласован"),
            "schedule.returned": gettext_lazy("График возвращён на доработку"),
            "schedule.entries_unassigned": gettext_lazy("Из графика убраны снятые работы"),
            "class_assignment.changed": gettext_lazy("Изменены работы классов"),
            "appointment.created": gettext_lazy("Назначен сотрудник"),
            "appointment.replaced": gettext_lazy("Заменён назначенный сотрудник"),
            "appointment.removed": gettext_lazy("Снято назначение сотрудника"),
            "order.submitted": gettext_lazy("Приказ отправлен директору на утверждение"),
            "order.resubmitted": gettext_lazy("Приказ снова отправлен директору на утверждение"),
            "order.approved": gettext_lazy("Приказ утверждён директором"),
            "order.returned": gettext_lazy("Приказ возвращён директором с замечаниями"),
            "order.issued": gettext_lazy("Издан приказ"),
            "order.scan_uploaded": gettext_lazy("Загружен скан приказа"),
        },
    ),
    ActionGroup(
        "participants",
        gettext_lazy("Участники"),
        {
            "participants.refreshed": gettext_lazy("Обновлён список участников"),
            "participants.family_added": gettext_lazy("Добавлены обучающиеся на семейном образовании"),
            "participants.codes_issued": gettext_lazy("Выданы коды участников"),
            "participants.protocol_printed": gettext_lazy("Напечатан протокол соответствия кодов"),
            "participant.exempted": gettext_lazy("Участник освобождён от работы"),
            "participant.unexempted": gettext_lazy("Снято освобождение участника"),
            "participant.parents_decision": gettext_lazy("Записано решение родителей"),
        },
    ),
    ActionGroup(
        "rooms",
        gettext_lazy("Аудитории и проведение"),
        {
            "room.created": gettext_lazy("Добавлена аудитория"),
            "room.updated": gettext_lazy("Изменена аудитория"),
            "room.deleted": gettext_lazy("Удалена аудитория"),
            "sittings.synced": gettext_lazy("Обновлены проведения по графику"),
            "sitting.start_changed": gettext_lazy("Изменено время начала проведения"),
            "sitting.rooms_changed": gettext_lazy("Изменены аудитории проведения"),
            "seating.automatic": gettext_lazy("Участники рассажены автоматически"),
            "seating.moved": gettext_lazy("Участник пересажен"),
            "seating.swapped": gettext_lazy("Участники поменяны местами"),
            "room_lists.released": gettext_lazy("Выданы списки по аудиториям"),
            "room_lists.recalled": gettext_lazy("Отозваны списки по аудиториям"),
            "protocol.started": gettext_lazy("Начат протокол аудитории"),
            "protocol.incident_added": gettext_lazy("В протокол добавлено нарушение"),
            "protocol.incident_removed": gettext_lazy("Из протокола убрано нарушение"),
            "protocol.submitted": gettext_lazy("Протокол аудитории сдан"),
            "protocol.corrected": gettext_lazy("Исправлен сданный протокол"),
        },
    ),
    ActionGroup(
        "results",
        gettext_lazy("Результаты и проверка"),
        {
            "form_upload.recorded": gettext_lazy("Загружена форма сбора результатов"),
            "form_upload.replaced": gettext_lazy("Заменена форма сбора результатов"),
            "results.imported": gettext_lazy("Загружены результаты"),
            "grading.distributed": gettext_lazy("Работы распределены между экспертами"),
            "grading.reassigned": gettext_lazy("Работы переданы другому эксперту"),
            "grading.submitted": gettext_lazy("Проверка работ завершена"),
            "campaign.personal_data_purged": gettext_lazy("Удалены персональные данные кампании"),
        },
    ),
    ActionGroup(
        "documents",
        gettext_lazy("Документы"),
        {
            "document.published": gettext_lazy("Опубликован документ"),
            "document.version_published": gettext_lazy("Опубликована новая версия документа"),
            "document.acknowledged": gettext_lazy("Документ прочитан"),
        },
    ),
    ActionGroup(
        "signals",
        gettext_lazy("Признаки и разборы"),
        {
            "signal_thresholds.changed": gettext_lazy("Изменены пороги признаков"),
            "signal_case.opened": gettext_lazy("Открыт разбор признака"),
            "signal_case.asked": gettext_lazy("Управление задало вопрос по разбору"),
            "signal_case.answered": gettext_lazy("Школа ответила по разбору"),
            "signal_case.concluded": gettext_lazy("Разбор закрыт с выводом управления"),
        },
    ),
    ActionGroup(
        "observation",
        gettext_lazy("Наблюдение и мониторинг"),
        {
            "observer.created": gettext_lazy("В реестр внесён наблюдатель или представитель"),
            "observer.updated": gettext_lazy("Изменены сведения реестра наблюдателей"),
            "observer.deactivated": gettext_lazy("Наблюдатель или представитель выведен из реестра"),
            "observer.reactivated": gettext_lazy("Наблюдатель или представитель возвращён в реестр"),
            "observer.relative_declared": gettext_lazy("Наблюдатель заявил родственника среди обучающихся"),
            "observer.relative_removed": gettext_lazy("Снято заявленное родство наблюдателя"),
            "observation.assigned": gettext_lazy("Назначен наблюдатель или представитель на проведение"),
            "observation.cancelled": gettext_lazy("Отменено назначение на наблюдение"),
            "observation.lottery_drawn": gettext_lazy("Проведена жеребьёвка проведений для наблюдения"),
            "observation.placed": gettext_lazy("Наблюдатель распределён в аудиторию"),
            "monitoring.act_submitted": gettext_lazy("Подписан акт общественного наблюдения"),
            "monitoring.act_corrected": gettext_lazy("Начато исправление акта общественного наблюдения"),
            "monitoring.card_submitted": gettext_lazy("Подписана карта мониторинга"),
            "monitoring.card_corrected": gettext_lazy("Начато исправление карты мониторинга"),
            "monitoring.video_recorded": gettext_lazy("Отмечено видеонаблюдение проведения работы"),
            "monitoring.video_changed": gettext_lazy("Изменены сведения о видеонаблюдении"),
            "violation.reported": gettext_lazy(
                "Зафиксировано нарушение процедуры (акт наблюдателя или карта мониторинга)"
            ),
            "violation.corrected": gettext_lazy("Исправленный акт или карта изменили нарушение процедуры"),
            "violation.recorded": gettext_lazy("Управление образования записало нарушение процедуры"),
            "violation.answered": gettext_lazy("Школа ответила по нарушению процедуры"),
            "violation.closed": gettext_lazy("Управление образования закрыло нарушение процедуры"),
        },
    ),
    ActionGroup(
        "recheck",
        gettext_lazy("Перепроверка"),
        {
            "recheck.selected": gettext_lazy("Школа и работа отобраны на перепроверку"),
            "recheck.lottery": gettext_lazy("Проведена жеребьёвка перепроверки"),
            "recheck.scan_uploaded": gettext_lazy("Школа загрузила скан для перепроверки"),
            "recheck.scans_sent": gettext_lazy("Школа отправила сканы на перепроверку"),
            "recheck.received": gettext_lazy("Управление подтвердило получение работ на перепроверку"),
            "recheck.member_added": gettext_lazy("Эксперт включён в комиссию перепроверки"),
            "recheck.member_removed": gettext_lazy("Эксперт исключён из комиссии перепроверки"),
            "recheck.chair_set": gettext_lazy("Назначен председатель комиссии перепроверки"),
            "recheck.commission_approved": gettext_lazy("Утверждён состав комиссии перепроверки"),
            "recheck.commission_unapproved": gettext_lazy("Отменено утверждение состава комиссии перепроверки"),
            "recheck.works_distributed": gettext_lazy("Работы распределены между экспертами комиссии"),
            "recheck.work_scored": gettext_lazy("Эксперт комиссии завершил перепроверку работы"),
            "recheck.third_expert_assigned": gettext_lazy("Работа передана третьему эксперту"),
            "recheck.work_decided": gettext_lazy("Третий эксперт установил итоговый балл работы"),
            "recheck.imported": gettext_lazy("Загружен файл комиссии перепроверки"),
        },
    ),
    ActionGroup(
        "reports",
        gettext_lazy("Отчёты и управленческие решения"),
        {
            "school_conclusions.saved": gettext_lazy("Школа сохранила выводы и меры для аналитической справки"),
            "parent_slips.printed": gettext_lazy("Напечатаны листы результатов для родителей"),
            "parent_slips.handed_out": gettext_lazy("Отмечена выдача листа результатов родителям"),
            "parent_slips.handout_cancelled": gettext_lazy("Отменена отметка о выдаче листа результатов"),
            "decision.recorded": gettext_lazy("Записано управленческое решение"),
            "decision.edited": gettext_lazy("Изменено управленческое решение"),
            "decision.outcome": gettext_lazy("Записан результат управленческого решения"),
            "decision.cancelled": gettext_lazy("Управленческое решение отменено"),
        },
    ),
)
ACTIONS = {code: phrase for group in ACTION_GROUPS for code, phrase in group.actions.items()}
GROUPS = {group.key: group for group in ACTION_GROUPS}

# Names of fields an entry records that are not fields of its object's model (counts, codes, summaries).
FIELD_LABELS = {
    "reported": gettext_lazy("отмечено как нарушение"),
    "absent": gettext_lazy("отсутствовали"),
    "decision": gettext_lazy("решение"),
    "deadline": gettext_lazy("срок"),
    "done_at": gettext_lazy("выполнен"),
    "done_by": gettext_lazy("отметил"),
    "duration": gettext_lazy("продолжительность, минут"),
    "email": gettext_lazy("электронная почта"),
    "ends_at": gettext_lazy("окончание"),
    "ends_at_extended": gettext_lazy("окончание с доп. временем"),
    "exemption_document": gettext_lazy("документ об освобождении"),
    "exemption_reason": gettext_lazy("причина освобождения"),
    "experience_years": gettext_lazy("стаж, лет"),
    "extra_minutes": gettext_lazy("дополнительное время, минут"),
    "family_education": gettext_lazy("семейное образование"),
    "file": gettext_lazy("файл"),
    "first_name": gettext_lazy("имя"),
    "form": gettext_lazy("форма"),
    "from": gettext_lazy("из кампании"),
    "grade": gettext_lazy("класс (параллель)"),
    "handed_to_coordinator": gettext_lazy("материалы переданы координатору"),
    "has_disability": gettext_lazy("ОВЗ"),
    "is_active": gettext_lazy("действует"),
    "kind": gettext_lazy("вид"),
    "last_name": gettext_lazy("фамилия"),
    "level": gettext_lazy("уровень"),
    "materials_collected": gettext_lazy("материалы собраны"),
    "middle_name": gettext_lazy("отчество"),
    "moscow": gettext_lazy("по московскому времени"),
    "name": gettext_lazy("наименование"),
    "note": gettext_lazy("примечание"),
    "notes": gettext_lazy("заметки"),
    "number": gettext_lazy("номер"),
    "parents_decision": gettext_lazy("решение родителей"),
    "relation": gettext_lazy("степень родства"),
    "released_at": gettext_lazy("выданы"),
    "role": gettext_lazy("роль"),
    "scan": gettext_lazy("скан"),
    "school_class": gettext_lazy("класс"),
    "sex": gettext_lazy("пол"),
    "short_name": gettext_lazy("краткое наименование"),
    "source": gettext_lazy("источник"),
    "started_at": gettext_lazy("начало"),
    "starts_at": gettext_lazy("начало"),
    "subject": gettext_lazy("предмет"),
    "time_zone": gettext_lazy("часовой пояс"),
    "title": gettext_lazy("название"),
    "upload_deadline": gettext_lazy("срок загрузки"),
    "uploaded_at": gettext_lazy("загружена"),
    "window_end": gettext_lazy("окно проведения: конец"),
    "window_start": gettext_lazy("окно проведения: начало"),
    "agreement": gettext_lazy("согласие"),
    "assessment": gettext_lazy("работа"),
    "assessment_id": gettext_lazy("работа"),
    "assessments": gettext_lazy("работы"),
    "campaign": gettext_lazy("кампания"),
    "campaign_code": gettext_lazy("кампания"),
    "cells": gettext_lazy("ячеек"),
    "changed": gettext_lazy("изменено"),
    "class": gettext_lazy("класс"),
    "class_name": gettext_lazy("класс"),
    "classes_created": gettext_lazy("создано классов"),
    "code": gettext_lazy("код"),
    "code_links": gettext_lazy("связей с кодами"),
    "codes": gettext_lazy("коды"),
    "columns": gettext_lazy("столбцов"),
    "comment": gettext_lazy("комментарий"),
    "created": gettext_lazy("создано"),
    "date": gettext_lazy("дата"),
    "devices": gettext_lazy("устройств"),
    "document": gettext_lazy("документ"),
    "documents": gettext_lazy("документов"),
    "due": gettext_lazy("срок"),
    "duty": gettext_lazy("обязанность"),
    "experts": gettext_lazy("эксперты"),
    "first": gettext_lazy("первый"),
    "incident": gettext_lazy("нарушение"),
    "incidents": gettext_lazy("нарушения"),
    "issued": gettext_lazy("выдано"),
    "kept": gettext_lazy("сохранено"),
    "last": gettext_lazy("последний"),
    "late": gettext_lazy("с опозданием"),
    "max": gettext_lazy("максимальный балл"),
    "mode": gettext_lazy("способ"),
    "new": gettext_lazy("новых"),
    "organizers_removed": gettext_lazy("снято организаторов"),
    "original_name": gettext_lazy("имя файла"),
    "page": gettext_lazy("страница"),
    "participant": gettext_lazy("участник"),
    "participant_links": gettext_lazy("связей с участниками"),
    "pupil": gettext_lazy("обучающийся"),
    "recomputed_works": gettext_lazy("пересчитано работ"),
    "removed": gettext_lazy("удалено"),
    "room": gettext_lazy("аудитория"),
    "rooms": gettext_lazy("аудитории"),
    "rows": gettext_lazy("строк"),
    "scale": gettext_lazy("шкала"),
    "school": gettext_lazy("школа"),
    "school_code": gettext_lazy("школа"),
    "school_id": gettext_lazy("школа"),
    "schools": gettext_lazy("школ"),
    "search": gettext_lazy("поиск"),
    "seat": gettext_lazy("место"),
    "seated": gettext_lazy("рассажено"),
    "size": gettext_lazy("размер"),
    "bytes": gettext_lazy("размер"),
    "staff": gettext_lazy("сотрудник"),
    "stage": gettext_lazy("этап"),
    "stages": gettext_lazy("этапы"),
    "stale_kept": gettext_lazy("сохранено устаревших"),
    "status": gettext_lazy("статус"),
    "subject_id": gettext_lazy("предмет"),
    "submitted_changed": gettext_lazy("изменено в сданных"),
    "tasks": gettext_lazy("заданий"),
    "unassigned": gettext_lazy("не распределено"),
    "unchanged": gettext_lazy("без изменений"),
    "updated": gettext_lazy("обновлено"),
    "username": gettext_lazy("логин"),
    "version": gettext_lazy("версия"),
    "works": gettext_lazy("работ"),
}
# Values recorded as codes, in words (fields that are not model fields with choices).
VALUE_LABELS = {
    "mode": {"class": gettext_lazy("по классам"), "variant": gettext_lazy("по вариантам")},
}
# Fields that hold the id of an object: shown as the object's name.
OBJECT_FIELDS = {
    "subject_id": "schools.subject",
    "school_id": "schools.school",
    "assessment_id": "procedures.assessment",
}
SIZE_FIELDS = frozenset({"size", "bytes"})

_LIST = re.compile(r"^[\[(].*[\])]$", re.S)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def action_phrase(code: str) -> str:
    """The action in words; a code nobody named yet is shown as it is."""
    phrase = ACTIONS.get(code)
    return str(phrase) if phrase is not None else code


def action_group(code: str) -> ActionGroup | None:
    return next((group for group in ACTION_GROUPS if code in group.actions), None)


def _model(label: str):
    if not label or "." not in label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _model_field(target_type: str, field: str):
    model = _model(target_type)
    if model is None:
        return None
    try:
        return model._meta.get_field(field)
    except FieldDoesNotExist:
        return None


def target_type_label(target_type: str) -> str:
    """The kind of object in words («школа», «кампания»)."""
    model = _model(target_type)
    return str(model._meta.verbose_name) if model is not None else target_type


def field_label(field: str, *, target_type: str = "") -> str:
    """The field in words: the object's model's own name for it, else the catalogue's, else the key. A model
    field never named in Russian (Django's default is the field's own name) takes the catalogue's."""
    label = getattr(_model_field(target_type, field), "verbose_name", None)
    if label is None or str(label) == field.replace("_", " "):
        label = FIELD_LABELS.get(field, label)
    return str(label) if label is not None else field


def _object_name(field: str, value) -> str | None:
    model = _model(OBJECT_FIELDS.get(field, ""))
    if model is None or not isinstance(value, int | str) or isinstance(value, bool):
        return None
    try:
        found = model._default_manager.filter(pk=value).first()
    except (ValueError, TypeError):
        return None
    return str(found) if found is not None else None


def _date_or_time(value: str) -> str | None:
    if _DATE.match(value):
        return formats.date_format(datetime.date.fromisoformat(value), "d.m.Y")
    if _DATETIME.match(value):
        try:
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "d.m.Y H:i")
    return None


def _choice(value, *, field: str, target_type: str) -> str | None:
    """The display of a value of a model field with choices («draft» → «черновик»)."""
    choices = getattr(_model_field(target_type, field), "flatchoices", None)
    if not choices or isinstance(value, float):
        return None
    display = dict(choices).get(value)
    return str(display) if display is not None else None


def _legacy_list(value: str) -> list | None:
    """Entries recorded before lists were kept as lists hold their Python spelling («['A1', 'A2']»)."""
    if not _LIST.match(value):
        return None
    try:
        items = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return None
    return list(items) if isinstance(items, list | tuple) else None


def _format_scalar(value, *, field: str, target_type: str) -> str:
    if isinstance(value, str) and value in VALUE_LABELS.get(field, {}):
        return str(VALUE_LABELS[field][value])
    for shown in (_object_name(field, value), _choice(value, field=field, target_type=target_type)):
        if shown is not None:
            return shown
    if field in SIZE_FIELDS and isinstance(value, int):
        return filesizeformat(value)
    if isinstance(value, float):
        return formats.number_format(value)
    if isinstance(value, str):
        moment = _date_or_time(value)
        if moment is not None:
            return moment
        items = _legacy_list(value)
        if items is not None:
            return format_value(items, field=field, target_type=target_type)
    return str(value)


def format_value(value, *, field: str = "", target_type: str = "", mask: str = "") -> str:
    """A recorded value for a person: «—» for nothing, «да/нет», lists joined, dates and times in the
    reader's time zone, choices and objects by their names."""
    if value is None or value == "":
        return "—"
    if mask and value == mask:
        return mask
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if isinstance(value, list | tuple):
        return ", ".join(format_value(item, field=field, target_type=target_type) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(key)}: {format_value(item, field=key, target_type=target_type)}"
            for key, item in value.items()
        )
    return _format_scalar(value, field=field, target_type=target_type)
