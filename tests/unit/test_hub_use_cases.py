"""The hub's use cases that change state take a command first (docs/architecture.md, "Use cases
take commands"): a frozen, slotted dataclass, then the unit of work. What opens a write
transaction without one is housekeeping nobody asks for, named here with why."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any, get_type_hints

import pytest

import hub.service
from hub.adapters.unit_of_work import HubUnitOfWork

HOUSEKEEPING = {
    # The sweeper's and ingest's follow-ups: they take no input but the database's state.
    "hub.service.refunds.start_workflows",
    "hub.service.b2b.start_workflows",
    "hub.service.b2b.deliver_signals",
    # A feed read publishes the stock levels sales moved since the last read (lazily).
    "hub.service.feed.publish_stock_levels",
    # Checking a credential promotes a rotated one on its first use.
    "hub.service.stores.authenticate_node",
}


def writers() -> list[tuple[str, Callable[..., Any]]]:
    """Every public coroutine function of hub.service that opens a write transaction."""
    found = []
    for module_info in pkgutil.iter_modules(hub.service.__path__):
        module = importlib.import_module(f"hub.service.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.iscoroutinefunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            if "uow.write(" in inspect.getsource(function):
                found.append((f"{module.__name__}.{name}", function))
    return sorted(found, key=lambda item: item[0])


def test_the_hub_has_use_cases_that_write_and_housekeeping_that_does() -> None:
    names = {name for name, _ in writers()}

    assert HOUSEKEEPING <= names
    assert len(names - HOUSEKEEPING) >= 20


@pytest.mark.parametrize(
    ("name", "function"),
    [
        pytest.param(name, function, id=name)
        for name, function in writers()
        if name not in HOUSEKEEPING
    ],
)
def test_a_use_case_that_writes_takes_a_command_then_the_unit_of_work(
    name: str, function: Callable[..., Any]
) -> None:
    parameters = list(inspect.signature(function).parameters)
    hints = get_type_hints(function)
    command = hints[parameters[0]]

    assert parameters[:2] == ["command", "uow"], name
    assert hints["uow"] is HubUnitOfWork
    assert isinstance(command, type) and dataclasses.is_dataclass(command), name
    assert vars(command)["__dataclass_params__"].frozen, name
    assert "__slots__" in vars(command), name
