"""The interface is Russian, with Russian plural forms from the compiled catalogue (locale/ru)."""

import pytest
from django.template import Context, Template
from django.utils import translation

PROBLEMS = Template(
    "{% load i18n %}{% blocktranslate count n=n %}Файл не принят: {{ n }} ошибка. Ничего не изменено.{% plural %}"
    "Файл не принят: {{ n }} ошибки. Ничего не изменено.{% endblocktranslate %}"
)


@pytest.mark.parametrize(
    "n, expected",
    [(1, "1 ошибка"), (3, "3 ошибки"), (5, "5 ошибок"), (11, "11 ошибок"), (21, "21 ошибка"), (24, "24 ошибки")],
)
def test_russian_plural_forms(n, expected):
    with translation.override("ru"):
        assert expected in PROBLEMS.render(Context({"n": n}))


def test_django_messages_are_russian():
    with translation.override("ru"):
        assert translation.gettext("This field is required.") == "Обязательное поле."
