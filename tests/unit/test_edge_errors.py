"""Every edge error says what it means, and the hierarchy drawn in edge/errors.py is whole."""

from __future__ import annotations

import inspect
import re

import pytest

from edge import errors

ERRORS = [
    cls
    for cls in vars(errors).values()
    if inspect.isclass(cls) and issubclass(cls, Exception) and cls.__module__ == errors.__name__
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda cls: cls.__name__)
def test_every_edge_error_has_a_docstring_and_is_drawn_in_the_hierarchy(error: type) -> None:
    assert (error.__dict__.get("__doc__") or "").strip(), f"{error.__name__} has no docstring"
    assert re.search(rf"\b{error.__name__}\b", errors.__doc__ or ""), (
        f"{error.__name__} is missing from the hierarchy in edge/errors.py's docstring"
    )
