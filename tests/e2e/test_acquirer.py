"""The simulated acquirer as its own process, reached through the edge's HttpPaymentTerminal:
deterministic declines, idempotent replays, refunds never above what was captured, the
settlement report, durability across SIGKILL, and a capture whose answer was lost settled
exactly once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from edge.payments.http_terminal import HttpPaymentTerminal, terminal_from_settings
from edge.payments.port import AcquirerError, AcquirerUnreachable, idempotency_key
from edge.settings import EdgeSettings
from shared.money import Money
from tests.acquirer_support import AcquirerProcess, acquirer_client
from vectis.ops.postgres import free_port
from vectis.proxy import Chunk, Direction, FaultProxy

VISA = "4242424242424242"


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def terminal_for(acquirer: AcquirerProcess, url: str | None = None) -> HttpPaymentTerminal:
    return HttpPaymentTerminal(url or acquirer.url, acquirer.api_key, timeout_s=5.0)


def key() -> str:
    return idempotency_key(uuid.uuid4())


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def charge(
    terminal: HttpPaymentTerminal, amount: str, card: str = VISA, reference: str = "S1/T1/d1"
):
    return await terminal.charge(gbp(amount), card, idempotency_key=key(), reference=reference)


@pytest.mark.parametrize(
    ("card", "amount", "decline_code"),
    [
        ("4000000000000002", "10.00", "card_declined"),
        ("4000000000009995", "10.00", "insufficient_funds"),
        ("4000000000000069", "10.00", "expired_card"),
        (VISA, "12.51", "do_not_honour"),
        (VISA, "0.51", "do_not_honour"),
        ("5555555555554444", "1000.51", "do_not_honour"),
    ],
)
async def test_test_cards_and_amounts_decline_and_take_nothing(
    acquirer: AcquirerProcess, card: str, amount: str, decline_code: str
) -> None:
    terminal = terminal_for(acquirer)

    result = await charge(terminal, amount, card)

    assert not result.success
    assert result.status == "declined"
    assert result.decline_code == decline_code
    assert result.last4 == card[-4:]
    report = await acquirer.settlement(today())
    assert report["count"] == 0 and report["net"] == "0.00"


@pytest.mark.parametrize(
    ("card", "brand"),
    [
        (VISA, "visa"),
        ("5555555555554444", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "card"),
    ],
)
async def test_an_approved_charge_is_captured_with_brand_and_last_four(
    acquirer: AcquirerProcess, card: str, brand: str
) -> None:
    result = await charge(terminal_for(acquirer), "12.50", card)

    assert result.success and result.status == "captured"
    assert result.amount == gbp("12.50")
    assert (result.brand, result.last4) == (brand, card[-4:])
    assert result.transaction_id and not result.held_for_review and not result.replayed


async def test_the_review_card_is_captured_but_held_for_review(acquirer: AcquirerProcess) -> None:
    result = await charge(terminal_for(acquirer), "40.00", "4000000000000259")

    assert result.success and result.status == "captured" and result.held_for_review
    report = await acquirer.settlement(today())
    assert report["captured"] == "40.00"
    assert report["items"][0]["held_for_review"] is True


async def test_a_retried_charge_answers_the_first_result_and_charges_once(
    acquirer: AcquirerProcess,
) -> None:
    terminal = terminal_for(acquirer)
    tender_key = key()

    first = await terminal.charge(
        gbp("25.00"), VISA, idempotency_key=tender_key, reference="S1/T1/a"
    )
    again = await terminal.charge(
        gbp("25.00"), VISA, idempotency_key=tender_key, reference="S1/T1/a"
    )

    assert again.replayed and not first.replayed
    assert again.transaction_id == first.transaction_id
    assert again.amount == first.amount
    report = await acquirer.settlement(today())
    assert (report["count"], report["captured"]) == (1, "25.00")


async def test_a_declined_charge_replays_its_decline(acquirer: AcquirerProcess) -> None:
    terminal = terminal_for(acquirer)
    tender_key = key()

    first = await terminal.charge(
        gbp("7.51"), VISA, idempotency_key=tender_key, reference="S1/T1/a"
    )
    again = await terminal.charge(
        gbp("7.51"), VISA, idempotency_key=tender_key, reference="S1/T1/a"
    )

    assert not first.success and not again.success and again.replayed
    assert again.decline_code == "do_not_honour"


async def test_a_key_reused_for_another_request_is_refused_and_moves_nothing(
    acquirer: AcquirerProcess,
) -> None:
    terminal = terminal_for(acquirer)
    tender_key = key()
    await terminal.charge(gbp("25.00"), VISA, idempotency_key=tender_key, reference="S1/T1/a")

    with pytest.raises(AcquirerError, match="idempotency_key_reused"):
        await terminal.charge(gbp("26.00"), VISA, idempotency_key=tender_key, reference="S1/T1/a")
    async with acquirer_client(acquirer) as client:
        response = await client.post(
            "/v1/payments",
            json={
                "amount": "26.00",
                "currency": "GBP",
                "card": VISA,
                "idempotency_key": tender_key,
                "reference": "S1/T1/a",
            },
        )
    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_key_reused"
    assert (await acquirer.settlement(today()))["captured"] == "25.00"


async def test_refunds_never_exceed_what_was_captured(acquirer: AcquirerProcess) -> None:
    terminal = terminal_for(acquirer)
    sale = await charge(terminal, "20.00")
    assert sale.transaction_id is not None

    first = await terminal.refund(sale.transaction_id, gbp("15.00"), idempotency_key=key())
    too_much = await terminal.refund(sale.transaction_id, gbp("10.00"), idempotency_key=key())
    rest = await terminal.refund(sale.transaction_id, gbp("5.00"), idempotency_key=key())
    beyond = await terminal.refund(sale.transaction_id, gbp("0.01"), idempotency_key=key())

    assert first.success and first.status == "refunded" and first.amount == gbp("15.00")
    assert first.transaction_id != sale.transaction_id
    assert not too_much.success and too_much.decline_code == "refund_exceeds_capture"
    assert rest.success
    assert not beyond.success and beyond.decline_code == "refund_exceeds_capture"
    report = await acquirer.settlement(today())
    assert (report["captured"], report["refunded"], report["net"]) == ("20.00", "20.00", "0.00")


async def test_a_retried_refund_pays_back_once(acquirer: AcquirerProcess) -> None:
    terminal = terminal_for(acquirer)
    sale = await charge(terminal, "20.00")
    assert sale.transaction_id is not None
    refund_key = key()

    first = await terminal.refund(sale.transaction_id, gbp("8.00"), idempotency_key=refund_key)
    again = await terminal.refund(sale.transaction_id, gbp("8.00"), idempotency_key=refund_key)

    assert again.replayed and again.transaction_id == first.transaction_id
    assert (await acquirer.settlement(today()))["refunded"] == "8.00"


async def test_authorize_then_capture_less_and_void_another(acquirer: AcquirerProcess) -> None:
    terminal = terminal_for(acquirer)
    held = await terminal.authorize(gbp("30.00"), VISA, idempotency_key=key(), reference="S1/T1/a")
    other = await terminal.authorize(gbp("9.00"), VISA, idempotency_key=key(), reference="S1/T1/b")
    assert held.status == "authorized" and held.transaction_id and other.transaction_id
    assert (await acquirer.settlement(today()))["count"] == 0

    captured = await terminal.capture(held.transaction_id, gbp("25.00"), idempotency_key=key())
    voided = await terminal.void(other.transaction_id, idempotency_key=key())

    assert captured.status == "captured" and captured.amount == gbp("25.00")
    assert voided.status == "voided" and voided.amount == gbp("9.00")
    with pytest.raises(AcquirerError, match="invalid_payment_state"):
        await terminal.void(held.transaction_id, idempotency_key=key())
    with pytest.raises(AcquirerError, match="invalid_payment_state"):
        await terminal.capture(other.transaction_id, gbp("9.00"), idempotency_key=key())
    refund = await terminal.refund(held.transaction_id, gbp("30.00"), idempotency_key=key())
    assert refund.decline_code == "refund_exceeds_capture"
    report = await acquirer.settlement(today())
    assert (report["count"], report["net"]) == (1, "25.00")


async def test_the_settlement_report_totals_the_day_per_store(acquirer: AcquirerProcess) -> None:
    terminal = terminal_for(acquirer)
    a = await charge(terminal, "10.00", reference="store-a/T1/doc1")
    await charge(terminal, "5.50", reference="store-a/T2/doc2")
    b = await charge(terminal, "7.25", reference="store-b/T1/doc3")
    await charge(terminal, "3.51", reference="store-b/T1/doc4")  # declined: not settled
    assert a.transaction_id and b.transaction_id
    await terminal.refund(a.transaction_id, gbp("2.00"), idempotency_key=key())

    report = await acquirer.settlement(today())
    only_b = await acquirer.settlement(today(), reference_prefix="store-b/")

    assert (report["captured"], report["refunded"], report["net"]) == ("22.75", "2.00", "20.75")
    assert report["currency"] == "GBP" and report["count"] == 4
    assert report["by_reference"] == {
        "store-a": {"captured": "15.50", "refunded": "2.00", "net": "13.50"},
        "store-b": {"captured": "7.25", "refunded": "0.00", "net": "7.25"},
    }
    assert [item["kind"] for item in report["items"]] == ["capture", "capture", "capture", "refund"]
    assert report["items"][3]["reference"] == "store-a/T1/doc1"
    assert (only_b["net"], only_b["count"]) == ("7.25", 1)
    assert (await acquirer.settlement("2020-01-01"))["count"] == 0


async def test_what_was_taken_survives_a_kill_and_restart(acquirer: AcquirerProcess) -> None:
    terminal = terminal_for(acquirer)
    tender_key = key()
    sale = await terminal.charge(
        gbp("42.00"), VISA, idempotency_key=tender_key, reference="S1/T1/a"
    )
    assert sale.transaction_id is not None

    acquirer.kill()
    with pytest.raises(AcquirerUnreachable):
        await charge(terminal, "1.00")
    await acquirer.restart()

    found = await terminal.find(tender_key)
    again = await terminal.charge(
        gbp("42.00"), VISA, idempotency_key=tender_key, reference="S1/T1/a"
    )
    refund = await terminal.refund(sale.transaction_id, gbp("2.00"), idempotency_key=key())
    assert found is not None and found.transaction_id == sale.transaction_id and found.success
    assert again.replayed and again.transaction_id == sale.transaction_id
    assert refund.success
    report = await acquirer.settlement(today())
    assert (report["captured"], report["refunded"], report["count"]) == ("42.00", "2.00", 2)


@pytest.fixture
async def proxy(acquirer: AcquirerProcess) -> AsyncIterator[FaultProxy]:
    async with FaultProxy("127.0.0.1", acquirer.port, name="acquirer-link") as running:
        yield running


async def test_a_capture_whose_answer_was_lost_is_settled_exactly_once(
    acquirer: AcquirerProcess, proxy: FaultProxy
) -> None:
    terminal = terminal_for(acquirer, proxy.url)
    tender_key = idempotency_key(uuid.uuid4())
    proxy.drop_responses(1)

    with pytest.raises(AcquirerUnreachable):
        await terminal.charge(gbp("60.00"), VISA, idempotency_key=tender_key, reference="S1/T1/x")
    assert proxy.responses_dropped == 1

    found = await terminal.find(tender_key)
    retried = await terminal.charge(
        gbp("60.00"), VISA, idempotency_key=tender_key, reference="S1/T1/x"
    )

    assert found is not None and found.success and found.status == "captured"
    assert found.amount == gbp("60.00")
    assert retried.replayed and retried.transaction_id == found.transaction_id
    report = await acquirer.settlement(today())
    assert (report["count"], report["captured"]) == (1, "60.00")


async def test_a_request_that_never_arrived_is_not_found_and_a_retry_charges_once(
    acquirer: AcquirerProcess, proxy: FaultProxy
) -> None:
    terminal = terminal_for(acquirer, proxy.url)
    tender_key = key()
    await proxy.set_online(False)

    with pytest.raises(AcquirerUnreachable):
        await terminal.charge(gbp("9.00"), VISA, idempotency_key=tender_key, reference="S1/T1/y")
    await proxy.set_online(True)

    assert await terminal.find(tender_key) is None
    retried = await terminal.charge(
        gbp("9.00"), VISA, idempotency_key=tender_key, reference="S1/T1/y"
    )
    assert retried.success and not retried.replayed
    assert (await acquirer.settlement(today()))["count"] == 1


class _BadGateway:
    """Answers every request with a 502 and a body that is not JSON, as a broken gateway
    in front of the acquirer would."""

    async def on_chunk(self, chunk: Chunk) -> Sequence[bytes]:
        if chunk.direction is Direction.DOWN:
            return (
                (
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops!",
                )
                if chunk.index == 0
                else ()
            )
        return (chunk.data,)


async def test_an_answer_the_till_cannot_use_is_an_acquirer_error(
    acquirer: AcquirerProcess,
) -> None:
    async with FaultProxy("127.0.0.1", acquirer.port, policy=_BadGateway()) as broken:
        with pytest.raises(AcquirerError, match="502"):
            await charge(terminal_for(acquirer, broken.url), "5.00")
    with pytest.raises(AcquirerError, match="unauthorized"):
        await charge(HttpPaymentTerminal(acquirer.url, "not-the-key"), "5.00")


async def test_no_acquirer_listening_is_unreachable() -> None:
    terminal = HttpPaymentTerminal(f"http://127.0.0.1:{free_port()}", "key", timeout_s=2.0)

    with pytest.raises(AcquirerUnreachable):
        await terminal.charge(gbp("5.00"), VISA, idempotency_key=key(), reference="S1/T1/z")
    with pytest.raises(AcquirerUnreachable):
        await terminal.find(key())


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "error"),
    [
        ("POST", "/v1/payments", {"amount": "abc"}, 422, "validation_error"),
        (
            "POST",
            "/v1/payments",
            {
                "amount": "1.001",
                "currency": "GBP",
                "card": VISA,
                "idempotency_key": "k1",
                "reference": "r",
            },
            422,
            "invalid_amount",
        ),
        (
            "POST",
            "/v1/payments",
            {
                "amount": "-1",
                "currency": "GBP",
                "card": VISA,
                "idempotency_key": "k2",
                "reference": "r",
            },
            422,
            "invalid_amount",
        ),
        (
            "POST",
            "/v1/payments",
            {
                "amount": "1",
                "currency": "XXX",
                "card": VISA,
                "idempotency_key": "k3",
                "reference": "r",
            },
            422,
            "unsupported_currency",
        ),
        (
            "POST",
            "/v1/payments/pay_nope/capture",
            {"idempotency_key": "k4"},
            404,
            "payment_not_found",
        ),
        (
            "POST",
            "/v1/payments/pay_nope/refunds",
            {"amount": "1", "idempotency_key": "k5"},
            404,
            "payment_not_found",
        ),
        ("GET", "/v1/operations/never-seen", None, 404, "operation_not_found"),
        ("GET", "/v1/settlements/yesterday", None, 422, "validation_error"),
        ("PUT", "/v1/clock", {"now": "2030-01-01T00:00:00+00:00"}, 409, "clock_not_driven"),
    ],
)
async def test_bad_requests_get_a_clear_error_and_move_nothing(
    acquirer: AcquirerProcess, method: str, path: str, body: object, status: int, error: str
) -> None:
    async with acquirer_client(acquirer) as client:
        response = await client.request(method, path, json=body)

    assert response.status_code == status, response.text
    assert response.json()["error"] == error and response.json()["detail"]
    assert (await acquirer.settlement(today()))["count"] == 0


async def test_every_route_but_health_needs_the_api_key(acquirer: AcquirerProcess) -> None:
    async with httpx.AsyncClient(base_url=acquirer.url, trust_env=False) as client:
        health = await client.get("/health")
        refused = await client.get(f"/v1/settlements/{today()}")
        wrong = await client.get(
            f"/v1/settlements/{today()}", headers={"Authorization": "Bearer wrong"}
        )

    assert health.status_code == 200
    assert refused.status_code == wrong.status_code == 401
    assert refused.json()["error"] == "unauthorized"


async def test_the_edge_builds_its_terminal_from_its_settings(acquirer: AcquirerProcess) -> None:
    settings = EdgeSettings(acquirer_url=acquirer.url, acquirer_api_key=SecretStr(acquirer.api_key))

    terminal = terminal_from_settings(settings)

    assert terminal is not None
    result = await terminal.charge(gbp("3.00"), VISA, idempotency_key=key(), reference="S1/T1/s")
    assert result.success
    assert terminal_from_settings(EdgeSettings()) is None


async def test_decimal_amounts_round_trip_exactly(acquirer: AcquirerProcess) -> None:
    result = await charge(terminal_for(acquirer), "0.10")
    assert result.amount.amount == Decimal("0.10")
