"""Declared access of every URL, one module per part of the product.

Each module defines `PAGES: dict[str, Page]` and may define `build_objects(own: dict, other: dict) -> None`
to add the objects its URLs need (`own` lives in the role users' school, `other` in another school of the
same municipality). tests/test_permission_matrix.py walks them all.
"""

import importlib
import pkgutil

from .base import Page  # noqa: F401

MODULES = [
    importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__) if info.name != "base"
]

MATRIX: dict = {}
for module in MODULES:
    duplicated = set(MATRIX) & set(module.PAGES)
    assert not duplicated, f"declared twice: {duplicated}"
    MATRIX.update(module.PAGES)


def build_objects(own: dict, other: dict) -> None:
    for module in MODULES:
        if hasattr(module, "build_objects"):
            module.build_objects(own, other)
