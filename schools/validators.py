"""The one rule for a person's name (pupils, staff, accounts), used by the imports, the forms and the services.

A name must hold a letter, and no control, bidirectional-override or zero-width characters: those make a name
print differently from what it is (U+202E turns «Иванов» into «вонавИ» on screen) or make two names that look
the same differ. Anything stricter refuses real lists: double surnames, apostrophes, hyphens, Ё, Latin
transliterations and numbered placeholders in test lists are all accepted.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NAME_MAX_LENGTH = 100
# Bidirectional embeddings, overrides and isolates, and the marks that change the direction of text.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Characters that take no room: two names that look the same would differ.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")


def person_name_problem(value: str, *, max_length: int = NAME_MAX_LENGTH) -> str | None:
    """Why `value` is not a person's name (a Russian sentence), or None when it is one. Empty is not judged
    here: whether a name is required is the caller's rule."""
    if not value:
        return None
    if len(value) > max_length:
        return _("длиннее {n} символов").format(n=max_length)
    for character in value:
        if character in BIDI_CONTROLS or character in ZERO_WIDTH:
            return _("«{value}» содержит невидимый или меняющий направление текста символ (U+{code:04X})").format(
                value=value.translate(_INVISIBLE_TO_MARK), code=ord(character)
            )
        category = unicodedata.category(character)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return _("«{value}» содержит управляющий символ (U+{code:04X})").format(
                value=value.translate(_INVISIBLE_TO_MARK), code=ord(character)
            )
    if not any(character.isalpha() for character in value):
        return _("«{value}» — не имя: нужна хотя бы одна буква").format(value=value)
    return None


# In a message, an invisible character is shown as a visible mark instead of acting on the text around it.
_INVISIBLE_TO_MARK = dict.fromkeys([*range(0x20), 0x7F, *map(ord, BIDI_CONTROLS), *map(ord, ZERO_WIDTH)], "\ufffd")


def validate_person_name(value: str) -> None:
    """Django validator around `person_name_problem` for form and model fields."""
    problem = person_name_problem(value or "")
    if problem:
        raise ValidationError(problem[:1].upper() + problem[1:] + ".", code="person_name")
