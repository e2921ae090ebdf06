"""A scanned line (POST /v1/carts/{id}/lines, and the scan field's /scans) is answered by
`LeanTillRoute` without FastAPI's generic solving when it is the common case, and by FastAPI's
own handler otherwise. Two tills
in the same state get the same requests, one through each: every answer must be the same to
the byte (status, headers, body), the well-formed scans and every malformed one alike."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastapi.routing
import httpx
import pytest
from fastapi.dependencies.utils import solve_dependencies

from tests.support import CASHIER, STAFF_PINS, SUPERVISOR, Edge, Hub, close_edge, make_edge

CART = str(uuid.uuid4())
LINE = str(uuid.uuid4())


@pytest.fixture
async def tills(sqlite_hub: Hub, tmp_path: Path) -> AsyncIterator[tuple[Edge, Edge]]:
    """Two edges, in two stores of one catalogue, each signed in as a cashier with CART open;
    the second answers every request through FastAPI's handler (a dependency override, unused,
    is enough: `LeanTillRoute` steps aside whenever the app has one)."""
    await sqlite_hub.import_items({"A": "2.55", "B": "0.85"})
    made = []
    for store in ("store-1", "store-2"):
        await sqlite_hub.create_store(store)
        edge = await make_edge(tmp_path / f"{store}.db", sqlite_hub, await sqlite_hub.token(store))
        await edge.sign_in(staff_code=CASHIER)
        opened = await edge.client.post("/v1/carts", json={"cart_id": CART, "till_id": "T1"})
        assert opened.status_code == 201, opened.text
        made.append(edge)
    app: Any = made[1].client._transport.app  # type: ignore[attr-defined]
    app.dependency_overrides[_never_asked] = _never_asked
    try:
        yield made[0], made[1]
    finally:
        for edge in made:
            await close_edge(edge)


def _never_asked() -> None:
    raise AssertionError("no route depends on this")


def _line(sku: str = "A", quantity: int = 1, **more: Any) -> dict[str, Any]:
    return {"sku": sku, "quantity": quantity, "line_id": str(uuid.uuid4())} | more


def _token(edge: Edge) -> str:
    auth: Any = edge.client.auth
    return f"Bearer {auth.session['token']}"


Headers = Callable[[str], list[tuple[str, str]]]
JSON_TYPE = ("content-type", "application/json")
OVERRIDE = ("x-override-staff-code", SUPERVISOR)


@dataclass(frozen=True)
class Case:
    name: str
    status: int  # what both answer: the case tests what its name says
    body: bytes
    headers: Headers
    path: str = f"/v1/carts/{CART}/lines"


def _json(*lines: dict[str, Any], **more: Any) -> bytes:
    return json.dumps({"lines": list(lines)} | more).encode()


def _signed(*more: tuple[str, str]) -> Headers:
    return lambda token: [JSON_TYPE, ("authorization", token), *more]


def _cases() -> list[Case]:
    same = _json(_line(line_id=LINE))
    priced = _json(_line(unit_price="1.00", price_reason="damaged"))
    return [
        Case("a new line", 201, same, _signed()),
        Case("the same line again", 200, same, _signed()),
        Case("two lines at once", 201, _json(_line("A", 2), _line("B", 3)), _signed()),
        Case("a price without its reason", 422, _json(_line(unit_price="1.00")), _signed()),
        Case("a price the cashier may not give", 403, priced, _signed()),
        Case("an unknown SKU", 404, _json(_line("NOPE")), _signed()),
        Case("an unknown cart", 404, same, _signed(), f"/v1/carts/{uuid.uuid4()}/lines"),
        Case("a cart id not a UUID", 422, same, _signed(), "/v1/carts/not-a-cart/lines"),
        Case("malformed JSON", 422, b'{"lines": [', _signed()),
        Case("JSON nested past Python's limit", 422, b"[" * 5000 + b"]" * 5000, _signed()),
        Case("not UTF-8", 422, b'{"lines": "\xff"}', _signed()),
        Case("an empty body", 422, b"", _signed()),
        Case("no lines", 422, _json(), _signed()),
        Case("a quantity of zero", 422, _json(_line(quantity=0)), _signed()),
        Case("a field not in the schema", 422, _json(_line(), x=1), _signed()),
        Case("JSON of another type", 422, b"[1, 2]", _signed()),
        Case("no Content-Type", 422, _json(_line()), lambda t: [("authorization", t)]),
        Case(
            "text/plain",
            422,
            _json(_line()),
            lambda t: [("content-type", "text/plain"), ("authorization", t)],
        ),  # fmt: skip
        Case(
            "JSON with a charset",
            201,
            _json(_line()),
            lambda t: [("content-type", "application/json; charset=utf-8"), ("authorization", t)],
        ),  # fmt: skip
        Case("no Authorization", 401, _json(_line()), lambda _: [JSON_TYPE]),
        Case(
            "a token never issued",
            401,
            _json(_line()),
            lambda _: [JSON_TYPE, ("authorization", "Bearer x")],
        ),  # fmt: skip
        Case(
            "Authorization too long",
            422,
            _json(_line()),
            lambda t: [JSON_TYPE, ("authorization", t + " " * 600)],
        ),  # fmt: skip
        Case(
            "Authorization twice, the first wrong",
            401,
            _json(_line()),
            lambda t: [JSON_TYPE, ("authorization", "Bearer x"), ("authorization", t)],
        ),  # fmt: skip
        Case("an override without its PIN", 422, _json(_line()), _signed(OVERRIDE)),
        Case(
            "an override PIN not digits",
            422,
            _json(_line()),
            _signed(OVERRIDE, ("x-override-pin", "12ab")),
        ),  # fmt: skip
        Case(
            "an override with a wrong PIN",
            401,
            priced,
            _signed(OVERRIDE, ("x-override-pin", "0000")),
        ),  # fmt: skip
        Case(
            "a price approved by a supervisor",
            201,
            priced,
            _signed(OVERRIDE, ("x-override-pin", STAFF_PINS[SUPERVISOR])),
        ),  # fmt: skip
        Case("after all that, one more line", 201, _json(_line("B")), _signed()),
    ]


async def _send(
    edge: Edge, path: str, headers: list[tuple[str, str]], body: bytes
) -> httpx.Response:
    return await edge.client.post(path, headers=headers, content=body, auth=httpx.Auth())


async def _answered_alike(tills: tuple[Edge, Edge], case: Case) -> None:
    """`case` sent to both tills: the same status, headers and body, and the status expected."""
    lean, full = tills
    first = await _send(lean, case.path, case.headers(_token(lean)), case.body)
    second = await _send(full, case.path, case.headers(_token(full)), case.body)
    assert (first.status_code, first.headers.multi_items(), first.content) == (
        second.status_code,
        second.headers.multi_items(),
        second.content,
    ), case.name
    assert first.status_code == case.status, (case.name, first.text)


async def test_every_scan_is_answered_as_fastapi_answers_it(tills: tuple[Edge, Edge]) -> None:
    lean, full = tills
    for case in _cases():
        await _answered_alike(tills, case)
    cart = (await lean.client.get(f"/v1/carts/{CART}")).json()
    # a new line; two at once; JSON with a charset; the approved price; one more
    assert [line["quantity"] for line in cart["lines"]] == [1, 2, 3, 1, 1, 1]


async def test_a_plain_scan_skips_fastapis_solving_and_anything_else_does_not(
    tills: tuple[Edge, Edge], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without this, the comparison above could pass with both tills on FastAPI's path."""
    solved: list[object] = []

    async def counting(*args: Any, **kwargs: Any) -> Any:
        solved.append(kwargs["dependant"].call)
        return await solve_dependencies(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    lean, full = tills
    body = _json(_line())
    path = f"/v1/carts/{CART}/lines"
    assert (await _send(lean, path, _signed()(_token(lean)), body)).status_code == 201
    assert solved == []
    assert (await _send(full, path, _signed()(_token(full)), body)).status_code == 201
    assert len(solved) == 1
    approved = _signed(OVERRIDE, ("x-override-pin", STAFF_PINS[SUPERVISOR]))
    answer = await _send(lean, path, approved(_token(lean)), body)
    assert answer.status_code == 200  # the same line id: already on the cart
    assert len(solved) == 2


async def test_the_scan_field_is_answered_as_fastapi_answers_it(tills: tuple[Edge, Edge]) -> None:
    """`POST /v1/carts/{id}/scans`, the scan field's route, is answered the same way."""
    path = f"/v1/carts/{CART}/scans"
    scan_id = str(uuid.uuid4())
    cases = [
        ("a SKU", 201, {"code": "A", "scan_id": scan_id}),
        ("the same scan again", 200, {"code": "A", "scan_id": scan_id}),
        ("three at once", 201, {"code": "3*B", "scan_id": str(uuid.uuid4())}),
        ("a code nobody sells", 404, {"code": "NOPE"}),
        ("a GTIN with a wrong check digit", 422, {"code": "4006381333932"}),
        ("no code", 422, {"scan_id": scan_id}),
    ]
    for name, status, document in cases:
        await _answered_alike(
            tills, Case(name, status, json.dumps(document).encode(), _signed(), path)
        )
