"""The till's two searches on a real edge (SQLite file): the catalogue by GTIN beside SKU and
name (`GET /v1/catalogue?q=`), and the customers this node holds (`GET /v1/customers?q=`),
with their bounds and the signed-in session the customer search needs."""

from __future__ import annotations

import httpx
import pytest

from tests.support import CASHIER, Edge, Hub

# A UPC-A (GTIN-12) held as its EAN-13 form, an EAN-13, a GTIN-8 and a GTIN-14 (a case).
ITEMS = (
    ("COLA-330", "Cola can 330 ml", "0049000028911"),
    ("TEA-80", "Tea bags x80", "5012345000013"),
    ("CHOC-45", "Milk chocolate 45 g", "50123452"),
    ("TEA-CASE", "Tea bags x80, case of 12", "15012345000010"),
)

CUSTOMERS = {
    "C-0042": {"name": "Ada Lovelace", "email": "ada@example.test", "phone": "020 7946 0000"},
    "C-0043": {"name": "Charles Babbage", "email": "cb@engine.test", "phone": "+44 161 496 0001"},
    "C-0044": {"name": "ADA Byron", "email": None, "phone": None},
    "C-0045": {"name": "Grace 50%_off", "email": "grace@navy.test", "phone": "0161-496-0002"},
}


async def import_items(hub: Hub) -> None:
    body = {
        "items": [
            {"sku": sku, "description": description, "unit_price": "1.00", "currency": "GBP"}
            | {"gtin": gtin}
            for sku, description, gtin in ITEMS
        ]
    }
    response = await hub.client.post("/v1/catalogue/import", json=body, headers=hub.admin)
    assert response.status_code == 200, response.text


def skus(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["sku"] for item in response.json()]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("049000028911", "COLA-330"),  # the UPC-A finds the item held as its EAN-13
        ("0049000028911", "COLA-330"),  # the EAN-13 form itself
        ("00049000028911", "COLA-330"),  # and its GTIN-14 form
        ("5012345000013", "TEA-80"),
        ("50123452", "CHOC-45"),  # a GTIN-8
        ("00000050123452", "CHOC-45"),  # a GTIN-8 typed in its 14-digit form
        ("15012345000010", "TEA-CASE"),
    ],
)
async def test_catalogue_search_finds_an_item_by_any_form_of_its_gtin(
    hub: Hub, store: Edge, typed: str, found: str
) -> None:
    await import_items(hub)
    await store.sync()
    assert skus(await store.client.get("/v1/catalogue", params={"q": typed}))[0] == found


async def test_catalogue_search_by_gtin_keeps_name_and_sku_matches_and_finds_no_stranger(
    hub: Hub, store: Edge
) -> None:
    await import_items(hub)
    await store.sync()
    # names and SKUs as before
    assert skus(await store.client.get("/v1/catalogue", params={"q": "tea"})) == [
        "TEA-80",
        "TEA-CASE",
    ]
    # a wrong check digit, or a GTIN nobody holds, finds nothing (nothing else has the digits)
    for typed in ("5012345000014", "4006381333931", "1234567"):
        assert skus(await store.client.get("/v1/catalogue", params={"q": typed})) == []
    # the GTIN's item counts against the limit like any other
    assert skus(await store.client.get("/v1/catalogue", params={"q": "50123452", "limit": 1})) == [
        "CHOC-45"
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {},
        {"q": "x" * 65},
        {"q": "a\nb"},
        {"q": "a", "limit": 0},
        {"q": "a", "limit": 201},
    ],
)
async def test_catalogue_search_refuses_bad_input(
    store: Edge, params: dict[str, str | int]
) -> None:
    response = await store.client.get("/v1/catalogue", params=params)
    assert (response.status_code, response.json()["error"]) == (422, "validation_error")


async def put_customers(store: Edge) -> None:
    for key, fields in CUSTOMERS.items():
        response = await store.client.put(f"/v1/records/customer/{key}", json={"fields": fields})
        assert response.status_code == 200, response.text


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [customer["customer_id"] for customer in response.json()]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("ada", ["C-0044", "C-0042"]),  # any case, by name: "ADA Byron" before "Ada Lovelace"
        ("LOVELACE", ["C-0042"]),
        ("engine.test", ["C-0043"]),  # the email
        ("7946", ["C-0042"]),  # part of the phone as written
        ("02079460000", ["C-0042"]),  # the phone's digits without its spaces
        ("161 4960001", ["C-0043"]),  # spaced another way, without the +
        ("4960002", ["C-0045"]),  # dashes left out too
        ("c-004", ["C-0044", "C-0042", "C-0043", "C-0045"]),  # the id; by name
        ("50%_", ["C-0045"]),  # % and _ are themselves
        ("nobody", []),
    ],
)
async def test_customer_search_finds_by_name_email_phone_or_id(
    store: Edge, typed: str, found: list[str]
) -> None:
    await put_customers(store)
    assert ids(await store.client.get("/v1/customers", params={"q": typed})) == found


async def test_customer_search_answers_the_records_fields_and_keeps_to_its_limit(
    store: Edge,
) -> None:
    await put_customers(store)
    answer = await store.client.get("/v1/customers", params={"q": "ada", "limit": 1})
    assert answer.json() == [
        {"customer_id": "C-0044", "name": "ADA Byron", "email": None, "phone": None}
    ]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x" * 65},
        {"q": "a\tb"},
        {"q": "a", "limit": 0},
        {"q": "a", "limit": 51},
    ],
)
async def test_customer_search_refuses_bad_input(store: Edge, params: dict[str, str | int]) -> None:
    response = await store.client.get("/v1/customers", params=params)
    assert (response.status_code, response.json()["error"]) == (422, "validation_error")


async def test_customer_search_needs_a_signed_in_till_and_a_cashier_may_search(
    store: Edge,
) -> None:
    await put_customers(store)
    bare = httpx.AsyncClient(transport=store.client._transport, base_url=store.client.base_url)
    async with bare:
        refused = await bare.get("/v1/customers", params={"q": "ada"})
    assert (refused.status_code, refused.json()["error"]) == (401, "not_signed_in")
    await store.sign_in(staff_code=CASHIER, shift=False)
    assert ids(await store.client.get("/v1/customers", params={"q": "babbage"})) == ["C-0043"]
