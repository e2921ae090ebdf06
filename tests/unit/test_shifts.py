"""A till's shift as a cashier and a manager live it: the float, sales, cash movements, X and Z."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.domain.cash_count import MAX_COUNT_PER_DENOMINATION, CashCount, InvalidCashCount
from edge.domain.shifts import (
    CashMovementKind,
    InvalidShiftEntry,
    NoOpenShift,
    SaleRecord,
    Shift,
    ShiftAlreadyOpen,
    ShiftClosed,
    TaxAtRate,
    business_day,
    close_shift,
    is_overdue,
    open_shift,
    record_cash_movement,
    record_no_sale,
    record_sale,
    record_void,
    require_open_shift,
    x_report,
)
from edge.domain.staff import NotPermitted, Role
from shared.denominations import DENOMINATIONS
from shared.money import Money

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def float_of_100() -> CashCount:
    return CashCount.of("GBP", {"20": 2, "10": 3, "5": 4, "1": 8, "0.50": 4})


def opened(till: str = "T1", staff: str = "1001", at: datetime = T0) -> Shift:
    return open_shift(
        None, shift_id="S1", till_id=till, staff_code=staff, at=at, opening_float=float_of_100()
    )


def sale(
    number: str,
    minutes: int,
    total: str,
    tenders: tuple[tuple[str, str], ...],
    change: str = "0",
    tax: tuple[TaxAtRate, ...] = (),
    discounts: str = "0",
    overrides: int = 0,
) -> SaleRecord:
    return SaleRecord(
        receipt_number=number,
        at=T0 + timedelta(minutes=minutes),
        total=gbp(total),
        tenders=tuple((name, gbp(amount)) for name, amount in tenders),
        change=gbp(change),
        tax=tax,
        discounts=gbp(discounts),
        overrides=overrides,
    )


def test_a_full_shift_from_float_to_z_with_a_short_drawer() -> None:
    shift = opened()
    assert shift.totals.expected_cash == gbp("100.00")

    vat20 = TaxAtRate(Decimal(20), gbp("10.00"), gbp("2.00"))
    shift = record_sale(
        shift, sale("R-0001", 5, "12.00", (("cash", "20.00"),), change="8.00", tax=(vat20,))
    )
    shift = record_sale(
        shift,
        sale(
            "R-0002",
            9,
            "30.00",
            (("card", "30.00"),),
            tax=(TaxAtRate(Decimal(20), gbp("25.00"), gbp("5.00")),),
            discounts="3.00",
            overrides=1,
        ),
    )
    shift = record_sale(
        shift,
        sale(
            "R-0003",
            20,
            "-6.00",
            (("cash", "-6.00"),),
            tax=(TaxAtRate(Decimal(20), gbp("-5.00"), gbp("-1.00")),),
        ),
    )
    shift = record_void(shift, T0 + timedelta(minutes=25), gbp("4.50"))
    shift = record_no_sale(shift, T0 + timedelta(minutes=26))
    shift = record_cash_movement(
        shift, T0 + timedelta(minutes=30), CashMovementKind.PAID_OUT, gbp("2.40")
    )
    shift = record_cash_movement(
        shift, T0 + timedelta(minutes=40), CashMovementKind.PICKUP, gbp("50.00")
    )

    x = x_report(shift, T0 + timedelta(hours=1))
    # 100 float + 20 cash - 8 change - 6 refund - 2.40 paid out - 50 pickup
    assert x.expected_cash == gbp("53.60")
    t = x.totals
    assert (t.sales_count, t.sales, t.returns_count, t.returns) == (2, gbp("42"), 1, gbp("-6"))
    assert (t.voids_count, t.voids, t.no_sales_count) == (1, gbp("-4.50"), 1)
    assert (t.discounts, t.overrides_count, t.net_sales) == (gbp("3"), 1, gbp("36"))
    assert t.tenders == (("card", gbp("30")), ("cash", gbp("14")))
    assert t.tax == (TaxAtRate(Decimal(20), gbp("30.00"), gbp("6.00")),)
    assert (x.first_receipt_number, x.last_receipt_number) == ("R-0001", "R-0003")

    blind = CashCount.of("GBP", {"20": 2, "10": 1, "2": 1, "0.50": 2, "0.10": 1})  # 53.10
    closed, z = close_shift(
        shift,
        at=T0 + timedelta(hours=8),
        staff_code="1001",
        role=Role.CASHIER,
        counted=blind,
        z_number=7,
        previous_grand_total=gbp("1000.00"),
    )
    assert z.z_number == 7
    assert (z.counted_cash, z.expected_cash, z.variance) == (
        gbp("53.10"),
        gbp("53.60"),
        gbp("-0.50"),
    )
    assert z.grand_total == gbp("1036.00")
    assert (z.period_start, z.period_end) == (T0, T0 + timedelta(hours=8))
    assert (z.first_receipt_number, z.last_receipt_number) == ("R-0001", "R-0003")
    assert z.totals == x.totals
    assert not closed.is_open


def test_the_grand_total_runs_on_across_three_shifts_and_returns_lower_it() -> None:
    grand: Money | None = None
    previous: Shift | None = None
    nets = ["120.00", "-15.00", "80.25"]
    for number, net in enumerate(nets, start=1):
        at = T0 + timedelta(days=number)
        shift = open_shift(
            previous,
            shift_id=f"S{number}",
            till_id="T1",
            staff_code="1001",
            at=at,
            opening_float=float_of_100(),
        )
        record = SaleRecord(f"R-{number}", at, gbp(net), (("card", gbp(net)),), gbp("0"))
        shift = record_sale(shift, record)
        previous, z = close_shift(
            shift,
            at=at + timedelta(hours=8),
            staff_code="1001",
            role=Role.CASHIER,
            counted=float_of_100(),
            z_number=number,
            previous_grand_total=grand,
        )
        assert z.variance == gbp("0")
        grand = z.grand_total
    assert grand == gbp("185.25")


def test_a_till_sells_only_inside_an_open_shift() -> None:
    with pytest.raises(NoOpenShift) as error:
        require_open_shift(None, "T1")
    assert error.value.code == "no_open_shift"
    shift = opened()
    assert require_open_shift(shift, "T1") is shift
    closed, _ = close_shift(
        shift,
        at=T0 + timedelta(hours=1),
        staff_code="1001",
        role=Role.CASHIER,
        counted=float_of_100(),
        z_number=1,
        previous_grand_total=None,
    )
    with pytest.raises(NoOpenShift):
        require_open_shift(closed, "T1")


def test_a_second_shift_cannot_open_over_an_open_one() -> None:
    shift = opened()
    with pytest.raises(ShiftAlreadyOpen) as error:
        open_shift(
            shift,
            shift_id="S2",
            till_id="T1",
            staff_code="1002",
            at=T0,
            opening_float=float_of_100(),
        )
    assert error.value.code == "shift_already_open"


def _close(shift: Shift, staff: str = "1001", role: Role = Role.CASHIER) -> Shift:
    closed, _ = close_shift(
        shift,
        at=T0 + timedelta(hours=1),
        staff_code=staff,
        role=role,
        counted=float_of_100(),
        z_number=1,
        previous_grand_total=None,
    )
    return closed


def test_closing_twice_is_refused_and_a_closed_shift_takes_nothing_more() -> None:
    closed = _close(opened())
    with pytest.raises(ShiftClosed) as error:
        _close(closed)
    assert error.value.code == "shift_closed"
    with pytest.raises(ShiftClosed):
        record_no_sale(closed, T0 + timedelta(hours=2))
    with pytest.raises(ShiftClosed):
        record_sale(closed, sale("R-9", 90, "1.00", (("cash", "1.00"),)))


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.CASHIER, False), (Role.SUPERVISOR, False), (Role.MANAGER, True)]
)
def test_only_a_manager_closes_another_cashiers_shift(role: Role, allowed: bool) -> None:
    shift = opened(staff="1001")
    if allowed:
        assert not _close(shift, staff="9001", role=role).is_open
    else:
        with pytest.raises(NotPermitted):
            _close(shift, staff="1002", role=role)


def test_the_x_report_changes_nothing() -> None:
    shift = record_sale(opened(), sale("R-1", 1, "5.00", (("cash", "5.00"),)))
    before = shift
    first = x_report(shift, T0 + timedelta(minutes=5))
    second = x_report(shift, T0 + timedelta(minutes=6))
    assert shift == before and shift.is_open
    assert first.totals == second.totals and first.expected_cash == second.expected_cash


@pytest.mark.parametrize("currency", sorted(DENOMINATIONS))
def test_every_denomination_at_its_bounds_counts_to_its_total(currency: str) -> None:
    values = DENOMINATIONS[currency]
    empty = CashCount(currency, {})
    assert empty.total == Money.zero(currency)
    full = CashCount(currency, dict.fromkeys(values, MAX_COUNT_PER_DENOMINATION))
    assert full.total == Money.of(sum(values) * MAX_COUNT_PER_DENOMINATION, currency)
    smallest = CashCount(currency, {values[-1]: 1})
    assert smallest.total.minor == 1
    with pytest.raises(InvalidCashCount):
        CashCount(currency, {values[0]: MAX_COUNT_PER_DENOMINATION + 1})
    with pytest.raises(InvalidCashCount):
        CashCount(currency, {values[-1]: -1})


def test_gbp_has_the_bank_of_england_notes_and_royal_mint_coins() -> None:
    assert [str(d) for d in DENOMINATIONS["GBP"]] == [
        "50", "20", "10", "5", "2", "1", "0.50", "0.20", "0.10", "0.05", "0.02", "0.01"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("currency", "counts"),
    [
        ("GBP", {"0.25": 1}),  # no 25p coin
        ("GBP", {"100": 1}),  # no 100 pound note
        ("JPY", {"0.50": 1}),
        ("XXX", {"1": 1}),
        ("GBP", {"abc": 1}),
        ("GBP", {"1": 1.0}),
        ("GBP", {"1": True}),
    ],
)
def test_an_unknown_denomination_or_a_bad_count_is_refused(
    currency: str, counts: dict[str, object]
) -> None:
    with pytest.raises(InvalidCashCount) as error:
        CashCount.of(currency, counts)  # type: ignore[arg-type]
    assert error.value.code == "invalid_cash_count"


def test_a_float_denomination_is_refused() -> None:
    with pytest.raises(InvalidCashCount):
        CashCount("GBP", {0.5: 1})  # type: ignore[dict-item]


def test_denominations_written_differently_are_one() -> None:
    count = CashCount.of("GBP", {"0.5": 2, "0.50": 1})
    assert dict(count.counts) == {Decimal("0.50"): 3}
    assert count.total == gbp("1.50")


@pytest.mark.parametrize(
    "bad",
    [
        sale("R-1", 1, "5.00", (("cash", "4.00"),)),  # tenders short of the total
        sale("R-1", 1, "5.00", (("cash", "10.00"),), change="-5.00"),
        sale("R-1", -1, "5.00", (("cash", "5.00"),)),  # before the shift opened
        SaleRecord("R-1", T0, Money.of("5", "EUR"), (("cash", Money.of("5", "EUR")),), gbp("0")),
        SaleRecord("R-1", T0.replace(tzinfo=None), gbp("5"), (("cash", gbp("5")),), gbp("0")),
    ],
)
def test_a_sale_that_does_not_add_up_is_refused(bad: SaleRecord) -> None:
    with pytest.raises(InvalidShiftEntry) as error:
        record_sale(opened(), bad)
    assert error.value.code == "invalid_shift_entry"


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_a_cash_movement_is_a_positive_amount(amount: str) -> None:
    with pytest.raises(InvalidShiftEntry):
        record_cash_movement(opened(), T0, CashMovementKind.PAID_IN, gbp(amount))


def test_a_z_number_starts_at_one() -> None:
    with pytest.raises(InvalidShiftEntry):
        close_shift(
            opened(),
            at=T0,
            staff_code="1001",
            role=Role.CASHIER,
            counted=float_of_100(),
            z_number=0,
            previous_grand_total=None,
        )


def test_the_business_day_turns_at_the_cutoff_in_the_stores_zone() -> None:
    # 01:30 London summer time on 2 June is 00:30 UTC: before a 04:00 cut-off, so 1 June.
    at = datetime(2026, 6, 2, 0, 30, tzinfo=UTC)
    assert business_day(at, LONDON, time(4)).isoformat() == "2026-06-01"
    assert business_day(at, LONDON, time(0)).isoformat() == "2026-06-02"


def test_a_shift_left_open_past_the_business_day_is_overdue() -> None:
    opened_at = datetime(2026, 6, 1, 7, 0, tzinfo=LONDON)
    shift = opened(at=opened_at)
    end = datetime(2026, 6, 2, 4, 0, tzinfo=LONDON)
    assert not is_overdue(shift, end - timedelta(seconds=1), LONDON, time(4))
    assert is_overdue(shift, end, LONDON, time(4))
    assert not is_overdue(_close_at(shift, end), end + timedelta(days=3), LONDON, time(4))


def test_the_business_day_ends_at_the_cutoff_across_the_clocks_going_forward() -> None:
    # The clocks go forward on 29 March 2026 at 01:00 UTC: the day is 23 hours long.
    shift = opened(at=datetime(2026, 3, 28, 9, 0, tzinfo=LONDON))
    end_utc = datetime(2026, 3, 29, 3, 0, tzinfo=UTC)  # 04:00 BST
    assert not is_overdue(shift, end_utc - timedelta(seconds=1), LONDON, time(4))
    assert is_overdue(shift, end_utc, LONDON, time(4))


def _close_at(shift: Shift, at: datetime) -> Shift:
    closed, _ = close_shift(
        shift,
        at=at,
        staff_code=shift.opened_by,
        role=Role.CASHIER,
        counted=shift.opening_float,
        z_number=1,
        previous_grand_total=None,
    )
    return closed


pennies = st.integers(min_value=1, max_value=1_000_000)
steps = st.one_of(
    st.tuples(st.sampled_from(list(CashMovementKind)), pennies),
    st.tuples(st.just("cash_sale"), pennies, st.integers(min_value=0, max_value=5_000)),
    st.tuples(st.just("cash_refund"), pennies),
    st.tuples(st.just("card_sale"), pennies),
    st.tuples(st.just("void"), pennies),
    st.tuples(st.just("no_sale")),
)


@given(st.lists(steps, max_size=30))
def test_expected_cash_is_the_float_plus_the_signed_cash_movements(
    sequence: list[tuple[object, ...]],
) -> None:
    shift = opened()
    signed = 0
    at = T0
    for number, step in enumerate(sequence):
        at = at + timedelta(minutes=1)
        kind = step[0]
        receipt = f"R-{number}"
        if isinstance(kind, CashMovementKind):
            amount = int(step[1])  # type: ignore[call-overload]
            shift = record_cash_movement(shift, at, kind, Money.from_minor(amount, "GBP"))
            outgoing = kind in (CashMovementKind.PAID_OUT, CashMovementKind.PICKUP)
            signed += -amount if outgoing else amount
        elif kind == "cash_sale":
            total, change = int(step[1]), int(step[2])  # type: ignore[call-overload]
            tendered = Money.from_minor(total + change, "GBP")
            record = SaleRecord(
                receipt,
                at,
                Money.from_minor(total, "GBP"),
                (("cash", tendered),),
                Money.from_minor(change, "GBP"),
            )
            shift = record_sale(shift, record)
            signed += total
        elif kind == "cash_refund":
            refund = Money.from_minor(-int(step[1]), "GBP")  # type: ignore[call-overload]
            shift = record_sale(
                shift, SaleRecord(receipt, at, refund, (("cash", refund),), gbp("0"))
            )
            signed += refund.minor
        elif kind == "card_sale":
            paid = Money.from_minor(int(step[1]), "GBP")  # type: ignore[call-overload]
            shift = record_sale(shift, SaleRecord(receipt, at, paid, (("card", paid),), gbp("0")))
        elif kind == "void":
            shift = record_void(shift, at, Money.from_minor(int(step[1]), "GBP"))  # type: ignore[call-overload]
        else:
            shift = record_no_sale(shift, at)
    x = x_report(shift, at)
    assert x.expected_cash == gbp("100.00") + Money.from_minor(signed, "GBP")
    assert x_report(shift, at) == x  # asking again changes nothing
    _, z = close_shift(
        shift,
        at=at,
        staff_code="1001",
        role=Role.CASHIER,
        counted=float_of_100(),
        z_number=1,
        previous_grand_total=None,
    )
    assert z.totals == x.totals and z.expected_cash == x.expected_cash
    assert z.variance == gbp("100.00") - x.expected_cash
    assert z.grand_total == x.totals.sales + x.totals.returns
