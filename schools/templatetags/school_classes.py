"""Classes in templates in class order: `{{ staff.teaching_loads.all|class_names }}` → «4А, 4В, 10Б»."""

from django import template

from schools.classes import class_names_text

register = template.Library()


@register.filter
def class_names(items) -> str:
    """Each class once, in class order, all of them; items are classes, teaching loads or names."""
    names = []
    for item in items or ():
        school_class = getattr(item, "school_class", item)
        names.append(getattr(school_class, "name", school_class))
    return class_names_text(str(name) for name in names)
