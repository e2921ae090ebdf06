"""The hub's use cases that change state take a command first (docs/architecture.md, "Use cases
take commands"): a frozen, slotted dataclass, then the unit of work. What opens a write
transaction without one is housekeeping nobody asks for, named here with why. Reads take what
they ask for, then the unit of work, last; their filters by keyword."""

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


def readers() -> list[tuple[str, Callable[..., Any]]]:
    """Every public coroutine function of hub.service that reads: it takes the unit of work,
    but no command and no workflow port, and opens no write transaction."""
    found = []
    for module_info in pkgutil.iter_modules(hub.service.__path__):
        module = importlib.import_module(f"hub.service.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.iscoroutinefunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameters = inspect.signature(function).parameters
            if (
                "uow" in parameters
                and not {"command", "workflows"} & set(parameters)
                and "uow.write(" not in inspect.getsource(function)
            ):
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


@pytest.mark.parametrize(
    ("name", "function"), [pytest.param(name, function, id=name) for name, function in readers()]
)
def test_a_read_takes_what_it_asks_for_then_the_unit_of_work_last(
    name: str, function: Callable[..., Any]
) -> None:
    parameters = inspect.signature(function).parameters
    filters = [
        parameter.name
        for parameter in parameters.values()
        if parameter.default is not inspect.Parameter.empty
        and parameter.kind is not inspect.Parameter.KEYWORD_ONLY
    ]

    assert list(parameters)[-1] == "uow", name
    assert get_type_hints(function)["uow"] is HubUnitOfWork
    assert filters == [], f"{name}: filters by keyword"


def test_the_hub_has_reads() -> None:
    assert len(readers()) >= 20
