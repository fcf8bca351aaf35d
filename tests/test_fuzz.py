"""Fuzzing what people send: whatever the bytes, rows or query parameters, the answer is a refusal in Russian
(InputRefused) or a result, never another exception and never a 500.

Budgets are small (max_examples) so that the module runs in well under a minute; hypothesis keeps the failing
examples it finds in its database only when run with one, so a failure prints its example to reproduce it.
"""

import inspect
import io
import json
import re
import string
import zipfile
from types import SimpleNamespace

import pytest
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grading.results_form import form_parse
from procedures.catalogue import parse_catalogue, parse_catalogue_text
from procedures.services.schedules import parse_assignments
from schools.importers import PUPIL_COLUMNS, SCHOOL_COLUMNS, parse_pupils, parse_schools
from tests.access import MATRIX, build_objects
from tests.factories import catalogue_data
from tests.hostile_workbooks import sheet_xml, valid_xlsx, xlsx
from vpr_portal.tables import InputRefused, Table, read_table

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TASKS = [SimpleNamespace(label="1", max_points=2), SimpleNamespace(label="2", max_points=1)]
PARSERS = {
    "schools": parse_schools,
    "pupils": parse_pupils,
    "assignments": parse_assignments,
    "results_form": lambda table: form_parse(table, tasks=TASKS),
}
HEADERS = {
    "schools": [*SCHOOL_COLUMNS, "Часовой пояс"],
    "pupils": [*PUPIL_COLUMNS, "ОВЗ"],
    "assignments": ["Код школы", "Класс", "Код работы"],
    "results_form": ["Код", "Класс", "Пол", "Вариант", "1 (2б)", "2 (1б)", "Отметка по журналу"],
}


def refused_or_read(call):
    try:
        return call()
    except InputRefused as refused:
        assert refused.problems and all(str(problem) for problem in refused.problems)
        return None


# The table reader --------------------------------------------------------------------------------------------


@FAST
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_the_reader_refuses_or_reads_any_bytes(data, suffix):
    result = refused_or_read(lambda: read_table(data, "file" + suffix))
    assert result is None or isinstance(result, Table)


def _openpyxl_workbook() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in [HEADERS["pupils"], ["Иванов", "Лев", "", "4А", "М", "нет"], ["Орлова", "Анна", "", "4Б", "Ж", ""]]:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


VALID_WORKBOOKS = [valid_xlsx(), _openpyxl_workbook()]


@FAST
@given(
    which=st.sampled_from(range(len(VALID_WORKBOOKS))),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_the_reader_refuses_or_reads_a_damaged_workbook(which, flips, cut):
    data = bytearray(VALID_WORKBOOKS[which])
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    refused_or_read(lambda: read_table(bytes(data), "file.xlsx"))


@pytest.mark.parametrize("which", range(len(VALID_WORKBOOKS)))
def test_a_zip_version_the_reader_does_not_know_is_refused_as_damaged(which):
    """Found by the fuzz test above: a flipped byte in the central directory's «version needed to extract» made
    zipfile raise NotImplementedError (zip version 6.4), which is a damaged file to the user, not a 500."""
    data = bytearray(VALID_WORKBOOKS[which])
    entry = data.find(b"PK\x01\x02")
    assert entry > 0
    data[entry + 6] = 64  # the first entry needs «version 6.4»
    with pytest.raises(InputRefused) as refused:
        read_table(bytes(data), "file.xlsx")
    assert "архив повреждён" in str(refused.value.problems[0])


def _rezip(original: bytes, mutate) -> bytes:
    """The workbook with the sheet's XML changed and the archive rebuilt (valid checksums, so the XML is read)."""
    source = zipfile.ZipFile(io.BytesIO(original))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename.startswith("xl/worksheets/"):
                content = mutate(content)
            target.writestr(entry.filename, content)
    return output.getvalue()


XML_PIECES = st.sampled_from(
    [
        "<row>",
        "</row>",
        '<row r="3">',
        "<c>",
        "</c>",
        '<c r="B2">',
        '<c r="XFD1">',
        '<c r="A99999999999999999999">',
        '<c r="1A">',
        "<v>1</v>",
        '<c t="s"><v>9</v></c>',
        '<dimension ref="A1:C3"/>',
        '<mergeCell ref="A1:B2"/>',
        "<![CDATA[<c r='ZZ9'>]]>",
        "<!-- <row> -->",
        "&amp;",
        "&bogus;",
        "<",
        ">",
        '"',
        "\x00",
    ]
)


@FAST
@given(which=st.sampled_from(range(len(VALID_WORKBOOKS))), pieces=st.lists(st.tuples(st.integers(0), XML_PIECES)))
def test_the_reader_refuses_or_reads_a_sheet_with_mangled_xml(which, pieces):
    def mutate(content: bytes) -> bytes:
        for position, piece in pieces:
            at = position % (len(content) + 1)
            content = content[:at] + piece.encode() + content[at:]
        return content

    refused_or_read(lambda: read_table(_rezip(VALID_WORKBOOKS[which], mutate), "file.xlsx"))


@FAST
@given(body=st.text(alphabet=st.sampled_from(list("<>/=\"rc 1AZ'tvsi&;#x0")), max_size=300))
def test_the_reader_refuses_or_reads_any_sheet_text(body):
    refused_or_read(lambda: read_table(xlsx(sheet_xml(body)), "file.xlsx"))


@FAST
@given(text=st.text(max_size=600), delimiter=st.sampled_from([";", ","]))
def test_the_reader_refuses_or_reads_any_csv_text(text, delimiter):
    header = delimiter.join(HEADERS["pupils"]) + "\n"
    result = refused_or_read(lambda: read_table((header + text).encode("utf-8", "surrogatepass"), "file.csv"))
    if result is not None:
        refused_or_read(lambda: parse_pupils(result))


# The importers' parse functions ------------------------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "4А", "11Я", "0Б", "М", "Ж", "да", "нет", "X", "Х", "отсутствовал", "99999999999999999999"]),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@FAST
@given(
    which=st.sampled_from(sorted(PARSERS)),
    rows=st.lists(st.lists(CELLS, max_size=12), max_size=6),
    shuffle=st.randoms(use_true_random=False),
)
def test_every_importer_refuses_or_parses_any_rows(which, rows, shuffle):
    headers = list(HEADERS[which])
    if shuffle.random() < 0.3:
        shuffle.shuffle(headers)
    if shuffle.random() < 0.2:
        headers = headers[: shuffle.randint(0, len(headers))]
    # as the reader hands them over: every row at least as long as the header
    padded = [row + [""] * (len(headers) - len(row)) for row in rows]
    table = Table(headers=headers, rows=[(number, row) for number, row in enumerate(padded, start=2)])
    refused_or_read(lambda: PARSERS[which](table))


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
CATALOGUE = catalogue_data()
CATALOGUE_PATHS = [
    ("campaign",),
    ("campaign", "code"),
    ("campaign", "window"),
    ("campaign", "upload_deadline"),
    ("assessments",),
    ("assessments", 0, "grade"),
    ("assessments", 0, "tasks"),
    ("assessments", 0, "tasks", 0, "max"),
    ("assessments", 0, "scale"),
    ("assessments", 0, "duration"),
]


def _replace(data, path, value):
    data = json.loads(json.dumps(data))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@FAST
@given(path=st.sampled_from(CATALOGUE_PATHS), value=JSON_VALUES)
def test_the_catalogue_refuses_or_parses_any_value_in_any_place(path, value):
    from django.utils import timezone

    data = _replace(CATALOGUE, path, value)
    refused_or_read(lambda: parse_catalogue(data, default_tz=timezone.get_default_timezone()))


@FAST
@given(
    text=st.text(alphabet=st.sampled_from(list('[]{}:,"- \n&*!ab1')), max_size=200),
    suffix=st.sampled_from([".json", ".yaml"]),
)
def test_the_catalogue_text_refuses_or_parses_any_text(text, suffix):
    refused_or_read(lambda: parse_catalogue_text(text, suffix=suffix))


@pytest.mark.parametrize(
    ("text", "suffix"),
    [
        ("[" * 100_000, ".json"),
        ("[" * 100_000 + "]" * 100_000, ".json"),
        ('{"a":' * 50_000 + "1" + "}" * 50_000, ".json"),
        ("[" * 100_000, ".yaml"),
        ("{a: " * 50_000, ".yaml"),
        ("".join(" " * n + "- \n" for n in range(0, 3000, 2)), ".yaml"),
        ('a: &a ["x","x"]\nb: &b [*a,*a,*a,*a]\nc: [*b,*b,*b,*b]\n', ".yaml"),
    ],
    ids=["json-open", "json-balanced", "json-objects", "yaml-flow", "yaml-mapping", "yaml-block", "yaml-aliases"],
)
def test_a_deeply_nested_or_self_referencing_catalogue_is_refused_in_russian(text, suffix):
    with pytest.raises(InputRefused) as refused:
        parse_catalogue_text(text, suffix=suffix)
    assert re.search("[а-я]", str(refused.value.problems[0]))


# List pages' query parameters --------------------------------------------------------------------------------


def _reads_query(view) -> bool:
    view_class = getattr(view, "view_class", None)
    sources = []
    for klass in inspect.getmro(view_class) if view_class else [view]:
        if klass.__module__.split(".")[0] in (
            "schools",
            "procedures",
            "grading",
            "reports",
            "monitoring",
            "vpr_portal",
        ):
            try:
                sources.append(inspect.getsource(klass))
            except (OSError, TypeError):
                pass
    return any(".GET" in source for source in sources)


def _query_reading_pages(resolver=None, namespace="") -> list[str]:
    resolver = resolver or get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _query_reading_pages(pattern, inner)
        elif pattern.name and _reads_query(pattern.callback):
            names.append(namespace + pattern.name)
    return names


def _parameter_names() -> list[str]:
    """Every name the views read from the query string, and the fields of the filter forms."""
    names = {"page", "q", "class", "class_id", "status", "school", "campaign", "assessment", "kind", "late"}
    for module in ("schools", "procedures", "grading", "reports", "monitoring"):
        for path in __import__("pathlib").Path(module).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            names |= set(re.findall(r"""GET\.get\(\s*["'](\w+)["']""", text))
    return sorted(names)


NASTY = [
    "99999999999999999999999",
    "-1",
    "0",
    "²",
    "1e309",
    "\x00",
    "' OR 1=1 --",
    "%",
    "ы" * 5000,
    "NaN",
    "2026-02-30",
]


@pytest.fixture
def fuzz_users(role_users, school, other_school, pupil, other_pupil, department):
    from schools.models import Role

    own = {"school": school, "pupil": pupil, "department": department}
    other = {"school": other_school, "pupil": other_pupil, "department": department}
    build_objects(own, other)
    users = {role: role_users[role] for role in (Role.DEPARTMENT_STAFF, Role.SCHOOL_COORDINATOR)}
    pages = []
    for name in _query_reading_pages():
        page = MATRIX.get(name)
        if page is None:
            continue
        allowed = [user for role, user in users.items() if role in page.allowed]
        if allowed:
            pages.append((reverse(name, kwargs=page.kwargs(own) if page.kwargs else {}), allowed))
    assert len(pages) >= 10
    return pages


def _get_all(client, pages, params):
    for url, users in pages:
        for user in users:
            client.force_login(user)
            response = client.get(url, params)
            assert response.status_code < 500, f"{url}?{params!r}: {response.status_code}"


@pytest.mark.django_db
def test_no_list_page_answers_500_to_a_nasty_value_in_any_parameter(client, fuzz_users):
    names = _parameter_names()
    for value in NASTY:
        _get_all(client, fuzz_users, dict.fromkeys(names, value))


@pytest.mark.django_db
def test_the_pupil_list_ignores_a_class_number_beyond_any_id(client, fuzz_users, coordinator, school, pupil):
    client.force_login(coordinator)
    response = client.get(reverse("schools:pupil_list", args=[school.code]), {"class": "9" * 23, "q": "Сне\x00"})
    assert response.status_code == 200


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_no_list_page_answers_500_to_random_parameters(client, fuzz_users, data):
    names = _parameter_names()
    url, users = data.draw(st.sampled_from(fuzz_users))
    params = data.draw(
        st.dictionaries(
            st.sampled_from(names),
            st.one_of(st.text(max_size=30), st.integers().map(str), st.sampled_from(NASTY)),
            max_size=len(names),
        )
    )
    _get_all(client, [(url, users)], params)


def test_parameter_names_are_found():
    assert {"q", "class", "status"} <= set(_parameter_names())
    assert all(
        character in string.ascii_letters + string.digits + "_" for name in _parameter_names() for character in name
    )


def test_a_row_with_a_c_tag_that_is_not_a_cell_is_read_or_refused():
    """Found by the fuzzer: a row whose body has `<c…` and `r=` but no cell tag stopped the scan with StopIteration."""
    sheet = sheet_xml(
        '<sheetData><row r="1"><c t="inlineStr"><is><t>Код</t></is></c></row><row><cx r="1"/></row></sheetData>'
    )
    refused_or_read(lambda: read_table(xlsx(sheet), "file.xlsx"))
