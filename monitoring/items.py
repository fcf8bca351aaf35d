"""The items of the two forms filed on a visit, word for word as the Регламент prints them: the act of public
observation (приложение 3) and the monitoring card of the department's representative (приложение 1).

Each item is answered «да» or «нет» with details. `violation_if` is the answer that reports a violation of the
procedure («нет» for «Готовность аудиторий…», «да» for «Организатор покидал аудиторию…»), and `kind` is the
violation it becomes (monitoring.models.Violation.Kind). An item's `code` is how answers are stored
(VisitReport.answers) and never changes."""

from dataclasses import dataclass

from monitoring.models import Violation, VisitReport

K = Violation.Kind
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    section: str
    violation_if: str
    kind: str
    # Whether the details must be written when the item reports a violation.
    details_required: bool = True


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


def _section(title: str, *items: tuple) -> Section:
    return Section(title, tuple(Item(c, t, title, v, k) for c, t, v, k in items))


# Приложение 3: Акт общественного наблюдения за процедурой проведения ВПР в общеобразовательной организации.
ACT_TITLE = "Акт общественного наблюдения за процедурой проведения ВПР в общеобразовательной организации"
ACT_SECTIONS: tuple[Section, ...] = (
    _section(
        "1. Готовность аудиторий к проведению ВПР.",
        ("1", "Готовность аудиторий к проведению ВПР.", NO, K.ROOMS),
        ("1.1", "Нарушений на этапе подготовки к проведению ВПР не выявлено.", NO, K.PREPARATION),
        ("1.2", "Выявлены нарушения:", YES, K.PREPARATION),
        ("1.3", "На стенах аудитории расположены справочные материалы по предмету:", YES, K.REFERENCE),
        ("1.4", "Наличие средств связи у организаторов и участников ВПР:", YES, K.DEVICES),
    ),
    _section(
        "2. Проведение ВПР в общеобразовательной организации.",
        ("2.1", "Нарушений на этапе подготовки к проведению ВПР не выявлено:", NO, K.OTHER),
        ("2.2", "Организатор ВПР покидал аудиторию, занимался посторонними делами:", YES, K.ORGANIZER_LEFT),
        (
            "2.3",
            "При выполнении работы, обучающиеся пользовались справочными материалами, не предусмотренными "
            "контрольно-измерительными материалами ВПР:",
            YES,
            K.REFERENCE,
        ),
        (
            "2.4",
            "После проведения работы материалы не переданы координатору проведения в общеобразовательной "
            "организации для организации последующей проверки:",
            YES,
            K.MATERIALS,
        ),
        ("2.5", "Организатор в аудитории оказывал содействие участникам ВПР:", YES, K.ORGANIZER_HELPED),
        (
            "2.6",
            "Участники ВПР продолжали выполнять задания после окончания времени выполнения работы:",
            YES,
            K.OVERTIME,
        ),
    ),
)
ACT_COMMENT_LABEL = "3. Комментарий по итогам общественного наблюдения:"

# Приложение 1: Карта мониторинга соблюдения процедуры ВПР.
CARD_TITLE = "Карта мониторинга соблюдения процедуры ВПР"
CARD_SECTIONS: tuple[Section, ...] = (
    _section(
        "Подготовка к проведению ВПР",
        ("1", "Наличие в образовательной организации приказа о проведении ВПР", NO, K.ORDER),
        ("2", "Готовность аудиторий к проведению ВПР", NO, K.ROOMS),
        (
            "3",
            "Присутствие в образовательной организации педагогических работников, назначенных в качестве "
            "организаторов ВПР",
            NO,
            K.ORGANIZERS,
        ),
        (
            "4",
            "Организация видеонаблюдения в аудиториях проведения, присутствие в образовательной организации "
            "общественного наблюдателя",
            NO,
            K.VIDEO,
        ),
        ("5", "Отсутствие посторонних лиц в аудитории проведения ВПР", NO, K.OUTSIDERS),
        (
            "6",
            "Соблюдение требований безопасности при распечатке контрольно-измерительных материалов (наличие "
            "видеонаблюдения)",
            NO,
            K.VIDEO,
        ),
    ),
    _section(
        "Проведение ВПР",
        (
            "7",
            "Соблюдение порядка выдачи материалов ВПР (список участников, протокол проведения, акт общественного "
            "наблюдателя) организатору аудитории",
            NO,
            K.MATERIALS,
        ),
        ("8", "Соблюдение порядка выдачи контрольно-измерительных материалов организатору аудитории", NO, K.MATERIALS),
        ("9", "Соблюдение принципа рассадки участников ВПР", NO, K.SEATING),
        ("10", "Проведение инструктажа для участников ВПР перед началом выполнения работы", NO, K.BRIEFING),
    ),
    _section(
        "Завершение процедуры проведения ВПР",
        ("11", "Своевременный сбор ответов, заполненных участниками ВПР", NO, K.MATERIALS),
        ("12", "Соблюдение порядка при упаковке и передаче ответов участников ВПР координатору", NO, K.MATERIALS),
        (
            "13",
            "Обеспечение хранения комплектов ответов участников до проведения проверки экспертными комиссиями",
            NO,
            K.STORAGE,
        ),
    ),
)

SECTIONS: dict[str, tuple[Section, ...]] = {VisitReport.Kind.ACT: ACT_SECTIONS, VisitReport.Kind.CARD: CARD_SECTIONS}
TITLES: dict[str, str] = {VisitReport.Kind.ACT: ACT_TITLE, VisitReport.Kind.CARD: CARD_TITLE}


def items_of(kind: str) -> tuple[Item, ...]:
    """Every item of the act or the card, in the form's order."""
    return tuple(item for section in SECTIONS[kind] for item in section.items)


def item(kind: str, code: str) -> Item | None:
    return next((i for i in items_of(kind) if i.code == code), None)


def reports_violation(item_: Item, answer: dict | None) -> bool:
    """Whether an answer to the item reports a violation of the procedure."""
    return bool(answer) and answer.get("value") == item_.violation_if
